"""nbgrader's autograde, saying once what a teaching assistant must know, and nothing else.

Two things nbgrader does by default hurt a course of hundreds:

- **A deleted test cell** (a student deleted the hidden-test cell, or a cell that held it)
  is not graded: the submission gets the other cells' points and ``needs_manual_grade``,
  and the log line saying so is lost among the next item's.
- **Hidden tests warn on every submission.** The released test cell lacks its hidden tests,
  so nbgrader logs ``Attribute 'checksum' for cell test_q1 has changed!`` for every test
  cell of every student (600 identical lines for 200 students and 3 tests), though it is
  how hidden tests work, and it puts the tests back anyway.

:class:`RestoreCells` (nbgrader's ``OverwriteCells`` with ``add_missing_cells`` on, a
documented nbgrader option) puts a deleted test cell back from the source notebook, so it
is graded like any other, and logs one line naming the student and the cell. A checksum
change that is only the hidden tests being stripped is logged at debug level; a student's
real edit of a locked cell is still a warning, naming the student. Use it from the course's
``nbgrader_config.py`` (assignments/nbgrader/nbgrader_config.py does)::

    from backprop_widgets.exercises.nbgrader_hooks import use_in
    use_in(c)

This module imports nbgrader; nothing else in the package does.
"""

from __future__ import annotations

from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.api import MissingEntry
from nbgrader.preprocessors import ClearHiddenTests, OverwriteCells
from traitlets import Bool


def _released(source: str) -> str:
    """A test cell's source as nbgrader releases it (hidden tests removed)."""
    cell = NotebookNode({"cell_type": "code", "source": source, "metadata": {}})
    ClearHiddenTests()._remove_hidden_test_region(cell)
    return cell.source


class RestoreCells(OverwriteCells):
    """OverwriteCells that restores deleted test cells and warns once, by student."""

    add_missing_cells = Bool(True, help="Put deleted test cells back (graded).").tag(config=True)

    def preprocess(self, nb, resources):
        self._student = resources.get("nbgrader", {}).get("student", "?")
        self._expected: set[str] = set()  # cells whose checksum differs only by hidden tests
        before = {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells}
        nb, resources = super().preprocess(nb, resources)
        restored = [
            c.metadata["nbgrader"]["grade_id"]
            for c in nb.cells
            if utils.is_grade(c) and c.metadata["nbgrader"].get("grade_id") not in before
        ]
        if restored:
            self.log.warning(
                "%s: the test cell%s %s had been deleted from the submission; put back from "
                "the source notebook and graded",
                self._student,
                "s" if len(restored) > 1 else "",
                ", ".join(restored),
            )
        return nb, resources

    def add_missing_grade_cells(self, nb, resources):
        # nbgrader's own line for each ("Missing grade cell ... encountered") names no
        # student: the one line above says it all.
        level = self.log.level
        try:
            self.log.setLevel("ERROR")
            nb, resources = super().add_missing_grade_cells(nb, resources)
        finally:
            self.log.setLevel(level)
        for cell in nb.cells:  # nbgrader adds them without the id nbformat 4.5 wants
            if "id" not in cell and cell.metadata.get("nbgrader", {}).get("grade_id"):
                cell["id"] = "restored-" + cell.metadata["nbgrader"]["grade_id"]
        return nb, resources

    def preprocess_cell(self, cell, resources, cell_index):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None and utils.is_locked(cell):
            try:
                source = self.gradebook.find_source_cell(
                    grade_id, self.notebook_id, self.assignment_id
                ).source
            except MissingEntry:
                source = None
            if source is not None and source != cell.source and _released(source) == cell.source:
                self._expected.add(grade_id)
        return super().preprocess_cell(cell, resources, cell_index)

    def report_change(self, name, attr, old, new):
        if attr == "checksum" and name in self._expected:
            self.log.debug("%s: hidden tests of %s put back", self._student, name)
            return
        self.log.warning(
            "%s: %s of cell %s was changed by the student (should be: %s, got: %s); "
            "the source's is used",
            self._student,
            attr,
            name,
            old,
            new,
        )


def use_in(c) -> None:
    """Make ``nbgrader autograde`` use :class:`RestoreCells` (``c``: the config object)."""
    from nbgrader.converters.autograde import Autograde

    c.Autograde.sanitize_preprocessors = [
        RestoreCells if pp is OverwriteCells else pp
        for pp in Autograde.class_traits()["sanitize_preprocessors"].default()
    ]

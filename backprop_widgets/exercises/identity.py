"""Who handed a notebook in: from where the grader put it, not from what the notebook says.

An assignment's notebook asks for ``STUDENT_ID`` (each student's numbers are made from it),
but a student can type anything there, a classmate's id included. When a grader runs the
notebook, the submission's owner is known from where the grader put it:

- **nbgrader** runs ``nbgrader autograde`` on ``submitted/<student>/<assignment>/`` in
  ``autograded/<student>/<assignment>/``, with ``NBGRADER_EXECUTION=autograde`` in the
  kernel's environment: the student is the folder above the notebook's;
- **Gradescope** (otter-grader's autograder zip) runs it in ``/autograder/submission/`` beside
  ``/autograder/submission_metadata.json``, whose ``users`` are the submitters (their SID,
  their e-mail address and its part before the ``@``: any of them is the student's id);
- ``$BACKPROP_STUDENT``, set by whoever runs the grader (``otter run`` gives no metadata:
  ``assignments/grade_all.py`` sets it from each submission's file name), comes first.

:func:`backprop_widgets.exercises.grade` then grades with that student's numbers and uses
the typed ``STUDENT_ID`` only to say when it differs. Ids are compared and seeded in one
form, :func:`normalise` (Unicode NFKC, surrounding spaces removed, case folded), so
``"STU500"``, ``" stu500 "`` and ``"stu500"`` are one student with one set of numbers.

This is about mistakes and copied ids, not about a student who writes code to fool the
grader: the notebook's cells run in the grading kernel (in both graders), and such code is
in the notebook handed in for anyone to read.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import unicodedata

ENV_STUDENT = "BACKPROP_STUDENT"
MAX_ID_CHARS = 200  # an id longer than this is cut (the hostile submission's 5,000 characters)
METADATA = "submission_metadata.json"  # Gradescope's, beside the submission folder


def normalise(student) -> str:
    """The one form an id is compared and seeded in ("" for anything but text).

    >>> normalise("  STU500 "), normalise("stu500")
    ('stu500', 'stu500')
    """
    if not isinstance(student, str):
        return ""
    return unicodedata.normalize("NFKC", student).strip().casefold()[:MAX_ID_CHARS]


def shown(student, limit: int = 60) -> str:
    """An id as a message quotes it: repr, cut to ``limit`` characters."""
    text = repr(student)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclasses.dataclass(frozen=True)
class Submitter:
    """The student a grader says handed the notebook in.

    ``ids`` are that student's ids, normalised (one from nbgrader; a Gradescope user's e-mail
    local part, SID and e-mail); ``source`` says where they came from, for messages.
    """

    ids: tuple[str, ...]
    source: str

    @property
    def name(self) -> str:
        return self.ids[0]

    def owns(self, typed) -> bool:
        return normalise(typed) in self.ids

    def choose(self, typed) -> str:
        """The id to grade with: the typed one if it is one of this student's, else theirs."""
        return normalise(typed) if self.owns(typed) else self.name


def _nbgrader(cwd: pathlib.Path, environ) -> Submitter | None:
    if environ.get("NBGRADER_EXECUTION") != "autograde":
        return None
    # nbgrader runs the notebook in <autograded>/<student>/<assignment>/
    student = normalise(cwd.parent.name)
    if not student:
        return None
    return Submitter((student,), f"nbgrader's folder for {cwd.parent.name}")


def _gradescope(cwd: pathlib.Path) -> Submitter | None:
    path = cwd.parent / METADATA
    if cwd.name != "submission" or not path.is_file():
        return None
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    users = metadata.get("users") if isinstance(metadata, dict) else None
    ids: list[str] = []
    for user in users if isinstance(users, list) else []:
        if not isinstance(user, dict):
            continue
        email = normalise(user.get("email"))
        for candidate in (email.partition("@")[0], normalise(user.get("sid")), email):
            if candidate and candidate not in ids:
                ids.append(candidate)
    if not ids:
        return None  # otter run writes {}: no submitter known
    return Submitter(tuple(ids), "Gradescope's submission metadata")


def submitter(cwd=None, environ=None) -> Submitter | None:
    """Who the grader running this kernel says handed the notebook in; None when no grader
    says (a student's own kernel, ``otter run`` without ``$BACKPROP_STUDENT``). Never raises.
    """
    environ = os.environ if environ is None else environ
    named = normalise(environ.get(ENV_STUDENT))
    if named:
        return Submitter((named,), f"${ENV_STUDENT}")
    try:
        here = pathlib.Path(cwd if cwd is not None else os.getcwd()).resolve()
    except OSError:
        return None
    return _nbgrader(here, environ) or _gradescope(here)


def resolve(typed, who: Submitter | None) -> tuple[object, str]:
    """(the id to grade with, a note for the feedback or "").

    Without a submitter the typed id is used as it is (an empty one is then refused by the
    caller). With one, the submitter's id is used; the note says when the typed id was empty
    or someone else's.
    """
    if who is None:
        return typed, ""
    chosen = who.choose(typed)
    if who.owns(typed):
        return chosen, ""
    if not normalise(typed):
        return chosen, (
            f"STUDENT_ID was empty in the notebook handed in (got {shown(typed)}); it was graded "
            f"with the numbers of {chosen}, who handed it in ({who.source})."
        )
    return chosen, (
        f"The notebook's STUDENT_ID is {shown(typed)}, but {chosen} handed it in "
        f"({who.source}): it was graded with {chosen}'s numbers, so answers worked out for "
        "another student's numbers are wrong here."
    )

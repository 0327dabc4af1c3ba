"""The instructor's report on a synthetic folder of collected answers files."""

from __future__ import annotations

import sys

import pytest

from backprop_widgets.exercises import answers, report, report_chart
from backprop_widgets.exercises.report import NO_PROBLEM, rows

SEED_WRONG = "dh1/dw1 * dw7/dh1 * do2/dw7 * dL/do2 + dh1/dw1 * dw5/dh1 * do1/dw5 * dL/do1"
ONE_PATH = "dh1/dw1 * do1/dh1 * dL/do1"
RIGHT = "dh1/dw1 * (do1/dh1 * dL/do1 + do2/dh1 * dL/do2)"


def attempt(text, *problems, after_solution=False):
    return answers.StoredAttempt(
        text, not problems, "chain_rule", problems, "2026-12-02T16:00:00+00:00",
        after_solution=after_solution,
    )  # fmt: skip


@pytest.fixture
def collected(tmp_path):
    """Five students, as nbgrader collects them, and two files that are not answers."""
    q1 = {
        "ana": [
            attempt(SEED_WRONG, "parameter_as_function", "parameter_as_function"),
            attempt(RIGHT),
        ],
        "ben": [
            attempt(SEED_WRONG, "parameter_as_function"),
            attempt(ONE_PATH, "missing_path"),
            attempt(RIGHT),
        ],
        "cy": [attempt(ONE_PATH, "missing_path")],
        "dee": [attempt(RIGHT)],
        "eve": [attempt("do1/dw1", "wrong_sign"), attempt(RIGHT, after_solution=True)],
    }
    for student, attempts in q1.items():
        path = tmp_path / "submitted" / student / "chain-rule" / answers.FILENAME
        path.parent.mkdir(parents=True)
        file = answers.AnswersFile(path)
        file.save("q1", answers.ExerciseRecord("dL/dw1", attempts, solution_shown=student == "eve"))
        if student in ("ana", "ben"):
            file.save("q2", answers.ExerciseRecord("dL/dw5", [attempt("0.08")]))
    (tmp_path / "submitted" / "ana" / "chain-rule" / "results.json").write_text('{"tests": []}')
    (tmp_path / "broken.json").write_text("{")
    return tmp_path


def test_each_diagnosis_is_counted_once_per_student_most_frequent_first(collected):
    table = [r for r in rows(collected) if r["exercise"] == "q1"]
    assert [(r["code"], r["students"]) for r in table] == [
        ("missing_path", 2),
        ("parameter_as_function", 2),
        ("wrong_sign", 1),
    ]
    by_code = {r["code"]: r for r in table}
    assert by_code["parameter_as_function"]["attempts"] == 2  # ana's attempt counts once
    assert by_code["parameter_as_function"]["example"] == SEED_WRONG
    assert by_code["missing_path"]["example"] == ONE_PATH
    assert by_code["missing_path"]["share"] == 0.4


def test_attempts_to_get_it_right_and_giving_up(collected):
    row = rows(collected)[0]
    assert row["tried"] == 5 and row["solved"] == 3 and row["gave_up"] == 1
    assert row["attempts_to_solve_median"] == 2  # ana 2, ben 3, dee 1
    assert row["attempts_to_solve_mean"] == 2.0


def test_an_exercise_nobody_got_wrong_still_has_a_row(collected):
    [q2] = [r for r in rows(collected) if r["exercise"] == "q2"]
    assert q2["code"] == NO_PROBLEM and q2["students"] == 0 and q2["solved"] == 2


def test_the_report_is_anonymous(collected):
    text = repr(rows(collected))
    assert not any(name in text for name in ("ana", "ben", "cy", "dee", "eve", "submitted"))


def test_a_dataframe_with_pandas_and_plain_rows_without(collected, monkeypatch):
    pd = pytest.importorskip("pandas")
    frame = report(collected)
    assert isinstance(frame, pd.DataFrame)
    assert frame.query("exercise == 'q1' and code == 'parameter_as_function'").students.item() == 2
    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` now fails
    plain = report(collected)
    assert isinstance(plain, list) and plain == rows(collected)


def test_the_chart_has_one_panel_per_exercise(collected):
    pytest.importorskip("matplotlib")
    fig = report_chart(report(collected))
    assert len(fig.axes) == 2
    top = fig.axes[0]
    assert "3 of 5 students solved it in the widget" in top.get_title()
    assert [t.get_text() for t in top.get_yticklabels()] == [
        "wrong_sign", "parameter_as_function", "missing_path",
    ]  # fmt: skip
    assert report_chart(collected).axes[0].get_title() == top.get_title()


def test_an_empty_folder_gives_an_empty_report_and_a_bad_folder_an_error(tmp_path):
    assert rows(tmp_path) == []
    assert "no answers files" in report_chart(tmp_path).axes[0].get_title()
    with pytest.raises(Exception, match="folder must be a folder"):
        rows(tmp_path / "missing")


def test_nbgraders_copies_of_a_submission_are_counted_once(collected):
    """nbgrader's autograded/ and feedback/ hold copies of submitted/: one student each."""
    import shutil

    for step in ("autograded", "feedback"):
        shutil.copytree(collected / "submitted", collected / step)
    shutil.copytree(collected / "submitted" / "ana", collected / "release" / "x")  # not a student
    table = rows(collected)
    q1 = {r["code"]: r for r in table if r["exercise"] == "q1"}
    assert q1["parameter_as_function"]["students"] == 2 and q1["missing_path"]["students"] == 2
    assert q1["missing_path"]["tried"] == 5


def test_each_diagnosis_separates_fixed_before_submitting_from_handed_in(collected):
    q1 = {r["code"]: r for r in rows(collected) if r["exercise"] == "q1"}
    # ana and ben moved past parameter_as_function; cy handed missing_path in, ben fixed it
    assert (q1["parameter_as_function"]["handed_in"], q1["parameter_as_function"]["fixed"]) == (
        0,
        2,
    )
    assert (q1["missing_path"]["handed_in"], q1["missing_path"]["fixed"]) == (1, 1)


def test_reteach_names_the_three_most_handed_in_diagnoses_with_an_example(collected):
    top = bw_reteach(collected)
    assert [r["code"] for r in top][:1] == ["missing_path"]  # the one handed in
    assert len(top) == 3 and all(r["example"] for r in top)
    assert "ana" not in str(top) and "ben" not in str(top)


def bw_reteach(folder):
    from backprop_widgets.exercises import reteach

    return reteach(folder)


# ------------------------------------------------- answers typed only in the notebook's cells
def notebook(*sources, markdown="answer_q9 = 'not code'") -> str:
    """A submitted notebook's JSON (nbformat 4) with these code cells."""
    import json

    cells = [{"cell_type": "markdown", "metadata": {}, "source": markdown}]
    cells += [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": source.splitlines(keepends=True)}
        for source in sources
    ]  # fmt: skip
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


RELEASED = ('STUDENT_ID = ""', 'answer_q1 = ""  # or type your answer between the quotes',
            'answer_q2 = ""  # or type your answer between the quotes')  # fmt: skip


def hand_in(folder, typed: dict[str, str]) -> None:
    cells = [RELEASED[0]] + [
        f"answer_{q} = {typed[q]!r}" if q in typed else RELEASED[i]
        for i, q in ((1, "q1"), (2, "q2"))
    ]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "chain-rule.ipynb").write_text(notebook(*cells))


@pytest.fixture
def with_cells(collected):
    """The five students' notebooks, and three more who only typed in cells: fay (q1 and q2,
    no answers file), gus (q2 only) and hal (nothing: the released notebook)."""
    for student, typed in {
        "ana": {"q2": "0.08"},  # ana checked q2 in the widget too: typed_too
        "ben": {}, "cy": {}, "dee": {}, "eve": {},
        "fay": {"q1": RIGHT, "q2": "0.0822"},
        "gus": {"q2": "0.08"},
        "hal": {},
    }.items():  # fmt: skip
        hand_in(collected / "submitted" / student / "chain-rule", typed)
    return collected


def test_typed_answers_reads_the_cells_never_runs_them():
    from backprop_widgets.exercises.report import typed_answers

    nb = notebook(
        'answer_q1 = ""  # or type your answer between the quotes\nanswer_q1 = "dh1/dw1"',
        "%matplotlib inline\nanswer_q2 = str(0.08)",  # an expression: typed, as its source
        'answer_q3 = "   "',  # blank: not typed
        "answer_q4 = (" + "(" * 3000,  # no Python: skipped
        "import os\nanswer_q5 = __import__('os').system('echo hi')",
    )
    assert typed_answers(nb) == {
        "q1": "dh1/dw1",
        "q2": "str(0.08)",
        "q5": "__import__('os').system('echo hi')",
    }
    assert typed_answers("{") == {} and typed_answers(b"[]") == {}
    v3 = {"worksheets": [{"cells": [{"cell_type": "code", "input": "answer_q1 = 'x'"}]}]}
    assert typed_answers(v3) == {"q1": "x"}


def test_students_who_typed_only_in_cells_are_counted_and_said_to_be(with_cells):
    from backprop_widgets.exercises import report_summary

    table = rows(with_cells)
    q1 = [r for r in table if r["exercise"] == "q1"]
    assert {(r["class_size"], r["tried"], r["solved"], r["typed_only"]) for r in q1} == {
        (8, 5, 3, 1)  # fay typed q1 only in its cell
    }
    [q2] = [r for r in table if r["exercise"] == "q2"]
    assert (q2["tried"], q2["typed_only"], q2["typed_too"]) == (2, 2, 1)  # fay, gus; ana
    assert report_summary(table) == [
        "q1 (dL/dw1): 3 of 8 students solved it in the widget; 1 more typed answers only in "
        "cells (graded, not in this report's diagnoses)",
        "q2 (dL/dw5): 2 of 8 students solved it in the widget; 2 more typed answers only in "
        "cells (graded, not in this report's diagnoses)",
    ]
    # the diagnoses are still the widget's: the typed text is graded, not diagnosed here
    assert {r["code"]: r["students"] for r in q1} == {
        "missing_path": 2, "parameter_as_function": 2, "wrong_sign": 1,
    }  # fmt: skip
    assert RIGHT not in repr(table) and "0.0822" not in repr(table)


def test_an_exercise_typed_only_in_cells_has_a_row_and_the_chart_says_so(tmp_path):
    pytest.importorskip("matplotlib")
    for student in ("ann", "bo", "cid"):
        hand_in(tmp_path / student, {"q2": "0.08"} if student != "cid" else {})
    [row] = rows(tmp_path)
    assert (row["exercise"], row["code"], row["class_size"], row["tried"], row["typed_only"]) == (
        "q2", NO_PROBLEM, 3, 0, 2,
    )  # fmt: skip
    title = report_chart(tmp_path).axes[0].get_title().replace("\n", " ")
    assert title == (
        "q2: 0 of 3 students solved it in the widget; 2 more typed answers only in cells "
        "(graded, not in this report's diagnoses)"
    )


def test_the_chart_title_counts_the_class_and_the_cells(with_cells):
    pytest.importorskip("matplotlib")
    title = report_chart(with_cells).axes[0].get_title().replace("\n", " ")
    assert title.startswith("q1 (dL/dw1): 3 of 8 students solved it in the widget; 1 more")


# ------------------------------------------------------------- otter's zips, Gradescope's export
def zipped(path, files: dict) -> None:
    import zipfile

    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)


def answers_text(*attempts) -> str:
    """An answers file's text, as the widget writes it."""
    import pathlib
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        path = pathlib.Path(scratch) / answers.FILENAME
        answers.AnswersFile(path).save("q1", answers.ExerciseRecord("dL/dw1", list(attempts)))
        return path.read_text()


def test_otters_zips_are_read_inside_without_extracting(tmp_path):
    folder = tmp_path / "submissions"
    ana = answers_text(attempt(SEED_WRONG, "parameter_as_function"), attempt(RIGHT))
    # otter's export: the notebook and the answers file; <student>/<zip> or <student>.zip
    zipped(folder / "ana" / "chain-rule_2026_12_02T16_00_00.zip",
           {"chain-rule.ipynb": notebook(), answers.FILENAME: ana})  # fmt: skip
    zipped(folder / "ben.zip", {"chain-rule.ipynb": notebook(f"answer_q1 = {RIGHT!r}")})
    zipped(folder / "cy.zip", {"chain-rule.ipynb": "{", answers.FILENAME: "not json"})
    (folder / "dee.zip").write_bytes(b"PK\x03\x04 not a zip")
    before = sorted(folder.rglob("*"))
    from backprop_widgets.exercises.report import submissions

    found = {s.student: s for s in submissions(folder)}
    # cy handed a notebook in (unreadable: no typed answer); dee's zip is not one
    assert sorted(found) == ["ana", "ben", "cy"]
    assert found["ben"].typed == {"q1": RIGHT} and not found["ben"].answers.exercises
    assert found["cy"].typed == {} and not found["cy"].answers.exercises
    [*q1] = [r for r in rows(folder) if r["exercise"] == "q1"]
    assert {(r["class_size"], r["tried"], r["solved"], r["typed_only"]) for r in q1} == {
        (3, 1, 1, 1)
    }
    assert sorted(folder.rglob("*")) == before  # nothing extracted


GRADESCOPE_METADATA = """\
submission_1001:
  :submitters:
  - :name: Ana Lima
    :sid: '1001'
    :email: ANA@uni.example
  :created_at: 2026-12-02 16:00:00.000000000 -08:00
  :score: 4.0
  :status: processed
  :history: []
submission_1002:
  :submitters:
  - :name: Ben Okafor
    :sid: '1002'
    :email: ben@uni.example
  :created_at: 2026-12-02 17:00:00.000000000 -08:00
  :score: 2.0
  :status: processed
  :history:
  - :id: 999
    :created_at: 2026-12-01 17:00:00.000000000 -08:00
    :score: 0.0
    :active: false
submission_1003:
  :submitters:
  - :name: Cy Ng
    :sid: '1003'
    :email: cy@uni.example
  - :name: Dee Park
    :sid: '1004'
    :email: dee@uni.example
  :created_at: 2026-12-02 18:00:00.000000000 -08:00
  :score: 0.0
  :status: processed
  :history: []
"""


@pytest.fixture
def gradescope_export(tmp_path):
    """Gradescope's export of an assignment's submissions, as documented: submission_metadata.yml
    beside a submission_<id>/ folder per (active) submission, holding the files handed in
    (ben's upload kept as its zip; cy and dee's a group submission)."""
    export = tmp_path / "assignment_42_export"
    ana = answers_text(attempt(ONE_PATH, "missing_path"), attempt(RIGHT))
    (export / "submission_1001").mkdir(parents=True)
    (export / "submission_1001" / "chain-rule.ipynb").write_text(notebook())
    (export / "submission_1001" / answers.FILENAME).write_text(ana)
    zipped(export / "submission_1002" / "chain-rule_2026.zip",
           {"chain-rule.ipynb": notebook(f"answer_q1 = {ONE_PATH!r}")})  # fmt: skip
    (export / "submission_1003").mkdir()
    (export / "submission_1003" / "chain-rule.ipynb").write_text(notebook())
    (export / "submission_metadata.yml").write_text(GRADESCOPE_METADATA)
    return export


def test_gradescopes_export_is_read_as_it_is(gradescope_export, monkeypatch):
    from backprop_widgets.exercises.report import submissions

    def students(folder):
        return [(s.student, s.typed) for s in submissions(folder)]

    expected = [("ana", {}), ("ben", {"q1": ONE_PATH}), ("cy", {})]  # e-mail before the @
    assert students(gradescope_export) == expected
    assert students(gradescope_export.parent) == expected  # the folder it was unzipped in
    import shutil

    as_downloaded = shutil.make_archive(
        str(gradescope_export.parent / "download"), "zip", gradescope_export.parent,
        gradescope_export.name,
    )  # fmt: skip
    assert students(as_downloaded) == expected  # the zip downloaded, read as it is
    [q1] = [r for r in rows(gradescope_export) if r["code"] == "missing_path"]
    assert (q1["class_size"], q1["tried"], q1["fixed"], q1["typed_only"]) == (3, 1, 1, 1)
    monkeypatch.setitem(sys.modules, "yaml", None)  # without PyYAML: read line by line
    assert students(gradescope_export) == expected


def test_a_submissions_own_metadata_names_its_student(tmp_path):
    """A submission_metadata.yml in the submission's folder, or the autograder's .json."""
    import json

    from backprop_widgets.exercises.report import submissions

    one = tmp_path / "submission_7"
    hand_in(one, {"q1": RIGHT})
    (one / "submission_metadata.yml").write_text(
        ":submitters:\n- :name: Eve\n  :sid: 'E77'\n  :email:\n"
    )
    two = tmp_path / "run" / "submission"
    hand_in(two, {"q1": RIGHT})
    (two.parent / "submission_metadata.json").write_text(
        json.dumps({"users": [{"email": "Fay@uni.example", "sid": "9"}]})
    )
    assert [s.student for s in submissions(tmp_path)] == ["e77", "fay"]

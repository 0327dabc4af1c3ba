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
    assert "3 of 5 solved" in top.get_title()
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

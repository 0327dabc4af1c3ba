"""The answers file and the grader's side of it: appended line by line, read whatever it
holds, a corrupt file kept aside (only when writing), answers re-checked (never trusted),
hostile answers cheap. Concurrent writers and old files: test_answer_store.py."""

from __future__ import annotations

import dataclasses
import json
import os

import pytest

import backprop_widgets as bw
from backprop_widgets.exercises import answers
from tests.exercises.work import budget, calls

SEED_WRONG = "dh1/dw1 * dw7/dh1 * do2/dw7 * dL/do2 + dh1/dw1 * dw5/dh1 * do1/dw5 * dL/do1"
RIGHT = "dh1/dw1 * (do1/dh1 * dL/do1 + do2/dh1 * dL/do2)"


@pytest.fixture(autouse=True)
def no_graded_setting(monkeypatch):
    monkeypatch.delenv(answers.ENV_GRADED, raising=False)
    monkeypatch.setattr(answers, "_graded", None)


def attempt(text, correct=False, problems=(), kind="chain_rule"):
    return answers.StoredAttempt(text, correct, kind, tuple(problems), "2026-12-02T16:00:00+00:00")


def question():
    net, x, t = bw.presets.mazur()
    return bw.GradientQuestion(net, "w1", x, t, accept=("chain_rule",))


def test_a_record_round_trips_and_other_exercises_are_kept(tmp_path):
    file = answers.AnswersFile(tmp_path / "a.json")
    file.save(
        "q1",
        answers.ExerciseRecord("dL/dw1", [attempt(SEED_WRONG, problems=["parameter_as_function"])]),
    )
    file.save("q2", answers.ExerciseRecord("dL/dw5", [attempt("0.08", True, kind="number")]))
    loaded = answers.load(tmp_path / "a.json")
    assert loaded.problem == "" and set(loaded.exercises) == {"q1", "q2"}
    [a] = loaded.record("q1").attempts
    assert a.answer == SEED_WRONG and a.problems == ("parameter_as_function",) and not a.correct
    assert loaded.record("q2").last_answer == "0.08"
    header, *lines = [json.loads(line) for line in (tmp_path / "a.json").read_text().splitlines()]
    assert header == {"format": answers.FORMAT, "version": answers.VERSION}
    assert [line["exercise"] for line in lines] == ["q1", "q2"]  # one line per attempt
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]  # nothing else beside it


def test_a_failed_write_on_a_full_disk_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "a.json"
    file = answers.AnswersFile(path)
    file.save("q1", answers.ExerciseRecord("dL/dw1", [attempt("1")]))
    before = path.read_text()
    real_write = answers.answer_log.os.write

    def full_disk(fd, data):  # half the line fits, then the disk is full
        if len(data) > 1:
            return real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(answers.answer_log.os, "write", full_disk)
    with pytest.raises(OSError, match="No space left"):
        file.save("q1", answers.ExerciseRecord("dL/dw1", [attempt("1"), attempt("2" * 500)]))
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_a_missing_file_is_an_empty_record_with_a_clear_message(tmp_path):
    loaded = answers.load(tmp_path / "none.json")
    assert loaded.missing and loaded.exercises == {}
    assert "No answers file" in loaded.problem and "none.json" in loaded.problem


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[1, 2]",
        '{"format": "other"}',
        "[" * 100_000,
        '{"format": "backprop-widgets answers", "exercises": 3}',
    ],
    ids=["not-json", "a-list", "another-format", "deep", "bad-exercises"],
)
def test_a_corrupt_file_is_kept_aside_when_writing_and_a_new_one_started(tmp_path, content):
    path = tmp_path / answers.FILENAME
    path.write_text(content)
    assert answers.load(path).problem  # the grader's read: says why, moves nothing
    loaded = answers.AnswersFile(path).load()  # the student's side reads: nothing moves yet
    assert "could not be read" in loaded.problem and "will be kept aside" in loaded.problem
    assert path.read_text() == content
    saved = answers.AnswersFile(path).save("q1", answers.ExerciseRecord("dL/dw1", [attempt("1")]))
    assert "could not be read" in saved.problem and "kept as" in saved.problem
    [kept] = [p for p in tmp_path.iterdir() if "corrupt" in p.name]
    assert kept.read_text() == content  # nothing lost
    assert answers.load(path).record("q1").last_answer == "1"


def test_damaged_entries_are_skipped_not_fatal(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(
        json.dumps(
            {
                "format": answers.FORMAT,
                "exercises": {
                    "q1": {
                        "attempts": [
                            {"answer": 5},
                            "junk",
                            {"answer": "0.1", "problems": "x", "hints_used": "2"},
                        ]
                    },
                    "q2": "junk",
                },
            }
        )
    )
    loaded = answers.load(path)
    assert loaded.problem == ""
    [a] = loaded.record("q1").attempts
    assert a.answer == "0.1" and a.problems == () and a.hints_used == 0
    assert loaded.record("q2").attempts == []


def test_answer_for_prefers_a_typed_variable_then_the_last_checked_answer(tmp_path):
    path = tmp_path / "a.json"
    answers.AnswersFile(path).save(
        "q1", answers.ExerciseRecord("dL/dw1", [attempt("1"), attempt(RIGHT)])
    )
    assert answers.answer_for("q1", path=path) == RIGHT
    assert answers.answer_for("q1", "  ", path=path) == RIGHT
    assert answers.answer_for("q1", "0.5", path=path) == "0.5"
    assert answers.answer_for("q9", path=path) == ""
    assert answers.answer_for("q1", None, path=tmp_path / "missing.json") == ""


def test_grade_rechecks_the_text_and_never_trusts_the_stored_verdict(tmp_path):
    path = tmp_path / "a.json"
    forged = answers.ExerciseRecord("dL/dw1", [attempt(SEED_WRONG, correct=True)])
    answers.AnswersFile(path).save("q1", forged)
    fb = answers.grade(question(), "q1", "", path=path)
    assert not fb.correct and fb.problems[0] == "parameter_as_function"
    assert fb.message.startswith("dw7/dh1: w7 is a weight")
    assert answers.grade(question(), "q1", RIGHT, path=path).correct


def test_grade_of_nothing_says_why_and_scores_nothing(tmp_path):
    fb = answers.grade(question(), "q1", "", path=tmp_path / answers.FILENAME)
    assert not fb.correct and fb.message.startswith("No answer was given. No answers file")
    path = tmp_path / "a.json"
    answers.AnswersFile(path).save("q2", answers.ExerciseRecord("dL/dw5", [attempt("1")]))
    fb = answers.grade(question(), "q1", None, path=path)
    assert "Exercise q1 has no checked answer" in fb.message
    path.write_text("{broken")
    assert "could not be read" in answers.grade(question(), "q1", path=path).message


def number_question():
    net, x, t = bw.presets.mazur()
    return bw.GradientQuestion(net, "w5", x, t, accept=("number",))


def test_grade_for_a_student_rebuilds_that_students_variant(tmp_path):
    q, none = number_question(), tmp_path / "none.json"
    alice, bob = q.variant("alice"), q.variant("bob")
    assert answers.grade(q, "q2", repr(alice.expected), path=none, student="alice").correct
    # bob's number copied under alice's id, or Mazur's published one: wrong for alice
    for copied in (bob.expected, q.expected):
        fb = answers.grade(q, "q2", repr(copied), path=none, student="alice")
        assert not fb.correct and fb.expected == alice.expected


@pytest.mark.parametrize("student", ["", "   ", None, 42])
def test_grade_without_a_student_id_scores_nothing_and_says_why(tmp_path, student):
    q = number_question()  # Mazur's published answer must not score without an id
    fb = answers.grade(q, "q2", repr(q.expected), path=tmp_path / "none.json", student=student)
    assert not fb.correct and fb.problems == ("no_student_id",) and fb.expected is None
    assert fb.message.startswith(f"Not graded: no student id was given (got {student!r})")
    assert "STUDENT_ID" in fb.message


def test_an_answer_checked_for_another_id_is_graded_for_this_one_and_says_so(tmp_path):
    q, path = number_question(), tmp_path / "a.json"
    alice = q.variant("alice")
    stored = dataclasses.replace(
        attempt(repr(alice.expected), True, kind="number"), fingerprint=answers.fingerprint(alice)
    )
    answers.AnswersFile(path).save("q2", answers.ExerciseRecord("dL/dw5", [stored]))
    assert answers.grade(q, "q2", path=path, student="alice").correct
    fb = answers.grade(q, "q2", path=path, student="alice2")  # the id changed afterwards
    assert not fb.correct and "was the student id changed after answering?" in fb.message


HOSTILE = [
    "__import__('os').system('echo hi')",
    "(" * 5000 + "1" + ")" * 5000,
    "1" * 10_000,
    ("dh1/dw1 * " * 1000)[:10_000],
    "dh1/dw1*" + "(" * 3000 + "do1/dh1" + ")" * 3000,
    "+".join(["dh1/dw1 * do1/dh1 * dL/do1"] * 370),
    "x" * 10_001,
    "\x00\u202e" * 4000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_a_hostile_answer_is_refused_quickly_and_never_run(tmp_path, text):
    q = question()
    fb, work = calls(answers.grade, q, "q1", text, path=tmp_path / "none.json")
    assert not fb.correct and isinstance(fb.message, str)
    assert work <= budget(text), f"{work:,} calls for {len(text):,} characters"


def test_a_huge_answers_file_is_refused_without_reading_it(tmp_path, monkeypatch):
    path = tmp_path / "a.json"
    path.write_text("{}")
    monkeypatch.setattr(answers, "MAX_FILE_BYTES", 1)
    assert "too large" in answers.load(path).problem


def test_graded_mode_is_set_in_the_kernel_or_by_the_environment(monkeypatch):
    assert answers.graded_mode() is False
    monkeypatch.setenv(answers.ENV_GRADED, "1")
    assert answers.graded_mode() is True
    assert answers.graded_mode(False) is False  # the notebook's own setting wins
    assert answers.graded_mode() is False
    with pytest.raises(bw.BackpropInputError, match="on must be True or False"):
        answers.graded_mode("yes")


def test_default_path_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(answers.ENV_PATH, raising=False)
    assert answers.default_path().name == answers.FILENAME
    monkeypatch.setenv(answers.ENV_PATH, str(tmp_path / "x.json"))
    assert answers.default_path() == tmp_path / "x.json"


def test_exercise_ids_name_the_question_not_its_numbers():
    net, x, t = bw.presets.mazur()
    q = bw.GradientQuestion(net, "w1", x, t)
    other = net.copy()
    other["w5"] = 0.1
    q_other = bw.GradientQuestion(other, "w1", x, t)
    assert answers.default_id(q).startswith("dL/dw1@")
    assert answers.default_id(q) == answers.default_id(q_other)
    assert answers.fingerprint(q) != answers.fingerprint(q_other)
    tiny, tx, tt = bw.presets.tiny()
    assert answers.default_id(bw.GradientQuestion(tiny, "w1", tx, tt)) != answers.default_id(q)


def test_the_grader_side_imports_no_widget_library():
    import subprocess
    import sys

    code = (
        "import sys, backprop_widgets as bw; bw.exercises.answers.load('x.json');"
        "bw.exercises.report;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('ipywidgets', 'anywidget', 'IPython', 'matplotlib', 'pandas')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert os.environ.get(answers.ENV_GRADED) is None


def test_start_makes_an_empty_file_to_hand_in_and_keeps_one_that_exists(tmp_path):
    path = tmp_path / answers.FILENAME
    started = answers.start(path)
    assert started.problem == "" and not started.missing and started.exercises == {}
    assert answers.load(path).problem == ""
    answers.AnswersFile(path).save("q1", answers.ExerciseRecord("dL/dw1", [attempt("1")]))
    assert answers.start(path).record("q1").last_answer == "1"
    # an unreadable file stays for the grader to report (the setup cell runs when grading)
    path.write_text("{")
    assert "could not be read" in answers.start(path).problem
    assert path.read_text() == "{" and "could not be read" in answers.load(path).problem
    assert "could not be created" in answers.start(tmp_path / "no" / "a.json").problem

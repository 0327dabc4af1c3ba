"""Who handed a notebook in (exercises/identity.py), and grade() using it: the grader's word
(nbgrader's folder, Gradescope's metadata, $BACKPROP_STUDENT) decides whose numbers are
graded; the typed STUDENT_ID only adds a note. The real graders: tests/assignments."""

from __future__ import annotations

import json

import pytest

import backprop_widgets as bw
from backprop_widgets.exercises import answers, identity


@pytest.fixture(autouse=True)
def no_grader(monkeypatch):
    monkeypatch.delenv(identity.ENV_STUDENT, raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)


def number_question():
    net, x, t = bw.presets.mazur()
    return bw.GradientQuestion(net, "w5", x, t, accept=("number",))


@pytest.mark.parametrize("typed", ["STU500", " stu500 ", "stu500\t", "Stu500", "ｓｔｕ５００"])
def test_ids_are_normalised_alike_for_the_numbers_and_the_comparison(typed):
    q = number_question()
    assert identity.normalise(typed) == "stu500"
    assert q.variant(typed).expected == q.variant("stu500").expected
    assert identity.Submitter(("stu500",), "test").owns(typed)


def test_nbgrader_autograde_names_the_student_by_the_folder(tmp_path):
    cwd = tmp_path / "autograded" / "Carol" / "chain-rule"
    cwd.mkdir(parents=True)
    who = identity.submitter(cwd, {"NBGRADER_EXECUTION": "autograde"})
    assert who.ids == ("carol",) and "nbgrader" in who.source
    assert identity.submitter(cwd, {}) is None  # a student's own kernel: no grader says


def test_gradescope_metadata_names_every_submitter_by_login_sid_and_email(tmp_path):
    cwd = tmp_path / "autograder" / "submission"
    cwd.mkdir(parents=True)
    users = [
        {"email": "JDoe42@Uni.example", "sid": "12345", "name": "J Doe"},
        {"email": "pat@uni.example", "sid": ""},
    ]
    (cwd.parent / identity.METADATA).write_text(json.dumps({"users": users}))
    who = identity.submitter(cwd, {})
    assert who.ids == ("jdoe42", "12345", "jdoe42@uni.example", "pat", "pat@uni.example")
    assert who.choose("12345") == "12345" and who.choose("PAT ") == "pat"
    assert who.choose("bob") == "jdoe42"  # someone else's id: the first submitter's login
    (cwd.parent / identity.METADATA).write_text("{}")  # what otter run writes
    assert identity.submitter(cwd, {}) is None
    (cwd.parent / identity.METADATA).write_text("{not json")
    assert identity.submitter(cwd, {}) is None


def test_backprop_student_comes_first(tmp_path):
    cwd = tmp_path / "autograded" / "carol" / "chain-rule"
    cwd.mkdir(parents=True)
    env = {"NBGRADER_EXECUTION": "autograde", identity.ENV_STUDENT: " Dave "}
    assert identity.submitter(cwd, env).ids == ("dave",)


def test_a_classmates_id_and_answers_are_graded_with_the_submitters_numbers(tmp_path):
    q, none = number_question(), tmp_path / "none.json"
    bob = q.variant("bob")
    # mallory hands in bob's id and bob's number: graded as mallory's own answer would be
    fb = answers.grade(q, "q2", repr(bob.expected), path=none, student="bob", submitter="mallory")
    assert not fb.correct and fb.expected == q.variant("mallory").expected
    assert "STUDENT_ID is 'bob', but mallory handed it in" in fb.message
    # bob's own, handed in by bob (typed in another case): right, no note
    fb = answers.grade(q, "q2", repr(bob.expected), path=none, student="BOB ", submitter="bob")
    assert fb.correct and "handed it in" not in fb.message


def test_a_right_answer_for_the_submitters_numbers_prints_nothing(tmp_path, capfd):
    """nbgrader fails a test cell that writes to stderr, otter one that writes to stdout."""
    q, none = number_question(), tmp_path / "none.json"
    mine = q.variant("mallory").expected
    fb = answers.grade(q, "q2", repr(mine), path=none, student="bob", submitter="mallory")
    assert fb.correct and "mallory handed it in" in fb.message
    assert capfd.readouterr() == ("", "")


def test_an_empty_student_id_is_graded_as_the_submitter_and_says_so(tmp_path):
    q, none = number_question(), tmp_path / "none.json"
    fb = answers.grade(q, "q2", "", path=none, student="", submitter="eve")
    assert not fb.correct and fb.problems != ("no_student_id",)
    assert fb.message.startswith("No answer was given.")
    assert "STUDENT_ID was empty in the notebook handed in (got '')" in fb.message
    mine = q.variant("eve").expected
    assert answers.grade(q, "q2", repr(mine), path=none, student="", submitter="eve").correct


def test_without_a_grader_the_typed_id_is_used_and_an_empty_one_refused(tmp_path):
    q, none = number_question(), tmp_path / "none.json"
    alice = q.variant("alice").expected
    assert answers.grade(q, "q2", repr(alice), path=none, student="alice").correct
    assert answers.grade(q, "q2", repr(alice), path=none, student="alice", submitter=None).correct
    fb = answers.grade(q, "q2", repr(alice), path=none, student="")
    assert fb.problems == ("no_student_id",)


def test_grade_asks_the_grader_when_no_submitter_is_passed(tmp_path, monkeypatch):
    q, none = number_question(), tmp_path / "none.json"
    monkeypatch.setenv(identity.ENV_STUDENT, "mallory")
    fb = answers.grade(q, "q2", repr(q.variant("bob").expected), path=none, student="bob")
    assert not fb.correct and "mallory handed it in ($BACKPROP_STUDENT)" in fb.message


def test_a_hostile_typed_id_is_quoted_short(tmp_path):
    q = number_question()
    typed = "eve'); import os  # \u202e" + "z" * 5000
    fb = answers.grade(q, "q2", "1", path=tmp_path / "n.json", student=typed, submitter="eve")
    assert len(fb.message) < 1000 and "…" in fb.message

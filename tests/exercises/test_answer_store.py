"""No answer lost (issue 18, point 1): kernels checking answers for one notebook at once keep
every attempt, in order; a writer killed while saving loses nothing it said was saved; an
answers file written by an earlier version is still graded; a copied folder grades alike."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import time

import backprop_widgets as bw
from backprop_widgets.exercises import answers

SPAWN = multiprocessing.get_context("spawn")  # a fresh interpreter, as a second kernel is
WORKERS, CHECKS = 4, 50


def questions() -> dict:
    net, x, t = bw.presets.mazur()
    return {
        "q1": bw.GradientQuestion(net, "w1", x, t, accept=("number",)),
        "q2": bw.GradientQuestion(net, "w5", x, t, accept=("number",)),
    }


def wrong(worker: int, i: int) -> str:
    return f"{worker + 1}.{i:03d}"  # a different wrong number for every check


def kernel(path: str, worker: int, turns) -> None:
    """One kernel: both exercises' widgets, CHECKS answers checked in them, alternately;
    the last two checks wait for the previous kernel's (so the last one checked is known)."""
    exercises = {
        qid: bw.GradientExercise(q, id=qid, answers=path) for qid, q in questions().items()
    }
    for i in range(CHECKS - 2):
        exercises[("q1", "q2")[i % 2]].check(wrong(worker, i))
    turns[worker].wait(timeout=120)
    for ex in exercises.values():  # the last kernel's last answers are the right ones
        last = worker == WORKERS - 1
        assert (
            ex.check(f"{ex.question.expected:.9g}" if last else wrong(worker, 99)).correct == last
        )
    if worker + 1 < WORKERS:
        turns[worker + 1].set()


def test_four_kernels_checking_at_once_keep_all_200_attempts_and_grade_the_last(tmp_path):
    path = tmp_path / answers.FILENAME
    answers.start(path)  # the assignment's setup cell
    turns = [SPAWN.Event() for _ in range(WORKERS)]
    turns[0].set()
    procs = [SPAWN.Process(target=kernel, args=(str(path), w, turns)) for w in range(WORKERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0] * WORKERS

    loaded = answers.load(path)
    assert loaded.problem == "" and loaded.damaged == 0
    kept = [(qid, a.answer) for qid in ("q1", "q2") for a in loaded.record(qid).attempts]
    assert len(kept) == WORKERS * CHECKS == 200 and len(set(kept)) == 200
    for worker in range(WORKERS):  # each kernel's attempts in the order it checked them
        for qid in ("q1", "q2"):
            attempts = loaded.record(qid).attempts
            mine = [int(a.answer[2:]) for a in attempts if a.answer.startswith(f"{worker + 1}.")]
            assert mine == sorted(mine) and len(mine) == CHECKS // 2 - (worker == WORKERS - 1)
    for qid, q in questions().items():
        assert loaded.record(qid).attempts[-1].correct  # the last one checked, by the last kernel
        fb = answers.grade(q, qid, path=path)
        assert fb.correct, fb.message


def writer(path: str, name: str, count: int, saved) -> None:
    """Appends ``count`` long attempts, counting each only once its save has returned."""
    file = answers.AnswersFile(path)
    for i in range(count):
        attempt = answers.StoredAttempt(f"{name}{i:05d} " + "x" * 9000, False, "number", (), "")
        file.append(name, [attempt], question="dL/dw1")
        saved.value = i + 1


def numbers_of(loaded, name: str) -> list[int]:
    return [int(a.answer[len(name) :].split()[0]) for a in loaded.record(name).attempts]


def test_a_writer_killed_mid_write_loses_nothing_it_reported_saved(tmp_path):
    path = str(tmp_path / answers.FILENAME)
    killed_saved, other_saved = SPAWN.Value("i", 0), SPAWN.Value("i", 0)
    victim = SPAWN.Process(target=writer, args=(path, "killed", 100_000, killed_saved))
    other = SPAWN.Process(target=writer, args=(path, "other", 300, other_saved))
    victim.start()
    other.start()
    deadline = time.monotonic() + 120
    while killed_saved.value < 50 and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(victim.pid, signal.SIGKILL)  # while it writes one attempt after another
    victim.join()
    reported = killed_saved.value
    other.join(timeout=120)  # the lock died with the victim: the other kernel goes on
    assert other.exitcode == 0 and reported >= 50

    loaded = answers.load(path)
    assert loaded.problem == ""
    kept = numbers_of(loaded, "killed")
    assert kept == list(range(len(kept))) and len(kept) >= reported  # in order, none lost
    assert numbers_of(loaded, "other") == list(range(300))
    answers.AnswersFile(path).append("q9", [answers.StoredAttempt("0.5", False, "number", (), "")])
    assert answers.load(path).record("q9").last_answer == "0.5"  # and it takes more


def test_a_line_cut_off_by_a_crash_is_skipped_and_the_next_save_starts_a_new_line(tmp_path):
    path = tmp_path / answers.FILENAME
    file = answers.AnswersFile(path)
    file.append("q1", [answers.StoredAttempt("0.1", False, "number", (), "")])
    with open(path, "a", encoding="utf-8") as f:
        f.write('{"exercise": "q1", "attempt": {"answer": "0.2", "corr')  # power cut here
    loaded = answers.load(path)
    assert loaded.problem == "" and loaded.damaged == 1 and loaded.record("q1").last_answer == "0.1"
    file.append("q1", [answers.StoredAttempt("0.3", False, "number", (), "")])
    again = answers.load(path)
    assert [a.answer for a in again.record("q1").attempts] == ["0.1", "0.3"]


RIGHT = "dh1/dw1 * (do1/dh1 * dL/do1 + do2/dh1 * dL/do2)"
SEED_WRONG = "dh1/dw1 * dw7/dh1 * do2/dw7 * dL/do2 + dh1/dw1 * dw5/dh1 * do1/dw5 * dL/do1"


def version_1_file(path, attempts) -> None:
    """An answers file as version 1 wrote it: one JSON document, indented."""
    fingerprint = answers.fingerprint(chain_question())  # the widget restores only its own
    data = {
        "format": answers.FORMAT,
        "version": 1,
        "exercises": {
            "q1": {
                "question": "dL/dw1",
                "attempts": [
                    {
                        "answer": a,
                        "correct": False,
                        "kind": "chain_rule",
                        "problems": [],
                        "time": "2026-12-02T16:10:47+00:00",
                        "hints_used": 0,
                        "after_solution": False,
                        "fingerprint": fingerprint,
                    }
                    for a in attempts
                ],
                "hints_used": 2,
                "solution_shown": False,
            }
        },
    }
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def chain_question():
    net, x, t = bw.presets.mazur()
    return bw.GradientQuestion(net, "w1", x, t, accept=("chain_rule",))


def test_an_answers_file_of_version_1_is_graded_and_converted_on_the_next_save(tmp_path):
    path = tmp_path / answers.FILENAME
    version_1_file(path, [SEED_WRONG, RIGHT])
    assert answers.grade(chain_question(), "q1", path=path).correct  # read as it is
    assert answers.start(path).record("q1").hints_used == 2
    assert json.loads(path.read_text())["version"] == 1  # reading changes nothing

    answers.AnswersFile(path).append("q2", [answers.StoredAttempt("0.08", False, "number", (), "")])
    loaded = answers.load(path)
    assert [a.answer for a in loaded.record("q1").attempts] == [SEED_WRONG, RIGHT]
    assert loaded.record("q1").hints_used == 2 and loaded.record("q2").last_answer == "0.08"
    assert json.loads(path.read_text().splitlines()[0])["version"] == answers.VERSION
    assert answers.grade(chain_question(), "q1", path=path).correct
    assert [p.name for p in tmp_path.iterdir()] == [answers.FILENAME]


def test_a_version_1_file_restores_into_the_widget_and_keeps_its_attempts(tmp_path):
    path = tmp_path / answers.FILENAME
    version_1_file(path, [SEED_WRONG])
    ex = bw.GradientExercise(chain_question(), id="q1", answers=path)
    assert [a.answer for a in ex.attempts] == [SEED_WRONG]
    ex.check(RIGHT)
    assert [a.answer for a in answers.load(path).record("q1").attempts] == [SEED_WRONG, RIGHT]


def test_a_copied_folder_is_graded_like_the_original(tmp_path):
    """nbgrader and otter copy the notebook's folder: the one file carries every answer."""
    folder = tmp_path / "alice"
    folder.mkdir()
    ex = bw.GradientExercise(chain_question(), id="q1", answers=folder / answers.FILENAME)
    ex.check(SEED_WRONG)
    ex.check(RIGHT)
    assert [p.name for p in folder.iterdir()] == [answers.FILENAME]  # no journal, no lock file
    copy = shutil.copytree(folder, tmp_path / "submitted" / "alice")
    fb = answers.grade(chain_question(), "q1", path=copy / answers.FILENAME)
    assert fb.correct, fb.message
    assert len(answers.load(copy / answers.FILENAME).record("q1").attempts) == 2


def test_a_read_only_answers_file_is_told_and_left_intact(tmp_path, monkeypatch):
    path = tmp_path / answers.FILENAME
    ex = bw.GradientExercise(chain_question(), id="q1", answers=path)
    ex.check(SEED_WRONG)
    before = path.read_bytes()
    real_open = answers.answer_log.os.open

    def read_only(file, flags, *args):  # as on a read-only mount (root ignores chmod)
        if flags & (os.O_WRONLY | os.O_RDWR):
            raise OSError(30, "Read-only file system", str(file))
        return real_open(file, flags, *args)

    monkeypatch.setattr(answers.answer_log.os, "open", read_only)
    assert ex.check(RIGHT).correct
    assert 'data-status="error"' in ex.status
    assert "could not be saved" in ex.status and "Read-only file system" in ex.status
    assert path.read_bytes() == before
    monkeypatch.undo()  # writable again: the next check saves what was kept in the session
    ex.check("0.5")
    assert [a.answer for a in answers.load(path).record("q1").attempts] == [
        SEED_WRONG,
        RIGHT,
        "0.5",
    ]

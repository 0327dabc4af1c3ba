"""Two ways to keep every checked answer when several kernels write at once, measured.

    .venv/bin/python benchmarks/bench_answer_store.py            # ~30 s
    .venv/bin/python benchmarks/bench_answer_store.py --quick    # a smoke run

The candidates (issue 18, point 1), each written here in its simplest correct form:

- ``jsonl``: an append-only JSON-lines log; each attempt is one ``write`` of one line under
  an exclusive ``fcntl.flock``, then ``fsync``.
- ``sqlite``: the standard library's SQLite, WAL mode, ``busy_timeout``, one INSERT per
  attempt in its own transaction (``synchronous=FULL``: durable like the fsync above; and
  ``NORMAL``, WAL's usual setting, which may lose the last commits on power loss), one
  connection per attempt (a widget saves rarely and must not keep the file open); and one
  connection kept open by the kernel, as a long-lived store object would.

Beside them, ``package (jsonl)``: what the package does for one checked answer
(:class:`AnswersFile.append <backprop_widgets.exercises.answers.AnswersFile>`, which also reads
the file back for the widget's message).

Three measurements per candidate:

1. 4 processes x 50 attempts at once (2 questions): time per attempt (median of the
   writers' wall time / 50) and how many of the 200 attempts are kept;
2. a writer SIGKILLed in the middle of many attempts: how many attempts it had reported
   saved, how many the file holds, whether it is readable;
3. after that kill, only the store's own file copied (what ``grader.export(files=[...])``
   or a student's upload does): how many reported attempts the copy holds.

It prints numbers and never fails on time.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import pathlib
import shutil
import signal
import sqlite3
import statistics
import tempfile
import time

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None


# ------------------------------------------------------------------ the two candidates
def jsonl_append(path: str, record: dict) -> None:
    line = (json.dumps(record) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock


def jsonl_read(path: str) -> int:
    kept = 0
    with open(path, "rb") as f:
        for line in f:
            try:
                json.loads(line)
            except ValueError:
                continue
            kept += 1
    return kept


def sqlite_append(path: str, record: dict, synchronous: str) -> None:
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"PRAGMA synchronous={synchronous}")
        db.execute(
            "CREATE TABLE IF NOT EXISTS attempts "
            "(id INTEGER PRIMARY KEY AUTOINCREMENT, exercise TEXT, data TEXT)"
        )
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "INSERT INTO attempts (exercise, data) VALUES (?, ?)",
            (record["exercise"], json.dumps(record)),
        )
        db.execute("COMMIT")
    finally:
        db.close()  # the last connection to close checkpoints and removes the -wal file


_open: dict[str, sqlite3.Connection] = {}


def sqlite_kept_open(path: str, record: dict) -> None:
    """The same INSERT on one connection the kernel keeps (as a long-lived object would)."""
    if path not in _open:
        db = _open[path] = sqlite3.connect(path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute(
            "CREATE TABLE IF NOT EXISTS attempts "
            "(id INTEGER PRIMARY KEY AUTOINCREMENT, exercise TEXT, data TEXT)"
        )
    db = _open[path]
    db.execute("BEGIN IMMEDIATE")
    db.execute(
        "INSERT INTO attempts (exercise, data) VALUES (?, ?)",
        (record["exercise"], json.dumps(record)),
    )
    db.execute("COMMIT")


def package_append(path: str, record: dict) -> None:
    """What the package does for one checked answer (answer_log under AnswersFile)."""
    from backprop_widgets.exercises import answers

    attempt = answers.StoredAttempt(record["answer"], False, "number", (), "")
    answers.AnswersFile(path).append(record["exercise"], [attempt], question="dL/dw1")


def package_read(path: str) -> int:
    from backprop_widgets.exercises import answers

    loaded = answers.load(path)
    if loaded.problem:
        return -1
    return sum(len(r.attempts) for r in loaded.exercises.values())


def sqlite_read(path: str) -> int:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return db.execute("SELECT count(*) FROM attempts").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return -1  # unreadable


CANDIDATES = {
    "jsonl+flock": (jsonl_append, jsonl_read, ".jsonl"),
    "package (jsonl)": (package_append, package_read, ".json"),
    "sqlite WAL FULL": (lambda p, r: sqlite_append(p, r, "FULL"), sqlite_read, ".sqlite"),
    "sqlite WAL NORMAL": (lambda p, r: sqlite_append(p, r, "NORMAL"), sqlite_read, ".sqlite"),
    "sqlite WAL kept open": (sqlite_kept_open, sqlite_read, ".sqlite"),
}


# ------------------------------------------------------------------ the measurements
def _writer(name: str, path: str, writer: int, n: int, out) -> None:
    append = CANDIDATES[name][0]
    if name.startswith("package"):
        import backprop_widgets.exercises.answers  # noqa: F401 - the import is not a save
    started = time.perf_counter()
    for i in range(n):
        append(path, {"exercise": f"q{i % 2 + 1}", "writer": writer, "i": i, "answer": "0.1" * 10})
    out.put(time.perf_counter() - started)


def concurrent(name: str, folder: pathlib.Path, writers: int, n: int) -> tuple[float, int]:
    path = str(folder / f"concurrent{CANDIDATES[name][2]}")
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(name, path, w, n, out)) for w in range(writers)]
    for p in procs:
        p.start()
    seconds = [out.get() for _ in procs]
    for p in procs:
        p.join()
    return statistics.median(seconds) / n, CANDIDATES[name][1](path)


def _reporting_writer(name: str, path: str, reported) -> None:
    append = CANDIDATES[name][0]
    for i in range(1_000_000):
        append(path, {"exercise": "q1", "i": i, "answer": "x" * 200})
        reported.value = i + 1  # only after the append returned: "saved"


def killed(name: str, folder: pathlib.Path, after: float) -> tuple[int, int, int]:
    """(attempts reported saved, attempts in the file, attempts in a copy of the file alone)."""
    suffix = CANDIDATES[name][2]
    path = folder / f"killed{suffix}"
    ctx = multiprocessing.get_context("spawn")
    reported = ctx.Value("q", 0)
    proc = ctx.Process(target=_reporting_writer, args=(name, str(path), reported))
    proc.start()
    while reported.value == 0:
        time.sleep(0.01)
    time.sleep(after)
    os.kill(proc.pid, signal.SIGKILL)
    proc.join()
    said = reported.value
    copy = folder / "copied" / path.name
    copy.parent.mkdir(exist_ok=True)
    shutil.copy(path, copy)  # before any reader opens it: a reader would checkpoint the WAL
    in_copy = CANDIDATES[name][1](str(copy))
    return said, CANDIDATES[name][1](str(path)), in_copy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n, rounds, kills = (10, 1, 1) if args.quick else (50, 3, 5)
    print(f"4 writers x {n} attempts on 2 questions, {rounds} rounds; {kills} SIGKILLs each")
    for name in CANDIDATES:
        if "jsonl" in name and fcntl is None:
            continue
        per, kept = [], []
        for _ in range(rounds):
            with tempfile.TemporaryDirectory() as tmp:
                seconds, count = concurrent(name, pathlib.Path(tmp), 4, n)
                per.append(seconds)
                kept.append(count)
        lost_after_kill, unreadable, copy_lost = 0, 0, []
        for k in range(kills):
            with tempfile.TemporaryDirectory() as tmp:
                said, in_file, in_copy = killed(name, pathlib.Path(tmp), 0.2 + 0.13 * k)
                lost_after_kill += max(0, said - in_file)
                unreadable += in_file < 0
                copy_lost.append(max(0, said - in_copy) if in_copy >= 0 else said)
        print(
            f"{name:20s} {statistics.median(per) * 1000:6.2f} ms/attempt (median of {rounds}), "
            f"kept {min(kept)}-{max(kept)} of {4 * n}; after SIGKILL: {lost_after_kill} reported "
            f"attempts lost, {unreadable} unreadable files; the file alone copied lacks "
            f"{min(copy_lost)}-{max(copy_lost)} reported attempts"
        )


if __name__ == "__main__":
    main()

"""Grade every submission of an assignment on one machine, several at a time, with the graders'
own commands.

    python assignments/grade_all.py nbgrader COURSE_DIR ASSIGNMENT [--jobs N]
    python assignments/grade_all.py otter AUTOGRADER_ZIP SUBMISSIONS_DIR RESULTS_DIR [--jobs N]

- **nbgrader**: nbgrader's autograde (its ``NbGraderAPI.autograde``, what ``nbgrader
  autograde ASSIGNMENT --student S --force`` runs) for each student found in
  ``COURSE_DIR/submitted/*/ASSIGNMENT/``, in N worker processes that each start nbgrader
  once and load ``COURSE_DIR/nbgrader_config.py``. The students are added to the gradebook
  first, in this process, so the workers only write their own grades; a run that meets
  SQLite's ``database is locked`` is run again (up to 3 times). Each run's warnings are
  printed (ipykernel's line on every kernel start left out).
- **otter**: what ``otter run -a AUTOGRADER_ZIP -o RESULTS_DIR/S SUBMISSION`` runs
  (``otter.run.main``) for each student, in N worker processes that import otter once
  (its log: ``RESULTS_DIR/S/log.txt``). ``otter run`` writes ``results.json`` into its ``-o`` folder (the working
  directory without it): a folder per student, or every run overwrites the last one's. A
  student ``S`` is a zip's folder under SUBMISSIONS_DIR (``SUBMISSIONS_DIR/S/*.zip``, as a
  course collects them) or, for a zip lying in SUBMISSIONS_DIR itself, its name (``S.zip``);
  ``$BACKPROP_STUDENT`` is set to ``S`` for the run, so the hidden tests grade S's own
  numbers (``otter run`` gives the notebook no submission metadata; Gradescope does).
  Results: ``RESULTS_DIR/S/results.json``, and ``RESULTS_DIR/scores.csv``.

N defaults to the number of cores. Prints one line per student and the time taken; exits 1
if any run failed (its output is in ``RESULTS_DIR/S/log.txt``, or printed for nbgrader).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import csv
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

RETRIES = 3
LOCKED = "database is locked"
# ipykernel's line on every kernel start (twice a student): nothing a grader can act on
# and nbgrader's on re-grading with --force: nothing a grader can act on
NOISE = ("Kernel is running over TCP without encryption", "Removing existing assignment")


def warnings_in(log: str) -> list[str]:
    """The log's warning and error lines, less ipykernel's on every kernel start."""
    return [
        line
        for line in log.splitlines()
        if ("WARNING" in line or "ERROR" in line) and not any(n in line for n in NOISE)
    ]


# ----------------------------------------------------------------------------- nbgrader
def nbgrader_students(course: Path, assignment: str) -> list[str]:
    return sorted(p.parent.name for p in (course / "submitted").glob(f"*/{assignment}"))


_api = None  # each worker process's NbGraderAPI
_stderr = None  # where its kernels' stderr goes, read back after each student


def _start_worker(course: str) -> None:
    """One nbgrader per worker process, for all its students (an `nbgrader autograde`
    process per student spends as long starting as grading)."""
    global _api, _stderr
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    os.chdir(course)
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]
    config = PyFileConfigLoader("nbgrader_config.py", path=course).load_config()
    config.CourseDirectory.root = course
    _api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    _stderr = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")  # noqa: SIM115
    os.dup2(_stderr.fileno(), 2)  # the kernels inherit it


def _autograde(assignment: str, student: str) -> tuple[bool, str]:
    for _ in range(RETRIES):
        result = _api.autograde(assignment, student, force=True, create=False)
        log = (result.get("log") or "") + (result.get("error") or "")
        if result["success"] or LOCKED not in log:
            break
    sys.stderr.flush()
    _stderr.seek(0)
    log += _stderr.read()
    _stderr.seek(0)
    _stderr.truncate()
    return bool(result["success"]), log


def grade_nbgrader(course: Path, assignment: str, jobs: int) -> dict[str, bool]:
    from nbgrader.api import Gradebook

    course = course.resolve()
    students = nbgrader_students(course, assignment)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in students:
            gb.update_or_create_student(student)
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_start_worker, initargs=(str(course),)
    ) as pool:
        futures = {s: pool.submit(_autograde, assignment, s) for s in students}
        done = {}
        for student, future in futures.items():
            ok, log = future.result()
            if not ok:
                print(f"{student}: nbgrader autograde failed\n{log[-3000:]}")
            for line in warnings_in(log):
                print(line)
            done[student] = ok
    return done


# ----------------------------------------------------------------------------- otter
def otter_submissions(folder: Path) -> dict[str, Path]:
    """student -> zip: SUBMISSIONS_DIR/S/*.zip (one a folder) or SUBMISSIONS_DIR/S.zip."""
    found: dict[str, Path] = {}
    for path in sorted(folder.glob("*.zip")):
        found[path.stem] = path
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        zips = sorted(sub.glob("*.zip"))
        if len(zips) > 1:
            raise SystemExit(f"{sub} holds {len(zips)} zips: keep the one to grade")
        if zips:
            found[sub.name] = zips[0]
    return found


def _otter_run(autograder: str, submission: str, student: str, out: str) -> bool:
    """What `otter run -a AUTOGRADER -o OUT SUBMISSION` runs, in this worker process."""
    from otter.run import main as otter_run

    out_dir = Path(out)
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    os.environ["BACKPROP_STUDENT"] = student  # the kernel started for this run inherits it
    with open(out_dir / "log.txt", "w", encoding="utf-8") as log:
        saved = os.dup(2)
        os.dup2(log.fileno(), 2)
        try:
            with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
                otter_run(submission, autograder=autograder, output_dir=out, no_logo=True)
        except Exception as err:  # one failed run must not stop the course
            print(f"otter run failed: {type(err).__name__}: {err}", file=log)
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
    return (out_dir / "results.json").is_file()


def grade_otter(autograder: Path, folder: Path, results: Path, jobs: int) -> dict[str, bool]:
    submissions = otter_submissions(folder)
    context = multiprocessing.get_context("spawn")
    autograder, results = autograder.resolve(), results.resolve()
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as pool:
        futures = {
            s: pool.submit(_otter_run, str(autograder), str(z.resolve()), s, str(results / s))
            for s, z in submissions.items()
        }
        done = {s: f.result() for s, f in futures.items()}
    with open(results / "scores.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "score", "possible"])
        for student, ok in done.items():
            score = possible = ""
            if ok:
                tests = json.loads((results / student / "results.json").read_text())["tests"]
                score = sum(t.get("score") or 0 for t in tests if "max_score" in t)
                possible = sum(t["max_score"] for t in tests if "max_score" in t)
            writer.writerow([student, _number(score), _number(possible)])
    return done


def _number(value):
    return int(value) if isinstance(value, float) and value.is_integer() else value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("grader", choices=("nbgrader", "otter"))
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    started = time.monotonic()
    if args.grader == "nbgrader":
        if len(args.paths) != 2:
            parser.error("nbgrader: COURSE_DIR ASSIGNMENT")
        done = grade_nbgrader(args.paths[0], str(args.paths[1]), args.jobs)
    else:
        if len(args.paths) != 3:
            parser.error("otter: AUTOGRADER_ZIP SUBMISSIONS_DIR RESULTS_DIR")
        done = grade_otter(*args.paths, jobs=args.jobs)
    seconds = time.monotonic() - started
    failed = sorted(s for s, ok in done.items() if not ok)
    print(
        f"graded {len(done)} submissions with {args.grader} in {seconds:.1f} s "
        f"({args.jobs} at a time); {len(failed)} failed{': ' if failed else ''}{', '.join(failed)}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

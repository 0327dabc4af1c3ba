"""An append-only JSON-lines file that any number of processes write at once, losing nothing.

The answers file is one of these (see :mod:`.answers`): a header line, then one JSON object
a line, each appended under an exclusive lock (``fcntl.flock``; ``msvcrt.locking`` on
Windows) in one ``write``, then ``fsync``-ed. So two kernels checking answers for one
notebook at once keep every line, in the order the lock was taken; a process killed while
writing leaves every line it reported saved, and at worst an unfinished last line, which a
reader skips and the next writer ends before adding its own. The file is the whole store:
no journal or lock file beside it, so copying the notebook's folder (nbgrader, otter's
export, a zip) copies every answer. Chosen over SQLite by measurement: see
``benchmarks/bench_answer_store.py``.

A file that is not such a log is handed to ``upgrade`` (an older format to convert) or, when
that gives None, renamed aside (nothing is deleted) and a new log started; both only when
writing, never when reading, so a grader always sees what was handed in.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import pathlib
from collections.abc import Callable, Iterator

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None
    import msvcrt

MAX_RETRIES = 50  # a file renamed or replaced between open and lock is opened again
HEAD_BYTES = 4096  # far more than a header line


class NotALog(ValueError):
    """The file's first line is not this log's header."""


def parse(text: str, header: dict) -> tuple[list[dict], int]:
    """The entries of a log's text, and how many lines were too damaged to read (skipped).

    Raises NotALog when the first line is not ``header`` (for ``upgrade`` or a message).
    An empty text is an empty log (a file created, its first write cut off).
    """
    lines = text.split("\n")
    if not text.strip():
        return [], 0
    try:
        first = json.loads(lines[0])
    except (ValueError, RecursionError):
        first = None
    if not (isinstance(first, dict) and all(first.get(k) == v for k, v in header.items())):
        raise NotALog("it is not a log of this kind")
    entries, damaged = [], 0
    for line in lines[1:]:
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except (ValueError, RecursionError):
            entry = None
        if isinstance(entry, dict):
            entries.append(entry)
        else:
            damaged += 1  # an unfinished last line (a crash), or a hand edit
    return entries, damaged


def _line(entry: dict) -> bytes:
    return (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")


@contextlib.contextmanager
def _locked(path: pathlib.Path) -> Iterator[int]:
    """An fd of the file now at ``path`` (created if missing), under an exclusive lock."""
    for _ in range(MAX_RETRIES):
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)
        try:
            _lock(fd)
            try:
                now = os.stat(path)
            except FileNotFoundError:
                continue  # renamed aside while we waited: open the new one
            mine = os.fstat(fd)
            if (now.st_ino, now.st_dev) != (mine.st_ino, mine.st_dev):
                continue  # replaced (upgraded) while we waited
            yield fd
            return
        finally:
            os.close(fd)  # closing releases the lock
    raise OSError(f"{path} kept changing while waiting for it")


def _lock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)  # waits as long as another writer holds it
    else:  # pragma: no cover - Windows: byte 0 stands for the file; retries for ~10 s
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)


def _read(fd: int, start: int, size: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, size, start)
    os.lseek(fd, start, os.SEEK_SET)  # pragma: no cover - Windows
    chunks, left = [], size  # pragma: no cover
    while left > 0:  # pragma: no cover
        chunk = os.read(fd, left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)  # pragma: no cover


def _write_all(fd: int, data: bytes) -> None:
    """Append ``data``; on any failure (a full disk) cut the file back to where it was."""
    start = os.fstat(fd).st_size
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, start)
        raise


def append(
    path,
    entries: list[dict] | Callable[[list[dict]], list[dict]],
    header: dict,
    upgrade: Callable[[str], list[dict] | None] = lambda text: None,
    max_upgrade: int = 20_000_000,
) -> pathlib.Path | None:
    """Append ``entries`` to the log at ``path`` (created with ``header`` if need be).

    ``entries`` may be a function of the entries already in the file (read under the lock,
    so nothing written by another process in between is missed). A file in another format
    is converted with ``upgrade`` (its entries, then these, written to a new file that
    replaces it atomically); one that ``upgrade`` cannot read is renamed aside. Returns the
    path it was kept under, or None. Raises OSError when the file cannot be written; the
    file is then as it was.
    """
    path = pathlib.Path(path)
    kept = None
    while True:
        with _locked(path) as fd:
            size = os.fstat(fd).st_size
            # An append needs only the header and the last byte, however long the file.
            head = _read(fd, 0, min(size, HEAD_BYTES)).decode("utf-8", errors="replace")
            whole = callable(entries) or not _is_log(head, header)
            text = _read(fd, 0, size).decode("utf-8", errors="replace") if whole else head
            try:
                existing = parse(text, header)[0] if callable(entries) else _check(text, header)
            except NotALog:
                converted = upgrade(text) if size <= max_upgrade else None
                if converted is None:
                    kept = _keep_aside(path)
                    continue  # the next turn opens (and creates) a fresh file at path
                new = entries(converted) if callable(entries) else entries
                _replace(path, [header, *converted, *new])
                return kept
            new = entries(existing) if callable(entries) else entries
            out = b"".join(_line(e) for e in new)
            if not size:
                out = _line(header) + out
            elif _read(fd, size - 1, 1) != b"\n":
                out = b"\n" + out  # end a line cut off by a crash; the reader skips it
            if out:
                _write_all(fd, out)
            return kept


def _is_log(head: str, header: dict) -> bool:
    try:
        _check(head, header)
    except NotALog:
        return False
    return True


def _check(text: str, header: dict) -> list:
    """Only the header, for an append that needs no entries (the first line is enough)."""
    if text.strip():
        parse(text.split("\n", 1)[0], header)
    return []


def _replace(path: pathlib.Path, entries: list[dict]) -> None:
    """Write a whole new log beside ``path`` and move it over ``path`` in one step."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            _write_all(fd, b"".join(_line(e) for e in entries))
        finally:
            os.close(fd)
        os.replace(tmp, path)  # a reader sees the old file or the new one, never half
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _keep_aside(path: pathlib.Path) -> pathlib.Path:
    """Rename an unreadable file to ``<stem>.corrupt-<time><suffix>``; nothing is deleted."""
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.stem}.corrupt-{stamp}{path.suffix}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.stem}.corrupt-{stamp}-{n}{path.suffix}")
    os.replace(path, target)
    return target

"""Helpers that drive a real Jupyter server and Chromium for the end-to-end tests.

Everything here is plain functions so the widget tests can reuse them; the pytest wiring
(session servers, the browser, the per-test page) lives in ``conftest.py``.

Why the details matter (measured on the CI machines, see /work/shared/e2e-notes.md):

* The server gets its own config/data/runtime/IPython dirs so a developer's ``~/.jupyter``
  cannot change what the tests see, and its own ``python3`` kernelspec pointing at
  ``sys.executable`` so the kernel imports the package from *this* venv.
* It serves *copies* of notebooks from a temporary root, because it autosaves what it opens.
* It runs in its own process group, so stopping it also stops the kernels it started,
  without ever looking processes up by name.
* "Kernel idle" does not mean "run finished": ``run_all_and_wait`` waits for a sentinel
  printed by the last cell and fails fast on the first error output.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal
from urllib.parse import quote

import nbformat
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts" / "e2e"

CHROMIUM_MISSING = (
    "Chromium is needed for the e2e tests and is not on PATH. Install it with: "
    "apt-get update && apt-get install -y chromium   (never `playwright install`)"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# Notebook 7.6.5 raises this on every page load; it is harmless (see e2e-notes.md).
KNOWN_NOTEBOOK7_PAGE_ERROR = "reading 'schema'"

ServerKind = Literal["lab", "notebook"]

_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# --------------------------------------------------------------------------------------------
# Server
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class JupyterServer:
    """A running Jupyter server started by :func:`start_server`.

    ``root`` is the directory it serves: put notebooks there (``write_notebook``,
    ``copy_notebook``) and open them by their path relative to it.
    """

    kind: ServerKind
    url: str
    token: str = dataclasses.field(repr=False)
    root: Path
    log_path: Path = dataclasses.field(repr=False)
    process: subprocess.Popen = dataclasses.field(repr=False)
    startup_seconds: float = 0.0  # spawn to first 200 from /api/status

    def api(self, method: str, path: str, timeout: float = 10.0) -> object:
        """Call the REST API (``path`` like ``/api/sessions``) and return the decoded JSON."""
        request = urllib.request.Request(
            f"{self.url}{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, lines: int = 40) -> str:
        """Last lines of the server's log, for failure messages."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def free_port() -> int:
    """A port that was free a moment ago on 127.0.0.1 (the server uses --port-retries=0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_kernelspec(data_dir: Path) -> Path:
    """Write a ``python3`` kernelspec running ``sys.executable`` into ``data_dir/kernels``.

    The user data dir comes first on Jupyter's kernel search path, so this spec wins over any
    system-wide ``python3`` and the kernel is guaranteed to be this venv's interpreter.
    """
    spec_dir = data_dir / "kernels" / "python3"
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "metadata": {"debugger": False},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    return spec_dir


def write_quiet_settings(settings_dir: Path) -> None:
    """Turn off the "Jupyter news?" / update toast, which can cover the elements tests click."""
    target = settings_dir / "@jupyterlab" / "apputils-extension"
    target.mkdir(parents=True, exist_ok=True)
    settings = {"fetchNews": "false", "checkForUpdates": False}
    (target / "notification.jupyterlab-settings").write_text(json.dumps(settings))


def isolated_env(base: Path) -> dict[str, str]:
    """Environment for the server: every Jupyter/IPython dir under ``base``, nothing inherited.

    ``JUPYTER_PATH`` and ``JUPYTER_PREFER_ENV_PATH`` are dropped because they would put other
    directories (and other kernelspecs) ahead of ours.
    """
    dropped = ("JUPYTER_PATH", "JUPYTER_PREFER_ENV_PATH")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    for var, sub in [
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("IPYTHONDIR", "ipython"),
    ]:
        path = base / sub
        path.mkdir(parents=True, exist_ok=True)
        env[var] = str(path)
    env["JUPYTER_PLATFORM_DIRS"] = "1"  # silence jupyter_core's deprecation notice in the log
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # silence debugpy's frozen-modules warning
    return env


def server_command(kind: ServerKind, port: int, token: str, root: Path, app_dir: Path) -> list[str]:
    """Command line for JupyterLab 4 (``kind="lab"``) or Notebook 7 (``kind="notebook"``)."""
    module, app = ("jupyterlab", "LabApp") if kind == "lab" else ("notebook", "JupyterNotebookApp")
    cmd = [
        sys.executable,
        "-m",
        module,
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.terminals_enabled=False",
        f"--{app}.user_settings_dir={app_dir / 'settings'}",
        f"--{app}.workspaces_dir={app_dir / 'workspaces'}",
        f"--{app}.expose_app_in_browser=True",  # gives tests window.jupyterapp
    ]
    if kind == "lab":
        cmd += [
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",  # no PyPI queries from the browser
        ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd


def start_server(kind: ServerKind, base: Path, timeout: float = 60.0) -> JupyterServer:
    """Start a server with everything under ``base`` and wait until ``/api/status`` answers.

    Stop it with :func:`stop_server`. ``base/root`` is the directory it serves.
    """
    root = base / "root"
    app_dir = base / "app"
    root.mkdir(parents=True, exist_ok=True)
    env = isolated_env(base / "home")
    write_kernelspec(Path(env["JUPYTER_DATA_DIR"]))
    write_quiet_settings(app_dir / "settings")

    port, token = free_port(), secrets.token_hex(24)
    started = time.monotonic()
    log_path = base / f"{kind}-server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            server_command(kind, port, token, root, app_dir),
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: stop_server kills it and its kernels
        )
    url = f"http://127.0.0.1:{port}"
    server = JupyterServer(kind, url, token, root, log_path, process, startup_seconds=0.0)
    try:
        wait_for_status(server, timeout)
    except BaseException:
        stop_server(server)
        raise
    return dataclasses.replace(server, startup_seconds=time.monotonic() - started)


def wait_for_status(server: JupyterServer, timeout: float) -> None:
    """Poll ``/api/status`` until it answers 200; fail with the log if the server dies or hangs.

    Polling is the only readiness signal the server offers (it prints its URL before the
    handlers are ready on slow machines).
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.kind} server exited with code {server.process.returncode}:\n"
                f"{server.log_tail()}"
            )
        try:
            server.api("GET", "/api/status", timeout=2.0)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise TimeoutError(f"{server.kind} server not ready after {timeout} s:\n{server.log_tail()}")


def stop_server(server: JupyterServer, timeout: float = 10.0) -> None:
    """Stop the server's own process group (server and kernels): SIGTERM, then SIGKILL."""
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout)
    # Kernels are in the same group and may outlive the server by a moment.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.process.pid, signal.SIGKILL)


def delete_all_sessions(server: JupyterServer) -> None:
    """Shut down every kernel session, so the next test's notebook gets a fresh kernel.

    Reopening a notebook path otherwise reuses its running kernel and its state.
    """
    for session in server.api("GET", "/api/sessions"):
        server.api("DELETE", f"/api/sessions/{session['id']}", timeout=30.0)


# --------------------------------------------------------------------------------------------
# Notebooks on disk
# --------------------------------------------------------------------------------------------


def write_notebook(root: Path, name: str, cells: Sequence[str]) -> str:
    """Write a notebook made of code cells into ``root`` and return its path relative to it.

    The Python 3 kernelspec is set in the metadata so the frontends start the kernel without
    asking. ``name`` may contain subdirectories; ``.ipynb`` is added when missing.
    """
    relpath = name if name.endswith(".ipynb") else f"{name}.ipynb"
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source) for source in cells],
        metadata={
            "kernelspec": {
                "name": "python3",
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
            },
            "language_info": {"name": "python"},
        },
    )
    nbformat.validate(notebook)
    target = root / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    return relpath


def copy_notebook(source: Path, root: Path, relpath: str | None = None) -> str:
    """Copy an existing notebook (e.g. from ``notebooks/``) into ``root``; return its relpath.

    Always serve copies: the server autosaves the notebooks it opens.
    """
    relpath = relpath or source.name
    target = root / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return relpath


# --------------------------------------------------------------------------------------------
# Browser
# --------------------------------------------------------------------------------------------


def chromium_path() -> str:
    """Path of Debian's Chromium; raises with the install command when it is missing."""
    path = shutil.which("chromium")
    if path is None:
        raise FileNotFoundError(CHROMIUM_MISSING)
    return path


def launch_chromium(playwright):
    """Launch Debian's Chromium headless with the flags that work on these machines."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


def unexpected_page_errors(errors: Iterable[object], ignore: Iterable[str] = ()) -> list[str]:
    """Page errors as strings, minus those containing any of the ``ignore`` substrings."""
    ignore = tuple(ignore)
    return [str(e) for e in errors if not any(part in str(e) for part in ignore)]


# --------------------------------------------------------------------------------------------
# Driving a notebook in the page
# --------------------------------------------------------------------------------------------

# The current notebook widget, its kernel, and whether that kernel is ready. Works in
# JupyterLab 4 and Notebook 7 (both expose window.jupyterapp with expose_app_in_browser).
_KERNEL_READY_JS = """
(relpath) => {
  const app = window.jupyterapp;
  const widget = app && app.shell.currentWidget;
  if (!widget || !widget.sessionContext || !widget.context) return false;
  if (widget.context.path !== relpath) return false;
  const session = widget.sessionContext.session;
  const kernel = session && session.kernel;
  return !!kernel && kernel.status === 'idle' && kernel.connectionStatus === 'connected';
}
"""


def _wait_for_app_and_kernel(page, relpath: str, timeout: float) -> None:
    """Wait until the app has restored its layout and ``relpath``'s kernel is idle+connected."""
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=timeout)
    # `restored` is a promise; mirror it into a flag so the wait stays bounded by `timeout`.
    page.evaluate("() => { jupyterapp.restored.then(() => { window.__bpwRestored = true; }); }")
    page.wait_for_function("() => window.__bpwRestored === true", timeout=timeout)
    page.wait_for_function(_KERNEL_READY_JS, arg=relpath, timeout=timeout)


def open_notebook(page, server: JupyterServer, relpath: str, timeout: float = 60_000) -> None:
    """Open ``relpath`` in JupyterLab with a reset workspace; return once its kernel is ready.

    ``?reset`` discards any layout saved by an earlier test. ``timeout`` is in milliseconds.
    """
    url = f"{server.url}/lab/tree/{quote(relpath)}?reset&token={server.token}"
    page.goto(url)
    _wait_for_app_and_kernel(page, relpath, timeout)


def open_notebook7(page, server: JupyterServer, relpath: str, timeout: float = 60_000) -> None:
    """Open ``relpath`` in Jupyter Notebook 7; return once its kernel is ready."""
    page.goto(f"{server.url}/notebooks/{quote(relpath)}?token={server.token}")
    _wait_for_app_and_kernel(page, relpath, timeout)


# Scans the notebook *model* (not the DOM, which Lab virtualises for long notebooks) for the
# first error output or the sentinel. Returns false (keep waiting) or a result object.
_RUN_STATE_JS = """
(sentinel) => {
  const widget = window.jupyterapp.shell.currentWidget;
  const kernel = widget.sessionContext.session && widget.sessionContext.session.kernel;
  if (!kernel || kernel.status === 'dead') {
    return {error: 'kernel died (status: ' + (kernel && kernel.status) + ')'};
  }
  const cells = widget.content.model.cells;
  let found = false;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code') continue;
    for (let j = 0; j < cell.outputs.length; j++) {
      const out = cell.outputs.get(j).toJSON();
      if (out.output_type === 'error') {
        const traceback = out.traceback.join('\\n');
        return {error: 'cell ' + i + ': ' + out.ename + ': ' + out.evalue + '\\n' + traceback};
      }
      let text = out.text || (out.data && out.data['text/plain']) || '';
      if (Array.isArray(text)) text = text.join('');
      if (text.includes(sentinel)) found = true;
    }
  }
  return found ? {done: true} : false;
}
"""

_OUTPUT_SUMMARY_JS = """
() => {
  const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
  const lines = [];
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code') continue;
    const outs = [];
    for (let j = 0; j < cell.outputs.length; j++) {
      outs.push(JSON.stringify(cell.outputs.get(j).toJSON()).slice(0, 300));
    }
    const shown = outs.join(' | ') || '(no output)';
    lines.push('cell ' + i + ' [' + cell.executionCount + ']: ' + shown);
  }
  return lines.join('\\n');
}
"""


def run_all_and_wait(page, sentinel_text: str, timeout: float = 120_000) -> None:
    """Clear outputs, run every cell, and wait for ``sentinel_text`` in some cell's output.

    Print the sentinel from the last cell: it is the only reliable "the run ended" marker.
    Raises ``AssertionError`` with the traceback as soon as any cell shows an error output
    (or the kernel dies), and with a summary of all outputs on timeout. ``timeout`` in ms.
    """
    page.evaluate(
        """async () => {
          const commands = window.jupyterapp.commands;
          await commands.execute('notebook:clear-all-cell-outputs');
          // Not awaited: it resolves only when the run ends; we watch the outputs instead.
          commands.execute('notebook:run-all-cells');
        }"""
    )
    try:
        handle = page.wait_for_function(_RUN_STATE_JS, arg=sentinel_text, timeout=timeout)
    except PlaywrightTimeoutError as exc:  # add what the cells did show
        summary = page.evaluate(_OUTPUT_SUMMARY_JS)
        raise AssertionError(
            f"sentinel {sentinel_text!r} not printed within {timeout} ms. Outputs:\n{summary}"
        ) from exc
    state = handle.json_value()
    if "error" in state:
        raise AssertionError(f"notebook run failed: {strip_ansi(state['error'])}")


_KERNEL_EXEC_JS = """
async ({code, timeout}) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const future = kernel.requestExecute({code, silent: false, store_history: false});
  let stdout = '', stderr = '', error = null;
  future.onIOPub = (msg) => {
    const type = msg.header.msg_type;
    if (type === 'stream') {
      if (msg.content.name === 'stdout') stdout += msg.content.text;
      else stderr += msg.content.text;
    } else if (type === 'error') {
      const c = msg.content;
      error = c.ename + ': ' + c.evalue + '\\n' + c.traceback.join('\\n');
    }
  };
  let timer;
  const expired = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeout);
  });
  const reply = await Promise.race([future.done, expired]);
  clearTimeout(timer);
  if (reply === 'timeout') return {stdout, stderr, error: 'no reply within ' + timeout + ' ms'};
  if (!error && reply.content.status !== 'ok') error = 'execute status: ' + reply.content.status;
  return {stdout, stderr, error};
}
"""


class KernelExecError(AssertionError):
    """Code sent with :func:`kernel_exec` raised in the kernel (message has the traceback)."""


def kernel_exec(page, code: str, timeout: float = 30_000) -> str:
    """Run ``code`` in the current notebook's kernel, without adding cells; return its stdout.

    Raises :class:`KernelExecError` with the traceback if the code raises. Note that widget
    updates from the browser may still be queued behind this request (ipywidgets throttles
    them): to read a value the browser just changed, use :func:`wait_for_kernel_output`.
    """
    result = page.evaluate(_KERNEL_EXEC_JS, {"code": code, "timeout": timeout})
    if result["error"]:
        raise KernelExecError(
            f"kernel_exec failed:\n{strip_ansi(result['error'])}\nstderr:\n{result['stderr']}"
        )
    return result["stdout"]


def wait_for_kernel_output(page, code: str, expected: str, timeout: float = 30_000) -> str:
    """Re-run ``code`` with :func:`kernel_exec` until its stripped stdout equals ``expected``.

    For state the browser changes asynchronously (a click's widget update reaches the kernel
    some milliseconds later; seconds on a busy machine). ``timeout`` is in ms, like the other
    helpers: generous, since it only ends a wait for something that never comes. Returns the output.
    """
    deadline = time.monotonic() + timeout / 1000
    while True:
        output = kernel_exec(page, code).strip()
        if output == expected:
            return output
        if time.monotonic() > deadline:
            raise AssertionError(
                f"kernel output of {code!r} is {output!r}, expected {expected!r} after {timeout} ms"
            )
        time.sleep(0.05)  # between polls only; each poll is itself a kernel round trip


def strip_ansi(text: str) -> str:
    """Remove the terminal colour codes IPython puts in tracebacks."""
    return _ANSI_ESCAPE.sub("", text)


# A point on a parameter's drawn line where that line is the topmost element (edges cross,
# and an almost horizontal line has a zero-height box that Playwright calls invisible).
_EDGE_POINT_JS = """
([root, param]) => {
  const line = document.querySelector(`${root} g.bpw-edge[data-param="${param}"] line.bpw-hit`);
  if (!line) return null;
  const m = line.ownerSVGElement.getScreenCTM();
  const at = (t) => {
    const x = +line.getAttribute('x1') + t * (line.getAttribute('x2') - line.getAttribute('x1'));
    const y = +line.getAttribute('y1') + t * (line.getAttribute('y2') - line.getAttribute('y1'));
    return {x: m.a * x + m.c * y + m.e, y: m.b * x + m.d * y + m.f};
  };
  for (const t of [0.3, 0.5, 0.4, 0.6, 0.2, 0.7, 0.8, 0.9]) {
    const q = at(t);
    const hit = document.elementFromPoint(q.x, q.y);
    const g = hit && hit.closest('g.bpw-edge');
    if (g && g.dataset.param === param) return q;
  }
  return null;
}
"""


def edge_point(page, param: str, root: str = "") -> dict | None:
    """Screen coordinates of an uncovered point on ``param``'s line inside ``root``, or None."""
    page.locator(f"{root} .bpw-diagram svg".strip()).first.scroll_into_view_if_needed()
    return page.evaluate(_EDGE_POINT_JS, [root, param])


def click_edge(page, param: str, root: str = "") -> None:
    """A real mouse click on the drawn line of ``param``, as a student would click it."""
    point = edge_point(page, param, root)
    assert point is not None, f"no uncovered point of {param}'s line is on screen"
    page.mouse.click(point["x"], point["y"])


def sidebar(page, open_: bool) -> None:
    """Open JupyterLab's file browser (as a new user has it) or close the left area."""
    page.evaluate(
        "(open) => open ? jupyterapp.shell.activateById('filebrowser')"
        " : jupyterapp.shell.collapseLeft()",
        open_,
    )
    page.wait_for_function("(open) => jupyterapp.shell.leftCollapsed === !open", arg=open_)
    page.wait_for_timeout(400)  # the notebook re-flows to its new width

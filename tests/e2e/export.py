"""Helpers for the "wherever it is opened" tests: an offline HTML export, a loopback file
server, Voilà, and a Playwright guard that lets no request leave 127.0.0.1.

Why an exported page can work offline (checked against nbconvert 7.17 and html-manager 1.0.15):

* nbconvert's lab template loads require.js (``HTMLExporter.require_js_url``), the widget
  manager (``HTMLExporter.widget_renderer_url``, else ``jupyter_widgets_base_url`` + the
  html-manager path) and MathJax 2 (``HTMLExporter.mathjax_url``) from CDNs by default. All three
  take any URL: here, paths relative to the page, into the npm packages of ``package.json``.
* The widget manager's loader (``libembed-amd.js``) first asks require.js for a widget's
  front-end module by name and only then falls back to a CDN. require.js resolves the name
  ``anywidget`` to ``anywidget.js`` beside the page: the AMD build that the anywidget wheel
  ships for the classic notebook (``anywidget/nbextension/index.js``). The widgets' own ES
  modules travel inside the saved widget state (the ``_esm`` trait), so nothing else is fetched.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import anywidget

from tests.e2e.jupyter import REPO_ROOT, free_port, stop_server

NODE_MODULES = REPO_ROOT / "node_modules"

# Relative to the exported page, so the folder can be served from anywhere (or copied).
OFFLINE_URLS = {
    "require_js_url": "node_modules/requirejs/require.js",
    "widget_renderer_url": "node_modules/@jupyter-widgets/html-manager/dist/embed-amd.js",
    "mathjax_url": "node_modules/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
}

NPM_MISSING = (
    "the exported page's JavaScript comes from npm packages that are not installed: "
    "run `npm install` in the repository root (`make test` does it)"
)


def anywidget_amd_module() -> Path:
    """anywidget's front end as an AMD module (``define(["@jupyter-widgets/base"], ...)``)."""
    return Path(anywidget.__file__).parent / "nbextension" / "index.js"


def export_offline_html(
    notebook: Path, site: Path, env: dict[str, str], theme: str = "light"
) -> Path:
    """Execute ``notebook`` and export it into ``site`` as a page that needs no network.

    Runs ``jupyter nbconvert --to html --execute`` with the widget state stored in the
    notebook's metadata (as JupyterLab does on save), and lays out beside the page what its
    relative URLs name: ``node_modules/`` and ``anywidget.js``. ``env`` must give a ``python3``
    kernel that imports this package; ``theme`` is JupyterLab's ("light" or "dark").
    Returns the page's path.
    """
    missing = [url for url in OFFLINE_URLS.values() if not (REPO_ROOT / url.split("?")[0]).exists()]
    if missing:
        raise FileNotFoundError(f"{NPM_MISSING}; missing: {missing}")
    site.mkdir(parents=True, exist_ok=True)
    source = site / notebook.name
    source.write_bytes(notebook.read_bytes())
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "nbconvert",
        "--to",
        "html",
        "--execute",
        "--ExecutePreprocessor.store_widget_state=True",
        "--ExecutePreprocessor.kernel_name=python3",
        "--ExecutePreprocessor.timeout=300",
        f"--HTMLExporter.theme={theme}",
        *(f"--HTMLExporter.{name}={url}" for name, url in OFFLINE_URLS.items()),
        str(source),
    ]
    done = subprocess.run(command, cwd=site, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"nbconvert failed ({done.returncode}):\n{done.stderr[-4000:]}")
    (site / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    (site / "anywidget.js").symlink_to(anywidget_amd_module())
    return source.with_suffix(".html")


@dataclasses.dataclass(frozen=True)
class LoopbackServer:
    """A server process of ours on 127.0.0.1 (own process group: stop it with ``stop``)."""

    url: str
    process: subprocess.Popen = dataclasses.field(repr=False)
    log_path: Path = dataclasses.field(repr=False)
    startup_seconds: float = 0.0

    def stop(self) -> None:
        # stop_server only uses the process: SIGTERM its group, then SIGKILL.
        stop_server(self)

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def start_loopback_server(
    command: list[str],
    port: int,
    cwd: Path,
    env: dict[str, str],
    log_path: Path,
    ready_path: str = "/",
    timeout: float = 60.0,
) -> LoopbackServer:
    """Start ``command`` (which must listen on 127.0.0.1:``port``); wait until ``ready_path``
    gets any HTTP answer."""
    started = time.monotonic()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = LoopbackServer(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(
                f"{command[:3]} exited with {process.returncode}:\n{server.log_tail()}"
            )
        try:
            with urllib.request.urlopen(server.url + ready_path, timeout=2.0):
                break
        except urllib.error.HTTPError:
            break  # any HTTP answer means it is listening and its handlers are up
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                server.stop()
                raise TimeoutError(
                    f"{command[:3]} not ready in {timeout} s:\n{server.log_tail()}"
                ) from None
            time.sleep(0.1)
    return dataclasses.replace(server, startup_seconds=time.monotonic() - started)


def start_file_server(root: Path, log_path: Path) -> LoopbackServer:
    """``python -m http.server`` on 127.0.0.1 serving ``root`` (it follows symlinks)."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "http.server",
        str(port),
        "--bind",
        "127.0.0.1",
        "--directory",
        str(root),
    ]
    return start_loopback_server(command, port, root, dict(os.environ), log_path)


def start_voila(
    root: Path, notebook: str, env: dict[str, str], log_path: Path, theme: str = "light"
) -> LoopbackServer:
    """Voilà on 127.0.0.1 rendering ``root/notebook`` at ``/``, with a live kernel."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "voila",
        notebook,
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        f"--Voila.root_dir={root}",
        f"--theme={theme}",
    ]
    # Polling "/" would start a kernel per poll: ask for a static path that starts nothing.
    return start_loopback_server(command, port, root, env, log_path, ready_path="/voila/static/")


class LoopbackOnly:
    """Route every request of a page: 127.0.0.1 and in-page URLs go through, others are
    aborted and recorded in ``attempts`` (so a test can assert nothing tried to leave)."""

    LOCAL_SCHEMES = ("blob", "data", "about")

    def __init__(self, page):
        self.attempts: list[str] = []
        page.route("**/*", self._route)

    def _route(self, route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in self.LOCAL_SCHEMES or parts.hostname == "127.0.0.1":
            route.continue_()
        else:
            self.attempts.append(url)
            route.abort()

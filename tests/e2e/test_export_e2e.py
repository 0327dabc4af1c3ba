"""A lecture outside JupyterLab: as an exported HTML page, and published with Voilà.

Both run the real notebooks/02-chain-rule.ipynb (its explorer: the diagram and the chain-rule
formula) in Debian's Chromium with every request that would leave 127.0.0.1 aborted, so a
page that needs a CDN fails here as it would in a lecture hall without Wi-Fi.

* The export is ``jupyter nbconvert --to html --execute`` with the widget state stored in the
  notebook, its JavaScript (require.js, the widget manager, MathJax 2, anywidget) served on
  loopback from the npm packages of package.json and the anywidget wheel (see export.py).
  The kernel is gone there: the page shows the state the run saved, and a click changes nothing
  that Python would compute, but must break nothing.
* Voilà has a live kernel: a click on w2 must bring w2's formula, computed by Python.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

import backprop_widgets as bw
from tests.e2e.export import (
    LoopbackOnly,
    export_offline_html,
    start_file_server,
    start_voila,
)
from tests.e2e.jupyter import ARTIFACTS_DIR, REPO_ROOT, click_edge, isolated_env, write_kernelspec

LECTURE = REPO_ROOT / "notebooks" / "02-chain-rule.ipynb"
LAPTOP = {"width": 1366, "height": 768}

# Requests the pages make that are not the widgets' business, each aborted and allowed by name:
# the Binder badge image in the lecture's first cell (a student offline sees its alt text), and
# Voilà 0.5's lab template linking Font Awesome from a CDN although its bundle already has it.
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"
VOILA_FONT_AWESOME = re.compile(r"^https://cdn\.jsdelivr\.net/npm/@fortawesome/fontawesome-free@")

# Page -> explorer drawn, per page kind and theme: the exported page (no kernel) is the baseline
# that Voilà's time (kernel start and run included) is printed against. Printed, never asserted.
RENDER_MS: dict[tuple[str, str], float] = {}


def panel(param: str) -> str:
    """The explorer's panel for ``param`` (the selector the explorer tests use too)."""
    return f".bpw-explorer-panel[data-param='{param}']"


def shown_total(page, param: str) -> str:
    """The last number of the typeset total in ``param``'s panel, as the student reads it."""
    text = page.locator(f"{panel(param)} .bpw-total").first.inner_text()
    # MathJax 3 lays "= −0.07" out as separate tokens: drop the spaces, read the minus sign.
    compact = re.sub(r"\s+", "", text).replace("\u2212", "-")
    return re.findall(r"-?\d+\.\d+(?:e-?\d+)?", compact)[-1]


def core_total(param: str) -> str:
    """What the core computes for the lecture's network, to the digits the explorer shows."""
    net, x, t = bw.presets.tiny()
    return f"{net.gradients(x, t)[param]:.6g}"


# What MathJax leaves once it has typeset: version 3 (Voilà's, JupyterLab's) writes
# <mjx-container>, version 2 (nbconvert's exported page) spans of class MathJax_CHTML.
TYPESET = "mjx-container, .MathJax_CHTML, math"


# The lecture starts with explorers of expressions (f = (x + y) z, colah's graph, a neuron);
# the seed's network is the explorer whose diagram has the weight w1's line.
SEED = ".bpw-explorer:has(g.bpw-edge[data-param='w1'])"


def wait_for_explorer(page, param: str, timeout: float = 60_000) -> None:
    """Until the diagram is drawn and ``param``'s formula and total are typeset."""
    page.locator(".bpw-diagram svg g.bpw-edge[data-param='w1']").wait_for(
        state="attached", timeout=timeout
    )
    for part in (".bpw-general", ".bpw-total"):
        page.locator(f"{panel(param)} {part}").locator(TYPESET).first.wait_for(timeout=timeout)


def assert_diagram_drawn(page) -> None:
    """Every node and weight of the x -> h -> y' network, each with its label on the SVG."""
    diagram = page.locator(f"{SEED} .bpw-diagram svg").first
    nodes = diagram.locator("g.bpw-node[data-node]").evaluate_all(
        "els => els.map(e => e.dataset.node)"
    )
    assert {"x", "h", "y'", "L"} <= set(nodes), nodes
    edges = diagram.locator("g.bpw-edge.bpw-weight").evaluate_all(
        "els => els.map(e => e.dataset.param)"
    )
    assert sorted(edges) == ["w1", "w2"], edges
    labels = diagram.locator("text").evaluate_all("els => els.map(e => e.textContent.trim())")
    for name in ("w1", "w2", "x", "h", "y'", "L", "b"):
        assert name in labels, (name, labels)
    box = diagram.bounding_box()
    assert box["width"] > 300 and box["height"] > 100, box  # drawn, not a collapsed stub


# Relative luminance (sRGB, not linearised: enough to tell a dark page from a light one) of
# the first opaque background behind an element; null when nothing behind it paints one.
BACKGROUND_LUMINANCE_JS = r"""
el => {
  for (let node = el; node; node = node.parentElement) {
    const bg = getComputedStyle(node).backgroundColor;
    const [r, g, b, a = 1] = (bg.match(/[\d.]+/g) || []).map(Number);
    if (bg !== 'transparent' && a > 0) return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  }
  return null;
}
"""


def assert_theme(page, theme: str) -> None:
    """The page really is in ``theme``: what the diagram is drawn on is dark or light."""
    luminance = page.locator(f"{SEED} .bpw-diagram").first.evaluate(BACKGROUND_LUMINANCE_JS)
    assert luminance is not None, "no background behind the diagram"
    assert (luminance < 0.3) if theme == "dark" else (luminance > 0.7), (theme, luminance)


def screenshot(page, name: str) -> Path:
    """The laptop screen with the explorer at its top and no tooltip over it."""
    page.mouse.move(1, 1)
    page.locator(SEED).first.evaluate("el => el.scrollIntoView({block: 'start'})")
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS_DIR / f"{name}.png"
    page.screenshot(path=path)
    return path


THEMES = ["light", "dark"]


@pytest.fixture(scope="module", params=THEMES)
def exported_site(request, tmp_path_factory):
    """The executed, exported lecture (in each JupyterLab theme) and a file server for it."""
    base = tmp_path_factory.mktemp(f"export-{request.param}")
    env = isolated_env(base / "home")
    write_kernelspec(Path(env["JUPYTER_DATA_DIR"]))
    started = time.perf_counter()
    page = export_offline_html(LECTURE, base / "site", env, theme=request.param)
    export_seconds = time.perf_counter() - started
    server = start_file_server(base / "site", base / "http.log")
    try:
        yield server, page.name, export_seconds, request.param
    finally:
        server.stop()


@pytest.fixture(scope="module", params=THEMES)
def voila_server(request, tmp_path_factory):
    """Voilà on a temporary root holding a copy of the lecture (Voilà runs it per visit)."""
    base = tmp_path_factory.mktemp(f"voila-{request.param}")
    root = base / "root"
    root.mkdir()
    shutil.copyfile(LECTURE, root / LECTURE.name)
    env = isolated_env(base / "home")
    write_kernelspec(Path(env["JUPYTER_DATA_DIR"]))
    server = start_voila(root, LECTURE.name, env, base / "voila.log", theme=request.param)
    try:
        yield server, request.param
    finally:
        server.stop()


def test_exported_html_draws_the_widgets_from_saved_state_offline(
    exported_site, page, page_errors, capsys
):
    server, name, export_seconds, theme = exported_site
    page.set_viewport_size(LAPTOP)
    guard = LoopbackOnly(page)
    started = time.perf_counter()
    page.goto(f"{server.url}/{name}")
    wait_for_explorer(page, "w1")
    render_ms = RENDER_MS["export", theme] = (time.perf_counter() - started) * 1000

    assert_diagram_drawn(page)
    assert_theme(page, theme)
    # the formula of the weight selected when the lecture ran, typeset by MathJax from loopback
    general = page.locator(f"{panel('w1')} .bpw-general").first.inner_text()
    assert "∂" in general and "$" not in general, general
    assert shown_total(page, "w1") == core_total("w1")
    # the lecture's own markdown maths is typeset too (MathJax 2 from node_modules)
    assert page.locator(".jp-MarkdownCell").locator(TYPESET).count() > 3
    screenshot(page, f"export-html-{theme}-1366x768")

    # No kernel: a click cannot compute w2's formula. It must break nothing, and the page
    # keeps the saved formula of w1 rather than going blank.
    click_edge(page, "w2", SEED)
    page.wait_for_timeout(300)  # what a live kernel would answer within (Voilà: ~150 ms)
    assert page.locator(f"{panel('w1')} .bpw-total").count() == 1
    assert shown_total(page, "w1") == core_total("w1")
    assert_diagram_drawn(page)
    assert page_errors == []
    assert [u for u in guard.attempts if u != BINDER_BADGE] == [], guard.attempts
    with capsys.disabled():
        print(
            f"\n[export, {theme}] nbconvert --execute to HTML: {export_seconds:.1f} s; "
            f"exported page -> diagram and typeset formula: {render_ms:.0f} ms "
            f"(everything from 127.0.0.1; blocked: {len(guard.attempts)} badge request(s))"
        )


def test_voila_renders_the_lecture_and_a_click_updates_the_formula(
    voila_server, page, page_errors, capsys
):
    voila, theme = voila_server
    page.set_viewport_size(LAPTOP)
    guard = LoopbackOnly(page)
    served_anywidget = []
    page.on(
        "response",
        lambda r: (
            served_anywidget.append(r.status) if "/labextensions/anywidget/" in r.url else None
        ),
    )
    started = time.perf_counter()
    page.goto(f"{voila.url}/")
    wait_for_explorer(page, "w1", timeout=120_000)
    render_ms = (time.perf_counter() - started) * 1000
    assert_diagram_drawn(page)
    assert_theme(page, theme)
    assert shown_total(page, "w1") == core_total("w1")
    screenshot(page, f"voila-{theme}-1366x768")

    started = time.perf_counter()
    click_edge(page, "w2", SEED)
    wait_for_explorer(page, "w2")
    click_ms = (time.perf_counter() - started) * 1000
    # Python computed it: the panel now names w2's single path, with the core's number
    heading = page.locator(f"{panel('w2')} .bpw-panel-title").first.inner_text()
    assert "w2" in heading and "1 path" in heading, heading
    assert shown_total(page, "w2") == core_total("w2")
    assert page.locator(panel("w1")).count() == 0
    lit = page.locator(".bpw-diagram g.bpw-edge.bpw-weight.bpw-selected").evaluate_all(
        "els => els.map(e => e.dataset.param)"
    )
    assert lit == ["w2"], lit
    screenshot(page, f"voila-{theme}-1366x768-w2")

    # Voilà served anywidget's front end itself, and nothing the widgets need left loopback
    assert served_anywidget and set(served_anywidget) == {200}, served_anywidget
    unexpected = [
        u for u in guard.attempts if u != BINDER_BADGE and not VOILA_FONT_AWESOME.match(u)
    ]
    assert unexpected == [], guard.attempts
    assert page_errors == []
    baseline = RENDER_MS.get(("export", theme))
    ratio = f" = {render_ms / baseline:.1f}x the exported page's" if baseline else ""
    with capsys.disabled():
        print(
            f"\n[voila, {theme}] server start {voila.startup_seconds:.1f} s; page -> widgets drawn "
            f"(kernel start and run included) {render_ms:.0f} ms{ratio}; click on w2 -> w2's formula "
            f"typeset {click_ms:.0f} ms"
        )

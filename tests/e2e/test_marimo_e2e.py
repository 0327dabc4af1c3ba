"""The lecture widgets in marimo (issue 21): `marimo run --headless` on notebooks/marimo/lecture.py,
driven in Debian's Chromium. marimo has no ipywidgets manager and no MathJax: each widget is one
anywidget, drawn with `mo.ui.anywidget`, its formulas MathML written in Python.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.jupyter import ARTIFACTS_DIR, free_port

pytest.importorskip("marimo")

LECTURE = Path(__file__).resolve().parents[2] / "notebooks" / "marimo" / "lecture.py"


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module", params=["light", "dark"])
def marimo_app(request, tmp_path_factory):
    """`marimo run` on loopback in marimo's light or dark theme (its user setting), stopped by
    its own process group."""
    base = tmp_path_factory.mktemp("marimo")
    config = base / ".config" / "marimo"
    config.mkdir(parents=True)
    (config / "marimo.toml").write_text(f'[display]\ntheme = "{request.param}"\n')
    port = free_port()
    env = dict(os.environ, HOME=str(base), MARIMO_SKIP_UPDATE_CHECK="1")
    log = (base / "marimo.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "marimo", "run", str(LECTURE), "--headless",
         "--host", "127.0.0.1", "--port", str(port), "--no-token"],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        env=env, cwd=base, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                os.killpg(process.pid, signal.SIGTERM)
                raise RuntimeError((base / "marimo.log").read_text()) from None
            time.sleep(0.5)
    yield url, request.param
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


def click_edge(page, widget, param: str) -> None:
    """A real mouse click at the middle of a weight's line, in screen coordinates (marimo draws
    a widget in a shadow root, where jupyter.click_edge's document.elementFromPoint cannot see)."""
    svg = widget.locator(".bpw-diagram svg").first
    svg.scroll_into_view_if_needed()
    line = svg.locator(f"g[data-edge='{param}'] line").first
    x1, y1, x2, y2 = (float(line.get_attribute(k)) for k in ("x1", "y1", "x2", "y2"))
    box = svg.bounding_box()
    scale = box["width"] / float(svg.evaluate("s => s.viewBox.baseVal.width"))
    page.mouse.click(box["x"] + (x1 + x2) / 2 * scale, box["y"] + (y1 + y2) / 2 * scale)


# axe-core's every rule (WCAG A and AA, best practices) on one widget: the violations.
AXE_JS = """
async (root) => {
  const result = await axe.run(root, {resultTypes: ['violations']});
  return result.violations.map((v) => `${v.id}: ${v.nodes.length} (${v.nodes.map((n) => n.target.join(' ')).join(' | ')})`);
}
"""


def test_the_lecture_widgets_render_and_click_in_marimo(marimo_app, browser):
    marimo_app, theme = marimo_app
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(marimo_app)
        explorer = page.locator(".bpw-explorer").first
        explorer.wait_for(timeout=90_000)
        # every neuron is drawn (marimo's global .hidden class must not hide hidden neurons)
        for name in ("i1", "h1", "h2", "o1", "L"):
            drawn = explorer.locator(f"g[data-node='{name}'] circle").first.evaluate(
                "c => getComputedStyle(c.closest('g')).display !== 'none'"
                " && c.getBoundingClientRect().width > 0"
            )
            assert drawn, f"{name} is not drawn"
        # the formula is MathML, typeset without MathJax
        expect(
            explorer.locator(".bpw-explorer-panel[data-param='w2'] .bpw-total math")
        ).to_be_visible()
        # a click on w1 reaches Python (one kernel per marimo session) and comes back
        click_edge(page, explorer, "w1")
        total = explorer.locator(".bpw-explorer-panel[data-param='w1'] .bpw-total math")
        expect(total).to_be_visible()
        shown = total.text_content().replace("\u2212", "-")
        assert re.findall(r"-?\d+\.\d+", shown)[-1] == "0.000438568"  # Mazur's dE/dw1
        # Step sends a message to Python; the step panel comes back
        explorer.locator("button.bpw-step").click()
        expect(explorer.locator(".bpw-step-panel [data-node='L']")).to_be_visible()
        # the expression graph: df/dx = z = -4
        graph = page.locator(".bpw-explorer").nth(1)
        expect(
            graph.locator(".bpw-explorer-panel[data-param='x'] .bpw-total math")
        ).to_contain_text("4")
        # the exercise: type a chain-rule sum, press Enter, read the verdict
        exercise = page.locator(".bpw-exercise").first
        exercise.scroll_into_view_if_needed()
        box = exercise.locator("input.bpw-answer")
        box.fill("dh1/dw1 * dw7/dh1 * do2/dw7 * dL/do2")  # the seed's mistake
        box.press("Enter")
        verdict = exercise.locator(".bpw-feedback .bpw-verdict")
        expect(verdict).to_have_attribute("data-verdict", re.compile("incorrect|wrong"))
        expect(exercise.locator(".bpw-feedback")).to_contain_text("w7")
        box.fill("dh1/dw1 * (do1/dh1 * dL/do1 + do2/dh1 * dL/do2)")
        exercise.locator("button.bpw-check").click()
        expect(verdict).to_have_attribute("data-verdict", "correct")
        # the dashboard: Play trains in the kernel, the loss curve's canvas receives new frames
        dashboard = page.locator(".bpw-training").first
        dashboard.scroll_into_view_if_needed()
        curve = dashboard.locator("canvas.bpw-loss-curve")
        curve.wait_for()
        first = curve.get_attribute("data-frame") or "0"
        dashboard.locator("button.bpw-play").click()
        page.wait_for_function(
            "([el, first]) => Number(el.dataset.frame || 0) > Number(first) + 3",
            arg=[curve.element_handle(), first],
            timeout=60_000,
        )
        dashboard.locator("button.bpw-play").click()  # pause
        # the widgets follow marimo's theme: light text on a dark page in dark, and the reverse
        text = explorer.evaluate("e => getComputedStyle(e).color")
        light_text = sum(int(c) for c in re.findall(r"\d+", text)[:3]) > 3 * 128
        assert light_text == (theme == "dark"), (theme, text)
        # axe-core's every rule on every widget
        page.add_script_tag(path=str(AXE))
        found = []
        alone = ".bpw-diagram:not(.bpw-explorer .bpw-diagram):not(.bpw-exercise .bpw-diagram)"
        for widget in (".bpw-explorer", alone, ".bpw-exercise", ".bpw-training"):
            violations = page.locator(widget).first.evaluate(AXE_JS)
            found.extend(f"{theme} {widget} {v}" for v in violations)
        assert found == [], "\n".join(found)
        ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS_DIR / f"marimo-lecture-{theme}.png"), full_page=True)
        assert errors == []
    finally:
        context.close()

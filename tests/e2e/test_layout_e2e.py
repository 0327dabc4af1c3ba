"""The explorers of lectures 03, 04 and 07 fit the screens students have, in a real JupyterLab.

At 1280x800, 1366x768 and at 150 % browser zoom (a CSS viewport 1.5 times smaller drawn at a
device scale factor of 1.5, which is what zooming does), with JupyterLab's file browser open (as
it opens by default) and closed, at both levels: nothing inside a widget's output
area reaches past it or sits in a horizontal scroller, with every expander opened. At
1366x768 the diagram and the start of its formula are on screen together, and pressing Step
(04's step-through) leaves the diagram where it was. Screenshots of each explorer go to
test-artifacts/e2e/layout/.
"""

from __future__ import annotations

import pytest

from tests.e2e.jupyter import (
    ARTIFACTS_DIR,
    kernel_exec,
    open_notebook,
    run_all_and_wait,
    sidebar,
    write_notebook,
)

SENTINEL = "BPW-LAYOUT-READY"
SHOTS = ARTIFACTS_DIR / "layout"

# The explorer cells of the lectures, each tagged so the test can find its output.
CELLS = [
    "import numpy as np\nimport backprop_widgets as bw",
    # 03: the seed question's 2-2-2 network, its pre-activation level, and 128 paths
    'net, x, t = bw.presets.mazur()\nex03 = bw.ChainRuleExplorer(net, x, t, selected="w1")\n'
    'ex03.add_class("lay-03")\nex03',
    'ex03p = bw.ChainRuleExplorer(net, x, t, selected="w5", level="pre-activation")\n'
    'ex03p.add_class("lay-03-pre")\nex03p',
    'deep = bw.Network([4, 8, 8, 8, 2], activation="tanh", loss="half_sse", seed=1)\n'
    "x4, t4 = np.array([0.5, -0.2, 0.1, 0.9]), np.array([1.0, 0.0])\n"
    'ex03d = bw.ChainRuleExplorer(deep, x4, t4, selected="w1")\nex03d.add_class("lay-03-deep")\nex03d',
    # 04: the step-through
    'ex04 = bw.ChainRuleExplorer(net, x, t, selected="w1")\nex04.add_class("lay-04")\nex04',
    # 07: "explain one gradient" on the capstone's 2-16-16-1 moons network (16 paths)
    "moons, X, T = bw.presets.moons(n=300, noise=0.15, seed=3)\n"
    'ex07 = bw.ChainRuleExplorer(moons, X[0], T[0], selected="w1")\nex07.add_class("lay-07")\nex07',
    f"print({SENTINEL!r})",
]
EXPLORERS = ["lay-03", "lay-03-pre", "lay-03-deep", "lay-04", "lay-07"]

# (name, CSS viewport, device scale factor): 150 % zoom of a 1280x800 screen is 853x533 CSS px
SCREENS = [
    ("1280x800", {"width": 1280, "height": 800}, 1),
    ("1366x768", {"width": 1366, "height": 768}, 1),
    ("1280x800-zoom150", {"width": 853, "height": 533}, 1.5),
    ("1366x768-zoom150", {"width": 911, "height": 512}, 1.5),
]

# Every element of the explorer's output area whose box reaches past the area's right edge,
# and every element that scrolls sideways (its content wider than its box).
OVERFLOW_JS = """
(cls) => {
  const widget = document.querySelector('.' + cls);
  const area = widget.closest('.jp-OutputArea-output') || widget.closest('.jp-OutputArea');
  const edge = area.getBoundingClientRect().right;
  const out = [], scrollers = [];
  const name = (el) => el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined
      ? '.' + String(el.className).trim().split(/\\s+/).slice(0, 2).join('.') : '');
  for (const el of [widget, ...widget.querySelectorAll('*')]) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not drawn (a closed expander's body)
    if (box.right > edge + 1) out.push(`${name(el)} right=${Math.round(box.right)} > ${Math.round(edge)}`);
    const style = getComputedStyle(el);
    if (el.scrollWidth > el.clientWidth + 1 && ['auto', 'scroll'].includes(style.overflowX)) {
      scrollers.push(`${name(el)} scrollWidth=${el.scrollWidth} clientWidth=${el.clientWidth}`);
    }
  }
  return {out: out.slice(0, 8), scrollers: scrollers.slice(0, 8), width: Math.round(widget.getBoundingClientRect().width),
          area: Math.round(area.getBoundingClientRect().width)};
}
"""

TYPESET_JS = """
(cls) => {
  const panel = document.querySelector('.' + cls + ' .bpw-explorer-panel');
  return !!panel && panel.querySelectorAll('math').length > 0
    && !panel.textContent.includes('$$');
}
"""


def rect(page, selector: str) -> dict:
    return page.locator(selector).first.evaluate(
        "el => { const r = el.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; }"
    )


def viewport_box(page) -> dict:
    """The part of the window the notebook scrolls in (below JupyterLab's menu bar)."""
    return page.locator(".jp-WindowedPanel-outer, .jp-NotebookPanel-notebook").first.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return {top: Math.max(0, r.top), bottom: Math.min(window.innerHeight, r.bottom)}; }"
    )


def show(page, cls: str) -> None:
    """Scroll the explorer's top to the top of the notebook and wait for its formulas."""
    page.locator(f".{cls}").first.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.wait_for_function(TYPESET_JS, arg=cls, timeout=20_000)
    page.wait_for_timeout(300)  # the layout may re-flow once more after the formulas


@pytest.fixture(scope="module")
def layout_notebook(lab_server):
    return write_notebook(lab_server.root, "layout.ipynb", CELLS)


@pytest.mark.parametrize("files", ["files-open", "files-closed"])
@pytest.mark.parametrize(("screen", "viewport", "scale"), SCREENS, ids=[s[0] for s in SCREENS])
def test_every_explorer_fits_its_output_area(
    lab_server, browser, layout_notebook, screen, viewport, scale, files
):
    context = browser.new_context(viewport=viewport, device_scale_factor=scale)
    page = context.new_page()
    try:
        open_notebook(page, lab_server, layout_notebook)
        sidebar(page, files == "files-open")
        run_all_and_wait(page, SENTINEL)
        screen = f"{screen}-{files}"
        SHOTS.mkdir(parents=True, exist_ok=True)
        problems = {}
        for cls in EXPLORERS:
            show(page, cls)
            page.screenshot(path=SHOTS / f"{screen}-{cls}.png")
            # every expander open: what it hides must fit too
            page.evaluate(
                f"document.querySelectorAll('.{cls} details').forEach(d => d.open = true)"
            )
            page.wait_for_timeout(200)
            found = page.evaluate(OVERFLOW_JS, cls)
            print(
                f"{screen} {cls}: widget {found['width']} px in an output area of {found['area']} px"
            )
            if found["out"] or found["scrollers"]:
                problems[cls] = found
        assert problems == {}, problems
    finally:
        context.close()


def test_at_1366x768_the_diagram_and_its_formula_are_on_screen_and_step_keeps_the_diagram(
    lab_server, browser, layout_notebook
):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        open_notebook(page, lab_server, layout_notebook)
        run_all_and_wait(page, SENTINEL)
        screen = viewport_box(page)
        for cls in EXPLORERS:
            show(page, cls)
            diagram = rect(page, f".{cls} .bpw-diagram svg")
            formula = rect(page, f".{cls} .bpw-total")
            assert screen["top"] - 1 <= diagram["top"] and diagram["bottom"] <= screen["bottom"] + 1, (
                cls, diagram, screen)  # fmt: skip
            # the formula's total (the answer the sum adds up to) is on screen with it
            assert formula["top"] >= screen["top"] - 1 and formula["bottom"] <= screen["bottom"] + 1, (
                cls, formula, screen)  # fmt: skip

        # 04: a student presses Step (a real click) through the whole backward pass
        show(page, "lay-04")
        before = rect(page, ".lay-04 .bpw-diagram svg")
        step = page.locator(".lay-04 button.bpw-step")
        for i in range(5):
            step.click()
            page.wait_for_function(
                f"() => document.querySelector('.lay-04 .bpw-step[data-step=\"{i + 1}\"]') !== null"
            )
            page.wait_for_timeout(150)
            after = rect(page, ".lay-04 .bpw-diagram svg")
            assert abs(after["top"] - before["top"]) < 2, (i, before, after)
            assert after["bottom"] <= screen["bottom"] + 1
            assert (
                step.evaluate(
                    "el => { const r = el.getBoundingClientRect(); return r.bottom <= innerHeight; }"
                )
                or i == 4
            )  # the button stays under the pointer until the last step disables it
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / "1366x768-lay-04-after-steps.png")
    finally:
        context.close()


@pytest.mark.parametrize("mode", ["zoom150", "projector"])
def test_on_a_projector_the_diagram_and_its_formula_share_the_screen(
    lab_server, browser, layout_notebook, mode
):
    """A 1366x768 screen at 150 % (a zoomed browser, or a projector's low resolution: 911x512
    CSS px), and a 1366x768 projector in projector mode (bw.projector(True): text 1.25 times
    larger): the diagram and the formula's total are on screen together, the diagram beside
    the formula rather than above it."""
    if mode == "zoom150":
        context = browser.new_context(
            viewport={"width": 911, "height": 512}, device_scale_factor=1.5
        )
    else:
        context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        open_notebook(page, lab_server, layout_notebook)
        sidebar(page, False)
        run_all_and_wait(page, SENTINEL)
        if mode == "projector":
            kernel_exec(page, "bw.projector(True)")
            page.wait_for_function("() => document.querySelector('.lay-03.bpw-projector') !== null")
        screen = viewport_box(page)
        for cls in ("lay-03", "lay-03-pre"):
            show(page, cls)
            diagram = rect(page, f".{cls} .bpw-diagram svg")
            formula = rect(page, f".{cls} .bpw-total")
            assert diagram["bottom"] <= screen["bottom"] + 1, (mode, cls, diagram, screen)
            assert screen["top"] - 1 <= formula["top"] and formula["bottom"] <= screen["bottom"] + 1, (
                mode, cls, formula, screen)  # fmt: skip
            beside = page.locator(f".{cls} .bpw-explorer-formula").evaluate(
                "(f) => f.getBoundingClientRect().left >= "
                "f.parentElement.querySelector('.bpw-explorer-figure').getBoundingClientRect().right - 1"
            )
            assert beside, (mode, cls)
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SHOTS / f"{mode}-{cls}.png")
        if mode == "projector":
            size = page.locator(".lay-03 .bpw-explorer-panel p").first.evaluate(
                "p => parseFloat(getComputedStyle(p).fontSize)"
            )
            assert size >= 16, size  # 1.25 times the 13-14 px of the notebook's text
            kernel_exec(page, "bw.projector(False)")
    finally:
        context.close()

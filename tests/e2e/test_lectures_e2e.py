"""Each of the seven lectures run in JupyterLab on a 13-inch laptop's screen, as a student does.

Run All, then every widget output is scrolled into view and measured: it shows (no "Error
displaying widget"), nothing in it is wider than its output area, and nothing sits inside a
horizontal scroller. Each output's screenshot is kept under test-artifacts/e2e/lectures/ for a
person to look at (the README's pictures come from there).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tests.e2e.jupyter import ARTIFACTS_DIR, open_notebook, run_all_and_wait

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
LECTURES = sorted(p.name for p in NOTEBOOKS.glob("0*.ipynb"))
SENTINEL = "BPW-LECTURE-DONE"
SHOTS = ARTIFACTS_DIR / "lectures"
SCREEN = {"width": 1366, "height": 768}

# Every output holding a widget, in notebook order, as handles; their measures come after.
# (an anywidget's view is not marked .jupyter-widgets: ours carry a bpw- class)
WIDGET_OUTPUTS = '.jp-OutputArea-output:has(.jupyter-widgets, [class*="bpw-"])'

# For one widget output: its width, the widest thing inside it, and any horizontal scroller.
MEASURE_JS = """
(out) => {
  const area = out.getBoundingClientRect();
  let widest = 0, widestWhat = '';
  const scrollers = [];
  for (const el of out.querySelectorAll('*')) {
    // MathJax's copy for screen readers is clipped to nothing: it is not drawn
    if (el.closest('mjx-assistive-mml')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const right = box.right - area.left;
    if (right > widest) { widest = right; widestWhat = el.tagName + '.' + el.className; }
    const style = getComputedStyle(el);
    if (['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1) {
      scrollers.push(el.tagName + '.' + String(el.className).slice(0, 60));
    }
  }
  return {
    width: area.width,
    widest,
    widestWhat: String(widestWhat).slice(0, 80),
    scrollers,
    error: out.innerText.includes('Error displaying widget'),
  };
}
"""


@pytest.mark.parametrize("lecture", LECTURES)
def test_every_widget_of_the_lecture_shows_and_fits_a_laptop_screen(lab_server, page, lecture):
    source = nbformat.read(NOTEBOOKS / lecture, as_version=4)
    source.cells.append(nbformat.v4.new_code_cell(f"print({SENTINEL!r})"))
    (lab_server.root / lecture).write_text(nbformat.writes(source))
    page.set_viewport_size(SCREEN)
    open_notebook(page, lab_server, lecture)
    run_all_and_wait(page, SENTINEL, timeout=300_000)

    outputs = page.locator(WIDGET_OUTPUTS)
    count = outputs.count()
    assert count > 0, f"{lecture}: no widget was displayed"
    SHOTS.mkdir(parents=True, exist_ok=True)
    stem = lecture.removesuffix(".ipynb")
    problems = []
    for i in range(count):
        out = outputs.nth(i)
        out.scroll_into_view_if_needed()
        page.wait_for_timeout(300)  # MathJax typesets what has come into view
        m = out.evaluate(MEASURE_JS)
        if m["error"]:
            problems.append(f"widget {i + 1}: 'Error displaying widget'")
        if m["widest"] > m["width"] + 1:
            problems.append(
                f"widget {i + 1}: {m['widestWhat']} reaches {m['widest']:.0f} px "
                f"in an output of {m['width']:.0f} px"
            )
        if m["scrollers"]:
            problems.append(f"widget {i + 1}: horizontal scroller in {m['scrollers']}")
    # The pictures in a window tall enough for the tallest widget: Lab scrolls inside its
    # panel, so an element taller than the window would be cut by Lab's own chrome.
    page.set_viewport_size({"width": SCREEN["width"], "height": 2000})
    for i in range(count):
        out = outputs.nth(i)
        out.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        out.screenshot(path=SHOTS / f"{stem}-{i + 1}.png")
    print(
        f"\n[e2e lectures] {lecture}: {count} widget outputs at 1366x768, problems: {len(problems)}"
    )
    assert problems == [], f"{lecture}: " + "; ".join(problems)

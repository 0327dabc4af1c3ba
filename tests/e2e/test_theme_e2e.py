"""Every widget readable in JupyterLab Light and Dark: measured contrast and text size.

One notebook shows each widget as a student meets it: the Mazur diagram with values and a
selected weight, the explorer on w1, an exercise after a wrong answer and one after a right
answer, and the moons dashboard after a few steps. In each theme the test

* runs axe-core's every rule on every widget (contrast of HTML text; axe skips SVG text),
* measures every visible SVG ``<text>`` itself: its fill (with opacity) against what is
  behind it, which is its halo when it has one, else the node shape it sits in, else the
  nearest opaque background of the page, and asserts the WCAG ratio is at least 4.5:1,
* asserts every visible text renders at 11 px or more (SVG text at its drawn size: the
  font size times the SVG's scale on screen, not the attribute),

prints the count, the lowest ratio and the smallest size, and saves a screenshot of each
theme to test-artifacts/e2e/theme-light.png and theme-dark.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.jupyter import (
    ARTIFACTS_DIR,
    REPO_ROOT,
    open_notebook,
    run_all_and_wait,
    unexpected_page_errors,
    write_notebook,
)

AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SENTINEL = "BPW-THEME-READY"
WRONG = "dh1/dw1 * dw7/dh1 * do2/dw7 * dL/do2 + dh1/dw1 * dw5/dh1 * do1/dw5 * dL/do1"
RIGHT = "dh1/dw1 * do2/dh1 * dL/do2 + dh1/dw1 * do1/dh1 * dL/do1"
MIN_RATIO = 4.5  # WCAG AA for body text
MIN_PX = 11.0

# Each widget gets a class naming it, so the checks can run on it alone.
WIDGETS = {
    "theme-diagram": 'd = bw.NetworkDiagram(net, selected="w5", show_values=True)\n'
    "d.show_example(net.graph(x, t))",
    # two steps of the backward pass (a node drawn as "current") and a pinned path chip
    "theme-explorer": 'd = bw.ChainRuleExplorer(net, x, t, selected="w1")\n'
    "d.step()\nd.step()\nd.pinned = 0",
    "theme-wrong": 'd = bw.GradientExercise(bw.GradientQuestion(net, "w1", x, t), answers=False)\n'
    f"d.check({WRONG!r})",
    "theme-right": 'd = bw.GradientExercise(bw.GradientQuestion(net, "w1", x, t), answers=False)\n'
    f"d.check({RIGHT!r})",
    "theme-training": "mnet, X, T = bw.presets.moons()\n"
    "d = bw.TrainingDashboard(mnet, X, T, lr=0.5)\nd.run(steps=40)",
}
CELLS = [
    "import backprop_widgets as bw\nnet, x, t = bw.presets.mazur()",
    *[f"{code}\nd.add_class({name!r})\nd" for name, code in WIDGETS.items()],
    f"print({SENTINEL!r})",
]

# Colour maths shared by the SVG checks: any CSS colour to [r, g, b, a] through a 1x1
# canvas (Chromium reports color-mix() results as color(srgb ...), not rgb()).
COLOUR_JS = """
window.__bpwColour = (() => {
  const ctx = document.createElement('canvas').getContext('2d', {willReadFrequently: true});
  const rgba = (css) => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = '#000'; ctx.fillStyle = css; ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255];
  };
  const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3]))
    .concat([1]);
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (a, b) => {
    const [hi, lo] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (hi + 0.05) / (lo + 0.05);
  };
  // The page behind an element: its ancestors' backgrounds, composed from the first opaque one.
  const pageBehind = (el) => {
    const layers = [];
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    return layers.reverse().reduce((bottom, top) => over(top, bottom), [255, 255, 255, 1]);
  };
  return {rgba, over, ratio, pageBehind};
})();
"""

# Every visible SVG <text> in the root: its colour, what it sits on, the ratio and its size.
SVG_TEXTS_JS = """
(root) => {
  const C = window.__bpwColour;
  const out = [];
  for (const text of root.querySelectorAll('svg text')) {
    const box = text.getBoundingClientRect();
    const style = getComputedStyle(text);
    if (!text.textContent.trim() || box.width < 1 || style.visibility === 'hidden') continue;
    let alpha = parseFloat(style.fillOpacity);
    for (let n = text; n && n.nodeType === 1; n = n.parentElement) {
      alpha *= parseFloat(getComputedStyle(n).opacity);
    }
    const fill = C.rgba(style.fill);
    fill[3] *= alpha;
    let behind = C.pageBehind(text.ownerSVGElement);
    let on = 'page';
    const halo = C.rgba(style.stroke);
    const shape = text.closest('g.bpw-node') && text.closest('g.bpw-node').querySelector('circle, rect');
    if (style.stroke !== 'none' && parseFloat(style.strokeWidth) >= 2
        && style.paintOrder.startsWith('stroke') && halo[3] > 0) {
      behind = C.over(halo, behind); on = 'halo';
    } else if (shape) {
      const s = shape.getBoundingClientRect();
      const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
      if (cx > s.left && cx < s.right && cy > s.top && cy < s.bottom) {
        behind = C.over(C.rgba(getComputedStyle(shape).fill), behind); on = 'node';
      }
    }
    const m = text.getScreenCTM();
    const scale = Math.hypot(m.a, m.b);
    const where = text.closest('[data-node], [data-label]');
    out.push({
      text: text.textContent,
      cls: text.getAttribute('class'),
      where: where ? (where.dataset.node || where.dataset.label) : '',
      on,
      ratio: C.ratio(C.over(fill, behind), behind),
      px: parseFloat(style.fontSize) * scale,
    });
  }
  return out;
}
"""

# Every visible HTML element with its own text: the size it renders at (MathJax's hidden
# copies for screen readers are not drawn).
HTML_TEXTS_JS = """
(root) => {
  const out = [];
  for (const el of root.querySelectorAll('*')) {
    if (el.closest('svg, mjx-assistive-mml, option')) continue;
    const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width < 1 || box.height < 1 || style.visibility === 'hidden') continue;
    out.push({text: el.textContent.trim().slice(0, 40), tag: el.tagName.toLowerCase(),
              cls: el.className && String(el.className).slice(0, 60),
              px: parseFloat(style.fontSize)});
  }
  return out;
}
"""

# JupyterLab 4.6's <body> is zero high with `overflow: hidden`, and its absolutely placed shell
# escapes that clipping; axe 4.14 still takes the notebook's content for clipped and judges
# no text in it at all. Unclipping the body for the run changes nothing drawn. Returns the
# violations and how many texts axe did judge.
AXE_JS = """
async (root) => {
  const wrappers = [document.body];
  wrappers.forEach((w) => { w.style.overflow = 'visible'; });
  let result;
  try {
    // every rule (WCAG A and AA, best practices), not only contrast
    result = await axe.run(root);
  } finally {
    wrappers.forEach((w) => { w.style.overflow = ''; });
  }
  const judged = result.passes.concat(result.violations).flatMap((v) => v.nodes).length;
  // axe leaves SVG text undecided: SVG_TEXTS_JS judges it
  const unsure = result.incomplete.flatMap((v) => v.nodes)
    .filter((n) => !n.html.startsWith('<text')).map((n) => n.target.join(' '));
  const violations = result.violations.flatMap((v) => v.nodes.map((n) => ({
    rule: v.id,
    target: n.target.join(' '),
    html: n.html.slice(0, 120),
    data: (n.any[0] || {}).data || {},
  })));
  return {judged, unsure, violations};
}
"""


def set_theme(page, theme: str) -> None:
    light = "true" if theme == "JupyterLab Light" else "false"
    page.evaluate(
        "(theme) => window.jupyterapp.commands.execute('apputils:change-theme', {theme})", theme
    )
    page.wait_for_function(
        f"() => document.body.dataset.jpThemeLight === '{light}'", timeout=20_000
    )
    page.wait_for_timeout(800)  # the theme's stylesheet applied and the plots redrawn


def measure(page, name: str) -> dict:
    """axe violations, SVG texts and HTML texts of one widget, scrolled into view."""
    root = page.locator(f".{name}").first
    root.scroll_into_view_if_needed()
    page.wait_for_timeout(150)  # Lab paints a cell only once it is near the viewport
    handle = root.element_handle()
    return {
        "axe": page.evaluate(AXE_JS, handle),
        "svg": page.evaluate(SVG_TEXTS_JS, handle),
        "html": page.evaluate(HTML_TEXTS_JS, handle),
    }


def check_theme(page, theme: str, capsys) -> list[str]:
    """Measure every widget in ``theme``; print the summary; return what a student would miss."""
    set_theme(page, theme)
    page.add_script_tag(path=str(AXE))
    page.evaluate(COLOUR_JS)
    problems, svg_texts, sizes = [], [], []
    axe_judged, axe_unsure = 0, []
    for name in WIDGETS:
        found = measure(page, name)
        axe_judged += found["axe"]["judged"]
        axe_unsure += found["axe"]["unsure"]
        for v in found["axe"]["violations"]:
            ratio = v["data"].get("contrastRatio")
            detail = (
                f"ratio {ratio} ({v['data'].get('fgColor')} on {v['data'].get('bgColor')})"
                if v["rule"] == "color-contrast"
                else v["html"]
            )
            problems.append(f"{theme} {name}: axe {v['rule']} {v['target']} {detail}")
        for t in found["svg"]:
            t["widget"] = name
            svg_texts.append(t)
            if t["ratio"] < MIN_RATIO:
                problems.append(
                    f"{theme} {name}: svg {t['cls']} {t['text']!r} at {t['where']} "
                    f"on {t['on']}: {t['ratio']:.2f}:1"
                )
        for t in found["svg"] + found["html"]:
            sizes.append((t["px"], name, t.get("cls"), t["text"]))
            if t["px"] < MIN_PX - 0.05:
                problems.append(
                    f"{theme} {name}: {t.get('cls') or t.get('tag')} "
                    f"{t['text']!r} renders at {t['px']:.1f} px"
                )
    lowest = min(svg_texts, key=lambda t: t["ratio"])
    smallest = min(sizes)
    with capsys.disabled():
        print(
            f"\n[e2e theme] {theme}: {len(sizes)} texts checked ({len(svg_texts)} SVG); "
            f"lowest SVG contrast {lowest['ratio']:.2f}:1 ({lowest['widget']} "
            f"{lowest['cls']} {lowest['text']!r} on {lowest['on']}); smallest text "
            f"{smallest[0]:.1f} px ({smallest[1]} {smallest[2]} {smallest[3]!r}); "
            f"axe judged {axe_judged} HTML texts, {len(axe_unsure)} undecided, "
            f"{sum(p.count(': axe ') for p in problems)} violations"
        )
        if axe_unsure:
            print(f"[e2e theme] axe could not decide (e.g. text over an image): {axe_unsure[:8]}")
    # axe saw the widgets' text: a run that judged nothing would pass vacuously
    assert axe_judged >= 40, f"axe judged only {axe_judged} texts in {theme}"
    return problems


def screenshot(page, name: str) -> Path:
    """The diagram, explorer and top of the first exercise in view, as a student sees them."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS_DIR / name
    for widget, shot in (
        ("theme-diagram", path),
        ("theme-wrong", path.with_stem(f"{path.stem}-wrong")),
        ("theme-training", path.with_stem(f"{path.stem}-training")),
    ):
        page.locator(f".{widget}").first.scroll_into_view_if_needed()
        page.wait_for_timeout(600)  # Lab paints a cell scrolled back into view a moment later
        page.screenshot(path=str(shot))
    return path


def test_every_widget_readable_in_light_and_dark(lab_server, page, page_errors, capsys):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make node_modules/.installed`", pytrace=False)
    relpath = write_notebook(lab_server.root, "theme-contrast", CELLS)
    open_notebook(page, lab_server, relpath)
    run_all_and_wait(page, SENTINEL, timeout=180_000)
    for name in WIDGETS:
        page.locator(f".{name}").first.wait_for(state="attached", timeout=30_000)
    page.locator(".theme-explorer math").first.wait_for(timeout=30_000)
    # what is being judged: the wrong answer's message, the right one's, the current node
    expect(page.locator(".theme-wrong .bpw-verdict:not(.bpw-correct)")).to_be_visible()
    expect(page.locator(".theme-right .bpw-verdict.bpw-correct")).to_be_visible()
    expect(page.locator(".theme-explorer .bpw-node.bpw-current")).to_have_count(1)
    expect(page.locator(".theme-explorer .bpw-term.pinned")).to_have_count(1)

    problems = check_theme(page, "JupyterLab Light", capsys)
    screenshot(page, "theme-light.png")
    try:
        problems += check_theme(page, "JupyterLab Dark", capsys)
        screenshot(page, "theme-dark.png")
    finally:  # the theme is a user setting of the shared server: later tests expect Light
        set_theme(page, "JupyterLab Light")

    assert problems == [], "\n".join(problems)
    assert unexpected_page_errors(page_errors) == []

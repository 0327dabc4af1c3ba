"""GradientExercise in a real JupyterLab: a student types the seed question's answer.

Typing uses Playwright's keyboard (real key events, as fast as it can go, which is the
hard case for Enter: the last keystrokes' updates may still be held back by ipywidgets).
The exercise is one anywidget: its formulas are MathML (``math`` elements, whose text is
the formula), its controls plain HTML drawn by static/exercise.js.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import nbformat
from playwright.sync_api import expect

from tests.e2e.jupyter import (
    ARTIFACTS_DIR,
    KNOWN_NOTEBOOK7_PAGE_ERROR,
    open_notebook,
    open_notebook7,
    run_all_and_wait,
    unexpected_page_errors,
    wait_for_kernel_output,
    write_notebook,
)

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
SENTINEL = "BPW-EXERCISE-READY"
SEED_WRONG = "dh1/dw1 * dw7/dh1 * do2/dw7 * dL/do2 + dh1/dw1 * dw5/dh1 * do1/dw5 * dL/do1"
SEED_RIGHT = "dh1/dw1 * do2/dh1 * dL/do2 + dh1/dw1 * do1/dh1 * dL/do1"

CELLS = [
    "import backprop_widgets as bw",
    'net, x, t = bw.presets.mazur()\nq = bw.GradientQuestion(net, "w1", x, t)\n'
    'ex = bw.GradientExercise(q)\nex.add_class("ex-seed")\nex',
    f"print({SENTINEL!r})",
]

# Set the box's text as an input event would, then time until the preview shows `expect`
# typeset (as MathML: a math element's text is the formula's).
TYPE_TO_PREVIEW_JS = """
(root, {text, expect}) => new Promise((resolve, reject) => {
  const input = root.querySelector('input.bpw-answer');
  const preview = root.querySelector('.bpw-preview');
  const shown = () => Array.from(preview.querySelectorAll('math'))
    .map((m) => m.textContent).join('');
  const start = performance.now();
  const observer = new MutationObserver(() => {
    if (shown().replace(/\\s+/g, '') === expect) {
      observer.disconnect(); resolve(performance.now() - start);
    }
  });
  observer.observe(preview, {subtree: true, childList: true, characterData: true});
  setTimeout(() => { observer.disconnect(); reject(new Error('no preview for ' + text)); }, 60000);  // generous: only a broken widget waits this long
  input.value = text;
  input.dispatchEvent(new Event('input', {bubbles: true}));
})
"""

# Type `text` into the box and press Check (a click), then time until the verdict for it is
# on the page: the whole round trip a student waits for.
CLICK_TO_VERDICT_JS = """
(root, {text, verdict}) => new Promise((resolve, reject) => {
  const input = root.querySelector('input.bpw-answer');
  const feedback = root.querySelector('.bpw-feedback');
  input.value = text;
  input.dispatchEvent(new Event('input', {bubbles: true}));
  const done = () => {
    const v = feedback.querySelector('.bpw-verdict');
    return v && v.dataset.verdict === verdict && feedback.textContent.includes('attempt');
  };
  const before = feedback.innerHTML;
  const start = performance.now();
  const observer = new MutationObserver(() => {
    if (feedback.innerHTML !== before && done()) {
      observer.disconnect(); resolve(performance.now() - start);
    }
  });
  observer.observe(feedback, {subtree: true, childList: true, characterData: true});
  setTimeout(() => { observer.disconnect(); reject(new Error('no verdict for ' + text)); }, 60000);
  root.querySelector('button.bpw-check').click();
})
"""


def screenshot(page, locator, name: str) -> None:
    """Extra screenshots of intermediate states, only when BPW_E2E_SCREENSHOTS=1."""
    if os.environ.get("BPW_E2E_SCREENSHOTS") == "1":
        ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
        locator.scroll_into_view_if_needed()
        locator.screenshot(path=str(ARTIFACTS_DIR / f"{name}.png"))


def test_seed_answer_is_diagnosed_then_corrected(lab_server, page, page_errors):
    path = write_notebook(lab_server.root, "exercise.ipynb", CELLS)
    open_notebook(page, lab_server, path)
    run_all_and_wait(page, SENTINEL)
    exercise = page.locator(".ex-seed")
    expect(exercise.locator(".bpw-question math").first).to_be_visible()
    # the asked weight is selected on the diagram, and only its own edge is lit
    expect(exercise.locator("g.bpw-edge.bpw-selected[data-param='w1']")).to_have_count(1)
    expect(exercise.locator("g.bpw-edge.bpw-lit")).to_have_count(1)

    box = exercise.locator("input.bpw-answer")
    expect(box).to_have_attribute("aria-label", "your answer: dL/dw1")
    box.press_sequentially(SEED_WRONG)  # real key events, no delay between them
    box.press("Enter")
    verdict = exercise.locator(".bpw-feedback .bpw-verdict")
    expect(verdict).to_have_attribute("data-verdict", "incorrect")
    expect(verdict).to_contain_text("dw7/dh1")
    expect(verdict).to_contain_text("independent variable")
    expect(exercise.locator(".bpw-preview math").first).to_be_visible()
    expect(exercise.locator(".bpw-feedback")).to_have_attribute("aria-live", "polite")
    # Enter judged every keystroke, even those typed as fast as the keyboard can go
    wait_for_kernel_output(
        page, f"print(len(ex.attempts), ex.attempts[-1].answer == {SEED_WRONG!r})", "1 True"
    )
    screenshot(page, exercise, "exercise_seed_wrong")

    box.fill(SEED_RIGHT)  # replaces the text, as select-all + typing would
    exercise.locator("button.bpw-check").click()
    expect(verdict).to_have_attribute("data-verdict", "correct")
    expect(verdict).to_contain_text("Correct")
    expect(box).to_have_value(SEED_RIGHT)
    wait_for_kernel_output(
        page,
        "r = ex.result(); print(r.correct, r.attempts, r.hints_used, r.solution_shown)",
        "True 2 0 False",
    )
    assert page_errors == []


def test_the_exercise_by_keyboard_alone(lab_server, page, page_errors, capsys):
    """Tab reaches every control, Enter and Space use them; keys outside the widget are not
    its business; and a Check click's verdict is timed in the page."""
    # answers=False: no attempts restored from another test's answers file
    cells = [
        CELLS[0],
        CELLS[1].replace("GradientExercise(q)", "GradientExercise(q, answers=False)"),
        CELLS[2],
    ]
    path = write_notebook(lab_server.root, "exercise-keys.ipynb", cells)
    open_notebook(page, lab_server, path)
    run_all_and_wait(page, SENTINEL)
    exercise = page.locator(".ex-seed")
    box = exercise.locator("input.bpw-answer")
    box.scroll_into_view_if_needed()
    box.fill("0.5")
    box.focus()
    page.keyboard.press("Tab")  # to Check
    expect(exercise.locator("button.bpw-check")).to_be_focused()
    page.keyboard.press("Enter")
    verdict = exercise.locator(".bpw-feedback .bpw-verdict")
    expect(verdict).to_have_attribute("data-verdict", "incorrect")
    page.keyboard.press("Tab")  # to Hint
    expect(exercise.locator("button.bpw-hint")).to_be_focused()
    page.keyboard.press("Space")
    expect(exercise.locator(".bpw-hint-panel li[data-hint='1']")).to_be_visible()
    expect(exercise.locator("button.bpw-hint")).to_have_text("Hint (2 left)")
    # the first hint lit every path on the diagram
    expect(exercise.locator("g.bpw-edge.bpw-lit")).to_have_count(5)
    page.keyboard.press("Tab")  # to Show solution
    expect(exercise.locator("button.bpw-solution")).to_be_focused()
    # back to the checkbox under the diagram: Shift+Tab through the box, past the weights
    values = exercise.locator(".bpw-show-values input")
    values.focus()
    page.keyboard.press("Space")
    wait_for_kernel_output(page, "print(ex.show_values)", "True")
    expect(exercise.locator("text.bpw-edge-label", has_text="w1=")).to_have_count(1)
    # every weight and bias on the diagram is reachable with Tab too, and Space selects it
    expect(exercise.locator("g.bpw-edge[tabindex='0']")).to_have_count(12)
    exercise.locator("g.bpw-edge[data-param='w5']").focus()
    page.keyboard.press("Space")
    expect(exercise.locator("g.bpw-edge.bpw-selected[data-param='w5']")).to_have_count(1)
    wait_for_kernel_output(page, "print(ex.selected)", "w5")

    # Check click -> the verdict in the page, each time a new answer
    answers = [(f"0.{i}", "incorrect") for i in range(1, 8)] + [("0.000438568", "correct")]
    timings = [
        exercise.evaluate(CLICK_TO_VERDICT_JS, {"text": a, "verdict": v}) for a, v in answers
    ]
    wait_for_kernel_output(page, "print(len(ex.attempts), ex.result().correct)", "9 True")
    with capsys.disabled():
        print(
            f"\n[speed] Check click -> verdict in the page: median "
            f"{statistics.median(timings):.0f} ms (min {min(timings):.0f}, max "
            f"{max(timings):.0f}, n={len(timings)})"
        )
    assert page_errors == []


def test_exercises_notebook_hints_solution_and_typing_latency(
    lab_server, page, page_errors, capsys
):
    """The real notebooks/06-exercises.ipynb, as a student opens it."""
    source = nbformat.read(NOTEBOOKS / "06-exercises.ipynb", as_version=4)
    source.cells.append(nbformat.v4.new_code_cell(f"print({SENTINEL!r})"))
    (lab_server.root / "06-exercises.ipynb").write_text(nbformat.writes(source))
    open_notebook(page, lab_server, "06-exercises.ipynb")
    run_all_and_wait(page, SENTINEL, timeout=180_000)
    exercises = page.locator(".bpw-exercise")
    expect(exercises).to_have_count(8)

    # the first exercise: the seed's own dL/dw2, with the primed output name y'
    first = exercises.nth(0)
    first.scroll_into_view_if_needed()
    first.locator("input.bpw-answer").fill("dy'/dw2 * dL/dy'")
    first.locator("input.bpw-answer").press("Enter")
    expect(first.locator(".bpw-verdict")).to_have_attribute("data-verdict", "correct")

    exercise = exercises.nth(3)  # the seed question: 2-2-2, dL/dw1
    exercise.scroll_into_view_if_needed()
    expect(exercise.locator(".bpw-prompt-box")).to_have_attribute("data-param", "w1")
    box = exercise.locator("input.bpw-answer")

    # typed "$" stays text: the preview shows it in <code>, not as math
    box.fill("$x$ + dh1/dw1 *")
    expect(exercise.locator(".bpw-preview .bpw-preview-box")).to_have_attribute(
        "data-state", "syntax"
    )
    expect(exercise.locator(".bpw-preview code.bpw-typed")).to_contain_text("$x$")
    assert exercise.locator(".bpw-preview math").count() == 0

    # typing -> kernel -> preview typeset, timed in the page (input event to MathJax output)
    # and through Playwright's keyboard (one real keystroke to the typeset preview)
    in_page = [
        exercise.evaluate(TYPE_TO_PREVIEW_JS, {"text": f"0.{i}{i + 1}", "expect": f"0.{i}{i + 1}"})
        for i in range(1, 9)
    ]
    with_keys = []
    box.fill("0.1")
    for digit in "23456":
        start = time.perf_counter()
        box.press(digit)
        expected = box.input_value()
        exercise.locator(".bpw-preview math").filter(has_text=expected).wait_for()
        with_keys.append((time.perf_counter() - start) * 1000)

    hint = exercise.locator("button.bpw-hint")
    for n in (1, 2, 3):
        hint.click()
        expect(exercise.locator(f".bpw-hint-panel li[data-hint='{n}']")).to_be_visible()
    expect(hint).to_be_disabled()
    panel = exercise.locator(".bpw-hint-panel")
    expect(panel).to_contain_text("w1 → h1 → o2 → L")
    panel.locator("math").first.wait_for()

    exercise.locator("button.bpw-solution").click()
    solution = exercise.locator(".bpw-solution-panel .bpw-explorer-panel[data-param='w1']")
    solution.locator(".bpw-total math").wait_for()
    expect(exercise.locator("button.bpw-solution")).to_have_text("Hide solution")
    wait_for_kernel_output(
        page,
        "r = seed.result(); print(r.correct, r.hints_used, r.solution_shown, r.gave_up)",
        "False 3 True True",
    )
    screenshot(page, exercise, "exercise_hints_solution")
    with capsys.disabled():
        print(
            f"\n[speed] typing -> preview typeset, in page: median "
            f"{statistics.median(in_page):.0f} ms (min {min(in_page):.0f}, max "
            f"{max(in_page):.0f}, n={len(in_page)}); one Playwright keystroke -> typeset "
            f"preview: median {statistics.median(with_keys):.0f} ms (n={len(with_keys)})"
        )
    assert page_errors == []


def test_exercise_checks_typed_answers_in_notebook7(notebook_server, page, page_errors):
    path = write_notebook(notebook_server.root, "exercise-nb7.ipynb", CELLS)
    open_notebook7(page, notebook_server, path)
    run_all_and_wait(page, SENTINEL)
    exercise = page.locator(".ex-seed")
    box = exercise.locator("input.bpw-answer")
    box.scroll_into_view_if_needed()
    box.press_sequentially(SEED_WRONG)
    box.press("Enter")
    verdict = exercise.locator(".bpw-feedback .bpw-verdict")
    expect(verdict).to_have_attribute("data-verdict", "incorrect")
    expect(verdict).to_contain_text("dw7/dh1")
    box.fill(SEED_RIGHT)
    exercise.locator("button.bpw-check").click()
    expect(verdict).to_have_attribute("data-verdict", "correct")
    assert unexpected_page_errors(page_errors, ignore=[KNOWN_NOTEBOOK7_PAGE_ERROR]) == []

"""Smoke tests of the e2e harness itself, with a tiny inline anywidget instead of the package.

If these fail, the widget e2e tests cannot be trusted either: look here first.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

from playwright.sync_api import expect

from tests.e2e.jupyter import (
    KNOWN_NOTEBOOK7_PAGE_ERROR,
    kernel_exec,
    open_notebook,
    open_notebook7,
    run_all_and_wait,
    unexpected_page_errors,
    wait_for_kernel_output,
    write_notebook,
)

SENTINEL = "BPW-SMOKE-DONE"

# A counter button. The click handler stamps `clicked_at` (epoch ms, same clock as the
# kernel's time.time()) so Python can measure the one-way click -> observer latency, and
# Python echoes every count back so the browser can see the round trip completed.
SMOKE_WIDGET_CELL = '''
import time

import anywidget
import traitlets


class SmokeWidget(anywidget.AnyWidget):
    _esm = """
    function render({ model, el }) {
      const button = document.createElement("button");
      button.setAttribute("data-testid", "bpw-smoke");
      let clickedAt = 0;
      const show = () => {
        button.textContent = "clicked " + model.get("count") + " times";
        button.dataset.count = String(model.get("count"));
        button.dataset.echo = String(model.get("echo"));
      };
      button.addEventListener("click", () => {
        clickedAt = performance.now();
        model.set("count", model.get("count") + 1);
        model.set("clicked_at", Date.now());
        model.save_changes();
      });
      model.on("change:count", show);
      model.on("change:echo", () => {
        button.dataset.roundTripMs = String(performance.now() - clickedAt);
        show();
      });
      show();
      el.appendChild(button);
    }
    export default { render };
    """
    count = traitlets.Int(0).tag(sync=True)
    echo = traitlets.Int(0).tag(sync=True)
    clicked_at = traitlets.Float(0.0).tag(sync=True)
    latencies_ms = traitlets.List()

    @traitlets.observe("count")
    def _on_count(self, change):
        self.latencies_ms.append(time.time() * 1000 - self.clicked_at)
        self.echo = self.count
'''

SMOKE_CELLS = [
    SMOKE_WIDGET_CELL.strip(),
    "w = SmokeWidget()\nw",
    f"print({SENTINEL!r})",
]

LATENCY_CLICKS = 10


def report(capsys, line: str) -> None:
    """Show a measurement even under -q (printed, deliberately not asserted)."""
    with capsys.disabled():
        print(f"\n[e2e] {line}")


def test_anywidget_click_reaches_python_in_lab(lab_server, page, page_errors, capsys):
    relpath = write_notebook(lab_server.root, "smoke", SMOKE_CELLS)

    started = time.monotonic()
    open_notebook(page, lab_server, relpath)
    opened_in = time.monotonic() - started
    run_all_and_wait(page, SENTINEL)

    button = page.get_by_test_id("bpw-smoke")
    expect(button).to_be_visible()
    assert kernel_exec(page, "import sys; print(sys.executable)").strip() == sys.executable

    button.click()
    button.click()
    assert wait_for_kernel_output(page, "print(w.count)", "2") == "2"

    js_round_trips_ms, playwright_round_trips_ms = [], []
    for n in range(3, 3 + LATENCY_CLICKS):
        clicked = time.perf_counter()
        button.click()
        echoed = page.wait_for_function(
            """n => {
              const data = document.querySelector('[data-testid=bpw-smoke]').dataset;
              return data.echo === String(n) && data.roundTripMs;
            }""",
            arg=n,
            polling="raf",
        )
        playwright_round_trips_ms.append((time.perf_counter() - clicked) * 1000)
        js_round_trips_ms.append(float(echoed.json_value()))
    one_way_ms = json.loads(kernel_exec(page, "import json; print(json.dumps(w.latencies_ms[2:]))"))

    report(
        capsys,
        f"lab server start {lab_server.startup_seconds:.1f} s, notebook open {opened_in:.1f} s; "
        f"medians over {LATENCY_CLICKS} clicks: click -> Python observer "
        f"{statistics.median(one_way_ms):.0f} ms, click -> Python -> browser "
        f"{statistics.median(js_round_trips_ms):.0f} ms, same through Playwright "
        f"{statistics.median(playwright_round_trips_ms):.0f} ms",
    )
    assert unexpected_page_errors(page_errors) == []


def test_anywidget_renders_in_notebook7(notebook_server, page, page_errors, capsys):
    relpath = write_notebook(notebook_server.root, "smoke", SMOKE_CELLS)

    started = time.monotonic()
    open_notebook7(page, notebook_server, relpath)
    opened_in = time.monotonic() - started
    run_all_and_wait(page, SENTINEL)

    button = page.get_by_test_id("bpw-smoke")
    button.scroll_into_view_if_needed()  # Notebook 7 scrolls inside a panel: for the screenshot
    expect(button).to_be_visible()
    report(
        capsys,
        f"notebook 7 server start {notebook_server.startup_seconds:.1f} s, "
        f"notebook open {opened_in:.1f} s",
    )
    assert unexpected_page_errors(page_errors, ignore=[KNOWN_NOTEBOOK7_PAGE_ERROR]) == []

"""The diagram's neuron pictures in a real JupyterLab: drawn from Python's images, in place."""

from __future__ import annotations

from tests.e2e.jupyter import (
    ARTIFACTS_DIR,
    kernel_exec,
    open_notebook,
    run_all_and_wait,
    wait_for_kernel_output,
    write_notebook,
)

SENTINEL = "BPW-PICTURES-READY"
CELLS = [
    "import backprop_widgets as bw\n"
    "from backprop_widgets.core.pictures import extent_of\n"
    "net, X, T = bw.presets.moons()\n"
    "bw.train(net, X, T, lr=0.5, steps=300)\n"
    "d = bw.NetworkDiagram(net)\n"
    "d.add_class('pictures')\n"
    "d.show_neuron_pictures(extent_of(X))\n"
    "d",
    f"print({SENTINEL!r})",
]


def test_every_hidden_and_output_neuron_shows_its_picture(lab_server, page):
    path = write_notebook(lab_server.root, "pictures.ipynb", CELLS)
    open_notebook(page, lab_server, path)
    run_all_and_wait(page, SENTINEL)
    images = page.locator(".pictures g.bpw-node.bpw-has-picture image.bpw-picture")
    images.first.wait_for()
    assert images.count() == 33  # 16 + 16 hidden neurons and the output
    href = images.first.get_attribute("href")
    assert href.startswith("data:image/png;base64,")
    # each picture sits inside its own circle
    circle = page.locator(".pictures g.bpw-node[data-node='h1'] circle").first.bounding_box()
    image = page.locator(".pictures g.bpw-node[data-node='h1'] image").first.bounding_box()
    assert abs(circle["x"] - image["x"]) < 2 and abs(circle["width"] - image["width"]) < 2
    # hiding them from Python takes them away in the page
    kernel_exec(page, "d.hide_neuron_pictures()")
    page.wait_for_function(
        "() => document.querySelectorAll('.pictures g.bpw-node.bpw-has-picture').length === 0"
    )
    kernel_exec(page, "d.show_neuron_pictures(extent_of(X))")
    images.first.wait_for()
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    page.locator(".pictures").first.screenshot(path=ARTIFACTS_DIR / "neuron-pictures.png")


EDIT_CELLS = [
    "import backprop_widgets as bw\n"
    "net, x, t = bw.presets.mazur()\n"
    "ex = bw.ChainRuleExplorer(net, x, t)\n"
    "ex.add_class('editing')\n"
    "ex",
    f"print({SENTINEL!r})",
]

POINT_ON_EDGE_JS = """
([root, id, t, offset]) => {
  const line = document.querySelector(`${root} g.bpw-edge[data-edge='${id}'] line.bpw-stroke`);
  const svg = line.ownerSVGElement;
  const [x1, y1, x2, y2] = ['x1', 'y1', 'x2', 'y2'].map((k) => +line.getAttribute(k));
  const p = new DOMPoint(x1 + (x2 - x1) * t, y1 + (y2 - y1) * t + offset).matrixTransform(svg.getScreenCTM());
  return [p.x, p.y];
}
"""


def test_a_click_picks_the_nearest_line_and_a_double_click_edits_the_weight(lab_server, page):
    path = write_notebook(lab_server.root, "editing.ipynb", EDIT_CELLS)
    open_notebook(page, lab_server, path)
    run_all_and_wait(page, SENTINEL)
    root = ".editing"
    page.locator(f"{root} g.bpw-edge[data-edge='w6']").first.wait_for()
    # a click exactly where w6 and w7 cross selects one of them, never neither
    x, y = page.evaluate(POINT_ON_EDGE_JS, [root, "w5", 0.5, 0])
    page.mouse.click(x, y)
    wait_for_kernel_output(page, "print(ex.selected)", "w5", timeout=60_000)
    x, y = page.evaluate(POINT_ON_EDGE_JS, [root, "w6", 0.5, 0])
    page.mouse.click(x, y)
    page.wait_for_function(
        "() => ['w6', 'w7'].includes(document.querySelector('.editing .bpw-diagram').dataset.selected)"
    )
    # w6 and w7 cross at their midpoints: a click just beside the crossing, on w6's side
    for edge, other in (("w6", "w7"), ("w7", "w6")):
        x, y = page.evaluate(POINT_ON_EDGE_JS, [root, edge, 0.42, 0])
        page.mouse.click(x, y)
        assert kernel_exec(page, "print(ex.selected)").strip() == edge, (edge, other)
    # w7 is selected. Hovering w5 says how to edit it; double-click w5, type a value, Enter:
    # Python's network changes, the formula follows, and w7 stays selected (so a student can
    # set a weight and watch another weight's gradient change)
    x, y = page.evaluate(POINT_ON_EDGE_JS, [root, "w5", 0.5, 0])
    page.mouse.move(x, y)
    tip = page.locator(f"{root} .bpw-tooltip")
    tip.wait_for(state="visible")
    assert "double-click or Enter to edit" in tip.inner_text()
    page.mouse.dblclick(x, y)
    editor = page.locator(f"{root} input.bpw-weight-editor")
    editor.wait_for(state="visible")
    editor.fill("0.9")
    editor.press("Enter")
    # the edit reaches Python on a kernel subshell: waited for, however busy the machine
    wait_for_kernel_output(page, "print(net['w5'])", "0.9", timeout=60_000)
    assert kernel_exec(page, "print(ex.selected)").strip() == "w7"
    page.wait_for_function(
        "() => document.querySelector(\".editing .bpw-diagram\").dataset.selected === 'w7'"
    )
    # a value that is not a number changes nothing and says why beside the edge
    page.mouse.dblclick(x, y)
    editor.wait_for(state="visible")
    editor.fill("zero point nine")
    editor.press("Enter")
    tip = page.locator(f"{root} .bpw-tooltip.bpw-edit-error")
    tip.wait_for(state="visible")
    assert "finite number" in tip.inner_text()
    assert kernel_exec(page, "print(net['w5'])").strip() == "0.9"


def test_a_saved_lecture_reopens_with_its_widgets_after_the_kernel_is_gone(lab_server, page):
    import json

    from tests.e2e.jupyter import delete_all_sessions

    path = write_notebook(lab_server.root, "reopen.ipynb", EDIT_CELLS)
    open_notebook(page, lab_server, path)
    # the setting `make lab`, `make test` and binder/postBuild install
    # (an override becomes the setting's default)
    saves = page.evaluate(
        """async () => (await jupyterapp.serviceManager.settings.fetch(
             '@jupyter-widgets/jupyterlab-manager:plugin')).schema.properties.saveState.default"""
    )
    assert saves is True
    run_all_and_wait(page, SENTINEL)
    # (a diagonal edge: Playwright counts a horizontal SVG line as invisible)
    page.locator(".editing g.bpw-edge[data-edge='w6']").first.wait_for()
    # live: the kernel answers the drawing's hello, so no "saved picture" note, ever
    page.wait_for_timeout(4_500)
    assert page.locator(".editing .bpw-offline-note").first.is_hidden()
    page.evaluate("() => jupyterapp.commands.execute('docmanager:save')")
    saved = {}
    for _ in range(50):
        saved = json.loads((lab_server.root / path).read_text())
        if "widgets" in saved.get("metadata", {}):
            break
        page.wait_for_timeout(100)
    state = saved["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert any(m["model_name"] == "AnyModel" for m in state.values())
    # the second visit: the kernel is gone, the page is reloaded
    delete_all_sessions(lab_server)
    page.goto("about:blank")
    open_notebook(page, lab_server, path)
    shown = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    shown.locator(".editing g.bpw-edge[data-edge='w6']").first.wait_for(timeout=20_000)
    assert shown.locator(".editing g.bpw-node[data-node='h1']").count() >= 1
    text = shown.first.inner_text()
    assert "model not found" not in text and "Error displaying widget" not in text
    # drawn from the saved state: the new kernel has run nothing
    assert kernel_exec(page, "print('ex' in dir())").strip() == "False"
    # nothing answers the drawing: it says once, under it, how to make it live
    note = shown.locator(".editing .bpw-offline-note").first
    note.wait_for(state="visible", timeout=20_000)
    assert "run its cell to explore it" in note.inner_text()
    # a click with nothing to answer it: nothing half-updates (the saved selection and its
    # formula stay together), and the page says once how to make it live
    before = shown.locator(".editing .bpw-explorer-panel").first.get_attribute("data-param")
    x, y = page.evaluate(
        POINT_ON_EDGE_JS, [".jp-NotebookPanel:not(.lm-mod-hidden) .editing", "w5", 0.5, 0]
    )
    page.mouse.click(x, y)
    tip = shown.locator(".editing .bpw-tooltip.bpw-offline")
    tip.wait_for(state="visible", timeout=20_000)
    assert "run its cell to explore it" in tip.inner_text()
    selected = shown.locator(".editing .bpw-diagram").first.get_attribute("data-selected")
    assert selected == before, (selected, before)  # the diagram did not move on without the formula

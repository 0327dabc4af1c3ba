"""The explorer on any computation graph, in a real JupyterLab at 1366x768 (issue 19).

CS231n's circuit f = (x + y)·z, colah's e = (a + b)(b + 1) where two paths merge, and Mazur's
network at the operation level (every multiply and add a node): a student clicks a leaf with
the mouse, its paths light, and the formula's total is the core's derivative.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.jupyter import kernel_exec, open_notebook, run_all_and_wait, write_notebook

SENTINEL = "BPW-GRAPHS-READY"
CELLS = [
    "import backprop_widgets as bw",
    'x, y, z = bw.Value(-2.0, "x"), bw.Value(5.0, "y"), bw.Value(-4.0, "z")\n'
    'g_circuit = bw.Graph(((x + y).named("q") * z).named("f"))\n'
    'ex_circuit = bw.ChainRuleExplorer(g_circuit, selected="q")\nex_circuit.add_class("ex-circuit")\nex_circuit',
    'g_colah = bw.expression("c = a + b; d = b + 1; e = c * d", a=2, b=1)\n'
    'ex_colah = bw.ChainRuleExplorer(g_colah)\nex_colah.add_class("ex-colah")\nex_colah',
    "net, xm, tm = bw.presets.mazur()\n"
    'ex_ops = bw.ChainRuleExplorer(net, xm, tm, level="operation", selected="w5")\n'
    'ex_ops.add_class("ex-ops")\nex_ops',
    f"print({SENTINEL!r})",
]


def click_node(page, root: str, name: str) -> None:
    """A real mouse click at the middle of a node's shape."""
    node = page.locator(f"{root} g.bpw-node[data-node='{name}']")
    node.scroll_into_view_if_needed()
    box = node.locator("circle, rect").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def lit_edges(page, root: str) -> list[str]:
    return sorted(
        page.locator(f"{root} g.bpw-edge.bpw-lit").evaluate_all(
            "els => els.map(e => e.dataset.edge)"
        )
    )


def total_shown(page, root: str, name: str) -> float:
    total = page.locator(f"{root} .bpw-explorer-panel[data-param='{name}'] .bpw-total math").first
    total.wait_for()
    text = total.text_content().replace("\u2212", "-")
    return float(re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)[-1])


def test_a_click_on_a_leaf_of_any_graph_lights_its_paths_and_writes_its_derivative(
    lab_server, browser
):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        path = write_notebook(lab_server.root, "graphs.ipynb", CELLS)
        open_notebook(page, lab_server, path)
        run_all_and_wait(page, SENTINEL)

        # CS231n: a click on x -> the path x -> q -> f, and df/dx = z = -4
        click_node(page, ".ex-circuit", "x")
        expect(page.locator(".ex-circuit .bpw-explorer-panel[data-param='x']")).to_be_visible()
        assert kernel_exec(page, "print(ex_circuit.selected)").strip() == "x"
        assert lit_edges(page, ".ex-circuit") == ["q>f", "x>q"]
        assert total_shown(page, ".ex-circuit", "x") == -4.0
        assert (
            "1 path from x to f"
            in page.locator(".ex-circuit .bpw-explorer-panel .bpw-panel-title").inner_text()
        )

        # colah: b reaches e through c and through d; the derivative is the sum, 2 + 3 = 5
        click_node(page, ".ex-colah", "b")
        expect(page.locator(".ex-colah .bpw-explorer-panel[data-param='b']")).to_be_visible()
        assert lit_edges(page, ".ex-colah") == ["b>c", "b>d", "c>e", "d>e"]
        assert total_shown(page, ".ex-colah", "b") == 5.0
        chips = page.locator(".ex-colah .bpw-term").all_inner_texts()
        assert len(chips) == 2 and chips[0].endswith("= 2") and chips[1].endswith("= 3"), chips

        # Mazur at the operation level: w1 is a leaf square; dL/dw1 is Mazur's 0.000438568
        click_node(page, ".ex-ops", "w1")
        expect(page.locator(".ex-ops .bpw-explorer-panel[data-param='w1']")).to_be_visible()
        lit = lit_edges(page, ".ex-ops")
        assert {"w1>w1_i1", "w1_i1>net_h1", "net_h1>h1", "h1>w5_h1", "h1>w7_h1", "o1>L"} <= set(lit)
        assert "w2>w2_i2" not in lit
        expected = float(kernel_exec(page, "print(f\"{net.gradients(xm, tm)['w1']:.6g}\")"))
        assert total_shown(page, ".ex-ops", "w1") == expected == 0.000438568
        # the operation level reads as micrograd draws it: a × node, a + node, a σ node
        labels = page.locator(".ex-ops g.bpw-node.bpw-op .bpw-node-label").all_text_contents()
        assert {"×", "+", "σ"} <= set(labels)
        page.locator(".ex-ops").screenshot(path="test-artifacts/e2e/graph-explorer-ops.png")
        assert errors == []
    finally:
        context.close()

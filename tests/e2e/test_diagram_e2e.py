"""The diagram's neuron pictures in a real JupyterLab: drawn from Python's images, in place."""

from __future__ import annotations

from tests.e2e.jupyter import (
    ARTIFACTS_DIR,
    kernel_exec,
    open_notebook,
    run_all_and_wait,
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
    images = page.locator(".pictures g.node.has-picture image.picture")
    images.first.wait_for()
    assert images.count() == 33  # 16 + 16 hidden neurons and the output
    href = images.first.get_attribute("href")
    assert href.startswith("data:image/png;base64,")
    # each picture sits inside its own circle
    circle = page.locator(".pictures g.node[data-node='h1'] circle").first.bounding_box()
    image = page.locator(".pictures g.node[data-node='h1'] image").first.bounding_box()
    assert abs(circle["x"] - image["x"]) < 2 and abs(circle["width"] - image["width"]) < 2
    # hiding them from Python takes them away in the page
    kernel_exec(page, "d.hide_neuron_pictures()")
    page.wait_for_function(
        "() => document.querySelectorAll('.pictures g.node.has-picture').length === 0"
    )
    kernel_exec(page, "d.show_neuron_pictures(extent_of(X))")
    images.first.wait_for()
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    page.locator(".pictures").first.screenshot(path=ARTIFACTS_DIR / "neuron-pictures.png")

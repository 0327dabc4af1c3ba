"""The core must be usable in a plain script or an autograder: NumPy only."""

import subprocess
import sys

UI_MODULES = ["ipywidgets", "anywidget", "matplotlib", "IPython", "traitlets", "ipykernel"]


def test_core_imports_no_ui_library():
    code = (
        "import sys, backprop_widgets.core as core; "
        "net, x, t = core.presets.mazur(); net.chain_rule('w1', x, t); "
        f"print([m for m in {UI_MODULES!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_package_import_loads_widgets_only_when_asked():
    code = (
        "import sys, backprop_widgets as bw; net, x, t = bw.presets.mazur(); "
        "print('ipywidgets' in sys.modules); bw.NetworkDiagram; print('ipywidgets' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]

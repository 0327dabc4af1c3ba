"""assignments/build.py, the one list of the example assignment's exercises, as a module."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_build():
    name = "backprop_assignment_build"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "assignments" / "build.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]

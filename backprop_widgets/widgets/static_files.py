"""The widgets' ES modules and styles, read from static/ and joined for a widget that draws
several views in one module (anywidget loads one module per widget, from a Blob URL, so a
module cannot import its neighbour: Python joins them instead)."""

from __future__ import annotations

import functools
import pathlib

STATIC = pathlib.Path(__file__).parent.parent / "static"


@functools.cache
def module(*names: str) -> str:
    """One ES module from several files: only the last keeps its ``export default``."""
    parts = []
    for i, name in enumerate(names):
        text = (STATIC / name).read_text(encoding="utf-8")
        if i < len(names) - 1:
            text = "\n".join(
                line for line in text.splitlines() if not line.startswith("export default")
            )
        parts.append(f"// ---- {name}\n{text}")
    return "\n".join(parts)


@functools.cache
def styles(*names: str) -> str:
    return "\n".join((STATIC / name).read_text(encoding="utf-8") for name in names)

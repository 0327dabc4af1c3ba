"""Projector mode: every widget on the page drawn for the back of a lecture hall.

(No UI import here: ``import backprop_widgets`` stays NumPy-only; the widgets ask this module.)

``bw.projector(True)`` sets the ``projector`` trait of every widget made so far and of every
widget made after it: text and diagram labels 1.3 times larger, and the explorer keeps its
diagram beside its formula however short the window (a projector's 1024x768, a browser at
150 %), so the class sees the paths and the sum at once. ``bw.projector(False)`` undoes it.
"""

from __future__ import annotations

import weakref

from .core import validation

_state = {"on": False}
_widgets: weakref.WeakSet = weakref.WeakSet()


def projector(on: bool = True) -> None:
    """Draw every widget (made so far, and from now on) for a projector, or not."""
    on = validation.flag(on, "on")
    _state["on"] = on
    for widget in list(_widgets):
        widget.projector = on


def follow(widget) -> bool:
    """Remember a widget so that ``projector()`` reaches it; the mode it starts in."""
    _widgets.add(widget)
    return _state["on"]

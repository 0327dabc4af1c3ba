"""PathTerms: the products of a chain-rule sum as chips; hover one to light its path.

A small view used by the explorer: Python sends each product's label and value, both as
text (numbers written by :mod:`backprop_widgets.core.numbers`); the JavaScript
(``static/terms.js``) reports which chip is under the pointer (``active``) or pinned by a
click (``pinned``); the explorer lights that path on the diagram.
"""

from __future__ import annotations

import pathlib

import anywidget
import traitlets

from ..core import numbers
from ..core.chain_rule import ChainRule

STATIC = pathlib.Path(__file__).parent.parent / "static"


class PathTerms(anywidget.AnyWidget):
    """One chip per path of a :class:`ChainRule`; ``active`` is the lit path (-1: all)."""

    _esm = STATIC / "terms.js"
    _css = STATIC / "terms.css"

    terms = traitlets.List().tag(sync=True)
    active = traitlets.Int(-1).tag(sync=True)
    pinned = traitlets.Int(-1).tag(sync=True)

    def show(self, chain: ChainRule | None, limit: int) -> None:
        """Chips for the chain's products (none above ``limit`` paths); nothing lit."""
        if chain is None or not chain.enumerated or chain.path_count > limit:
            terms = []
        else:
            terms = [
                {
                    "label": " · ".join(f"∂{f.num}/∂{f.den}" for f in term),
                    "value": f"= {numbers.plain(value)}",
                }
                for term, value in zip(chain.terms, chain.term_values(), strict=True)
            ]
        with self.hold_sync():
            self.pinned = -1
            self.active = -1
            self.terms = terms

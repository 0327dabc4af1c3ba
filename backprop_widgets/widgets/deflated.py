"""Long HTML travels deflated: a panel of MathML formulas is mostly repeated tags, so zlib
makes a weight click's 10 kB of formulas about 1.3 kB on the wire. Python keeps the text
(``ex.panel`` is still a str); the page reads the bytes with the browser's own
DecompressionStream (static/deflated.js)."""

from __future__ import annotations

import zlib

import traitlets


def _to_json(text: str, _widget) -> bytes:
    # bytes are sent as a binary buffer of the message, never as base64 inside the JSON
    return zlib.compress(text.encode("utf-8"), 6) if text else b""


def _from_json(data, _widget) -> str:
    return zlib.decompress(bytes(data)).decode("utf-8") if data else ""


def DeflatedHTML(default: str = "") -> traitlets.Unicode:
    """A synced text trait sent to the page as zlib-deflated bytes."""
    return traitlets.Unicode(default).tag(sync=True, to_json=_to_json, from_json=_from_json)

"""Neuron pictures as small PNG images: the colours of what each neuron computes.

The core computes the grids (:func:`backprop_widgets.core.pictures.neuron_grids`); this
module only colours them and encodes each as a data URL the diagram's JS places inside the
neuron's circle. Colours are the diagram's own: blue where the neuron is high, orange where
it is low, white in the middle of its activation's range.
"""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from ..core.ops import ACTIVATIONS

HIGH = np.array([0x2F, 0x6F, 0xB7], float)  # the diagram's positive blue
LOW = np.array([0xE0, 0x7B, 0x1A], float)  # its negative orange
MIDDLE = np.array([0xF7, 0xF7, 0xF7], float)


def signed_level(values: np.ndarray, activation: str) -> np.ndarray:
    """Values mapped to [-1, 1] over the activation's range: -1 low, 0 middle, 1 high."""
    bounds = ACTIVATIONS[activation].output_range
    if bounds is not None:  # sigmoid, softmax (0, 1); tanh (-1, 1): the registry says
        lo, hi = bounds
        level = 2.0 * (values - lo) / (hi - lo) - 1.0
    else:  # relu, linear, gelu: no fixed range, so the picture's own largest size
        scale = float(np.max(np.abs(values))) or 1.0
        level = values / scale
    return np.clip(level, -1.0, 1.0)


def picture_png(values: np.ndarray, activation: str) -> str:
    """One grid as a ``data:image/png;base64,...`` URL."""
    level = signed_level(values, activation)[..., None]
    rgb = np.where(level >= 0, MIDDLE + (HIGH - MIDDLE) * level, MIDDLE + (LOW - MIDDLE) * -level)
    buffer = io.BytesIO()
    Image.fromarray(rgb.round().astype(np.uint8), "RGB").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def neuron_pictures(net, grids: dict[str, np.ndarray]) -> dict[str, str]:
    """Every grid coloured by its own layer's activation."""
    activation_of = {
        name: act
        for names, act in zip(net.node_names[1:], net.activation, strict=True)
        for name in names
    }
    return {name: picture_png(grid, activation_of[name]) for name, grid in grids.items()}


def picture_levels(net, grids: dict[str, np.ndarray]) -> bytes:
    """Every grid as one greyscale PNG, the tiles one under another (the order of ``grids``):
    grey 0 is the activation's low end, 255 its high end, as :func:`picture_colours` paints
    them. Measured on [2, 16, 16, 1] at 16 x 16: 4.7 kB, against 8.4 kB as raw bytes and
    about 20 kB as a PNG per neuron (and no base64)."""
    activation_of = {
        name: act
        for names, act in zip(net.node_names[1:], net.activation, strict=True)
        for name in names
    }
    levels = [signed_level(grid, activation_of[name]) for name, grid in grids.items()]
    if not levels:
        return b""
    stacked = np.nan_to_num(np.round((np.stack(levels) + 1.0) * 127.5), nan=127.0)
    tiles = stacked.astype(np.uint8).reshape(-1, stacked.shape[-1])
    buffer = io.BytesIO()
    Image.fromarray(tiles, "L").save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


def picture_colours() -> list[int]:
    """The 256 colours (r, g, b flattened) of the levels of :func:`picture_levels`: the same
    orange-white-blue as :func:`picture_png`."""
    level = (np.arange(256) / 127.5 - 1.0)[:, None]
    rgb = np.where(level >= 0, MIDDLE + (HIGH - MIDDLE) * level, MIDDLE + (LOW - MIDDLE) * -level)
    return rgb.round().astype(int).ravel().tolist()

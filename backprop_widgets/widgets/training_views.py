"""Two more matplotlib views of training, rendered with Agg like those in ``plots.py``.

- :class:`LayerNorms`: for a network too big (or too tall) to draw as a diagram, one pair of
  bars per layer: the size of its weights |W| and of their gradient |dL/dW| at the last step.
  A first layer whose gradient is far below the last one's is a vanishing gradient; bars that
  grow by decades are an lr too large.
- :class:`DigitGrid`: some 8x8 digit images with the network's predicted digit over each,
  right or wrong (for 64-input, 10-output networks: the digits preset).

Both keep one Figure for their life and blit the artists that move (see ``plots.py``): the
digit images never change, so they are part of the saved background and a frame redraws only
the labels (about 2-4 ms with the PNG).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from matplotlib.patches import Rectangle

from ..core.datasets import digits_images, labels
from ..core.errors import BackpropInputError
from ..core.network import Network
from .plots import DIVERGED_COLOR, DIVERGED_TEXT, TRAIN_COLOR, VAL_COLOR, _BlitFigure

WEIGHT_COLOR = TRAIN_COLOR
GRAD_COLOR = VAL_COLOR
RIGHT_COLOR = "#1b7a3d"  # dark enough on white for text (WCAG >= 4.5:1)
WRONG_COLOR = DIVERGED_COLOR
# (light, dark theme) label colours: >= 4.5:1 on white, and on JupyterLab Dark's #111
RIGHT_TEXT = (RIGHT_COLOR, "#5fd38d")
WRONG_TEXT = DIVERGED_TEXT
DIGIT_SIDE = 8
DIGIT_CLASSES = 10


def fits_digits(net: Network) -> bool:
    """Whether ``net`` looks at 8x8 images and says which of 10 digits (the digits preset)."""
    return net.sizes[0] == DIGIT_SIDE * DIGIT_SIDE and net.sizes[-1] == DIGIT_CLASSES


class LayerNorms(_BlitFigure):
    """|W| and |dL/dW| per layer as bars on a log scale (decades grow in coarse steps).

    ``render(weight_norms, grad_norms)`` returns PNG bytes; ``grad_norms`` may be None
    (nothing to show yet). Layer ``k`` is labelled with its shape, e.g. ``64→64``.
    """

    def __init__(self, sizes, width_px: int = 330, height_px: int = 270):
        super().__init__(width_px, height_px)
        sizes = list(sizes)
        self.n_layers = len(sizes) - 1
        ax = self.ax = self.figure.add_subplot()
        ax.set_yscale("log")
        x = np.arange(self.n_layers)
        ax.set_xticks(x, [f"{a}→{b}" for a, b in itertools.pairwise(sizes)])
        ax.set_xlim(-0.6, self.n_layers - 0.4)
        ax.set_xlabel("layer (inputs→outputs)", fontsize=10)
        self.figure.text(0.02, 0.97, "per layer: |W| and |∂L/∂W|", fontsize=11, va="top")
        ax.tick_params(labelsize=9)
        ax.grid(True, axis="y", alpha=0.3)
        width = 0.38
        self.weight_bars = [
            ax.add_patch(Rectangle((k - width, 1), width, 1, color=WEIGHT_COLOR, animated=True))
            for k in x
        ]
        self.grad_bars = [
            ax.add_patch(Rectangle((k, 1), width, 1, color=GRAD_COLOR, animated=True)) for k in x
        ]
        # The legend sits in a row of its own between the title and the plot: inside the
        # axes it covered layer 1's bars, which are the tallest when the weights are large.
        ax.legend(
            handles=[self.weight_bars[0], self.grad_bars[0]],
            labels=["|W| weights", "|∂L/∂W| last step"],
            fontsize=9,
            handlelength=1.2,
            columnspacing=1.0,
            loc="lower left",
            bbox_to_anchor=(-0.02, 1.0),
            ncol=2,
            frameon=False,
            borderaxespad=0.2,
        )
        self.figure.subplots_adjust(left=0.17, right=0.96, bottom=0.19, top=0.8)
        self._ylim = (1e-3, 1e2)
        self.ax.set_ylim(*self._ylim)

    def render(self, weight_norms, grad_norms=None, encode: bool = True) -> bytes | None:
        w = np.asarray(weight_norms, dtype=float)
        g = None if grad_norms is None else np.asarray(grad_norms, dtype=float)
        if len(w) != self.n_layers or (g is not None and len(g) != self.n_layers):
            raise BackpropInputError(
                f"LayerNorms.render needs {self.n_layers} values per row; got {len(w)}"
            )
        self._fit([w] if g is None else [w, g])
        lo = self._ylim[0]
        for bars, values in ((self.weight_bars, w), (self.grad_bars, g)):
            for bar, value in zip(bars, values if values is not None else [None] * len(bars)):
                shown = value is not None and math.isfinite(value) and value > lo
                bar.set_visible(shown)
                if shown:
                    bar.set_y(lo)
                    bar.set_height(value - lo)
        self.blit([*self.weight_bars, *self.grad_bars])
        return self.png() if encode else None

    def _fit(self, rows) -> None:
        values = np.concatenate(rows)
        values = values[np.isfinite(values) & (values > 0)]
        if not len(values):
            return
        lo, hi = self._ylim
        new = (
            min(lo, 10.0 ** math.floor(math.log10(values.min()))),
            max(hi, 10.0 ** math.ceil(math.log10(values.max()))),
        )
        if new != self._ylim:
            self._ylim = new
            self.ax.set_ylim(*new)
            self._background = None  # new ticks: a full redraw


class DigitGrid(_BlitFigure):
    """``n`` digit images (rows of ``X``, 8x8 each) with the predicted digit over each one:
    green with ✓ when it is the true digit (``T``), red with ✗ and the true digit otherwise.

    >>> X, T = digits(16)                                   # doctest: +SKIP
    >>> png = DigitGrid(X, T).render(net.forward(X))        # doctest: +SKIP
    """

    def __init__(self, X, T, n: int = 16, columns: int = 8, cell_px: int = 54):
        super().__init__(columns * cell_px, 1)
        self.columns = columns
        self.cell_px = cell_px
        self.axes: list = []
        self.labels_: list = []
        self.set_data(X, T, n)

    def set_data(self, X, T, n: int = 16) -> None:
        """Show the first ``n`` rows of ``X`` (with targets ``T``); the next render redraws all."""
        images = digits_images(np.asarray(X, dtype=float)[:n])
        self.truth = labels(np.asarray(T)[: len(images)])
        self.n = len(images)
        rows = max(1, math.ceil(self.n / self.columns))
        title_px = 38  # the title's line, clear of the first row's labels
        height = rows * self.cell_px * 1.3 + title_px
        self.figure.clear()
        self.figure.set_size_inches(self.columns * self.cell_px / 100, height / 100)
        self.figure.text(
            0.01, 1 - 4 / height, "predicted digit   ✓ right   ✗ wrong (true digit)",
            fontsize=10, va="top",
        )  # fmt: skip
        grid = self.figure.add_gridspec(
            rows, self.columns, left=0.01, right=0.99, bottom=0.01,
            top=1 - title_px / height, hspace=0.45, wspace=0.12,
        )  # fmt: skip
        self.axes, self.labels_ = [], []
        for i, image in enumerate(images):
            ax = self.figure.add_subplot(grid[i // self.columns, i % self.columns])
            ax.imshow(image, cmap="gray_r", vmin=0.0, vmax=1.0, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            label = ax.set_title("", fontsize=9.5, pad=2, animated=True)
            self.axes.append(ax)
            self.labels_.append(label)
        self.set_theme(self.theme)  # the new title and axes in the page's colours

    def predictions(self, Y) -> np.ndarray:
        """The predicted digit of each image from the network's outputs ``Y`` (n, 10)."""
        Y = np.asarray(Y, dtype=float)[: self.n]
        return labels(np.nan_to_num(Y, nan=0.0))

    def render(self, Y, encode: bool = True) -> bytes | None:
        """Label each image with its prediction from the outputs ``Y`` and return the PNG
        (None with ``encode=False``)."""
        for label, guess, truth in zip(self.labels_, self.predictions(Y), self.truth):
            right = guess == truth
            label.set_text(f"{guess} ✓" if right else f"{guess} ✗ ({truth})")
            label.set_color(self.theme.text(*(RIGHT_TEXT if right else WRONG_TEXT)))
        self.blit(self.labels_)
        return self.png() if encode else None

"""matplotlib views of training, rendered off-screen to PNG bytes for an ``ipywidgets.Image``.

Each view owns one ``matplotlib.figure.Figure`` on a ``FigureCanvasAgg`` for its whole life
(no pyplot, so nothing leaks into the notebook's output and no figure is created per frame).
A frame restores a saved background (axes, ticks, labels) and redraws only the artists that
move (blitting): about 0.2 ms for the loss curve instead of the 20-35 ms of a full redraw. The
full redraw happens only when the axes limits must change; the curve's limits grow in coarse
steps (x: 1, 2, 5 x 10^k steps; y: whole decades, log scale) so that is rare. The PNG is
encoded by Pillow at a low compression level (2-3 ms for the curve) rather than by
``savefig``, which would redraw the whole figure again.

*Theme.* The figures are transparent (no white panel on JupyterLab's dark theme) and their
text, ticks and spines take the page's text colour: a :class:`Theme`, which the dashboard
gets from the page (``static/training.js`` reads the computed CSS colours and reports them,
see :func:`theme_from_page`). Until it arrives, and outside JupyterLab, :data:`LIGHT`.
"""

from __future__ import annotations

import io
import math
import zlib
from dataclasses import dataclass

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap, to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import LogLocator, MaxNLocator, NullLocator
from PIL import Image

from ..core.datasets import labels
from ..core.errors import BackpropInputError
from ..core.network import Network
from ..core.ops import ACTIVATIONS
from ..core.training import TrainingHistory

DPI = 100
MAX_POINTS = 400  # longer histories are averaged into 200-400 bins: as many as the axes have pixels
TRAIN_COLOR = "#2f6fb7"
BATCH_COLOR = "#9bb7dc"
VAL_COLOR = "#e07b1a"
DIVERGED_COLOR = "#c0392b"
# Class 0 blue, class 1 orange (the diagram's colour-blind-safe pair). The map behind the
# points uses pale versions of them (white at p = 0.5), so the saturated points stay visible.
CLASS_COLORS = ["#2f6fb7", "#e07b1a", "#1f9d55", "#7b3fb5", "#c0392b", "#8c6d31"]
PROB_CMAP = LinearSegmentedColormap.from_list("bpw_prob", ["#9fbfe6", "#f7f7f7", "#f5bd85"])


@dataclass(frozen=True)
class Theme:
    """The colours of the page a figure is shown on: text ``fg``, ticks and grid ``muted``,
    background ``bg``, and whether it is a dark theme (which picks lighter text colours for
    the red and green labels, so they keep a 4.5:1 contrast)."""

    fg: str = "#212121"
    muted: str = "#616161"
    bg: str = "#ffffff"
    dark: bool = False

    def text(self, light: str, dark: str) -> str:
        """The variant of a label colour that reads on this background."""
        return dark if self.dark else light


LIGHT = Theme()
DIVERGED_TEXT = ("#c0392b", "#ff8a7a")  # (light, dark theme): >= 4.5:1 on white / #111


def _css_rgba(value) -> tuple[float, float, float, float]:
    """``[r, g, b]`` or ``[r, g, b, a]`` as the page reports them (0-255, alpha 0-1)."""
    if not isinstance(value, (list, tuple)) or len(value) not in (3, 4):
        raise ValueError(f"a colour must be [r, g, b] or [r, g, b, a]; got {value!r}")
    r, g, b, *a = (float(v) for v in value)
    if not all(0 <= c <= 255 for c in (r, g, b)):
        raise ValueError(f"colour channels must be 0-255; got {value!r}")
    return r / 255, g / 255, b / 255, min(max(a[0] if a else 1.0, 0.0), 1.0)


def theme_from_page(report) -> Theme:
    """The :class:`Theme` of a report ``{"fg": [r, g, b, a], "bg": [r, g, b, a], "dark": bool}``
    (the computed colours of the dashboard's text and of the page behind it); a translucent
    text colour is composited over the background, as the browser shows it. A report that
    is not one of these gives :data:`LIGHT`.

    >>> theme_from_page({"fg": [255, 255, 255, 0.87], "bg": [17, 17, 17], "dark": True}).fg
    '#e0e0e0'
    """
    try:
        fg, bg = _css_rgba(report["fg"]), _css_rgba(report["bg"])
        dark = bool(report.get("dark", False))
    except (KeyError, TypeError, ValueError, AttributeError):
        return LIGHT
    over = [fg[3] * f + (1 - fg[3]) * b for f, b in zip(fg[:3], bg[:3])]
    muted = [0.7 * f + 0.3 * b for f, b in zip(over, bg[:3])]
    return Theme(fg=to_hex(over), muted=to_hex(muted), bg=to_hex(bg[:3]), dark=dark)


def png_bytes(canvas: FigureCanvasAgg, compress_level: int = 1) -> bytes:
    """The canvas as PNG, without redrawing it (``savefig`` would draw the figure again).

    Pillow reads Agg's RGBA buffer in place (no copy) and zlib's fastest level is used: the
    curve's PNG takes 2-3 ms and about 15 kB.
    """
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=compress_level)
    return out.getvalue()


def _nice_at_least(value: float) -> float:
    """The smallest of 1, 2, 5 x 10^k that is >= value."""
    value = max(value, 1.0)
    exponent = math.floor(math.log10(value))
    for m in (1, 2, 5, 10):
        if m * 10**exponent >= value:
            return float(m * 10**exponent)
    return float(10 ** (exponent + 1))


def downsample(x: np.ndarray, y: np.ndarray, max_points: int = MAX_POINTS):
    """At most about ``max_points`` points: runs of a power-of-two length, aligned at step 0,
    averaged (the x of each run's middle); the newest point kept exactly.

    The runs stay the same as the history grows (their length doubles now and then), so a new
    frame of the curve differs from the last one only at its end: only that region is sent.
    """
    n = len(y)
    if n <= max_points:
        return x, y
    size = 1 << math.ceil(math.log2(n / max_points))
    m = n // size
    head_x = x[: m * size].reshape(m, size)
    head_y = y[: m * size].reshape(m, size)
    xs = head_x[:, size // 2].astype(float)
    ys = head_y.mean(axis=1)
    if m * size < n:  # keep the newest point exactly
        xs = np.append(xs, x[-1])
        ys = np.append(ys, y[-1])
    return xs, ys


class PictureStream:
    """The frames of one Agg canvas as PNG patches: the first (and the first after
    :meth:`resend`) whole, then only the rectangle of pixels that changed since the last
    frame sent (None: nothing changed). Each frame comes with its box
    ``[x, y, width, height, seq, whole, crc]``: where the patch goes in a picture of
    ``width`` x ``height``, its number, whether it is the whole picture, and the CRC-32 of its
    PNG bytes; a patch applies on top of frame ``seq - 1`` (the page asks for the whole picture
    when it has not got it). The CRC pairs box and bytes: a host may apply the two traits as
    two changes (marimo sets binary traits after the others), and a box read with the previous
    frame's bytes would paint that patch in the wrong place.
    """

    def __init__(self):
        self.previous: np.ndarray | None = None
        self.seq = 0

    def resend(self) -> None:
        self.previous = None

    def frame(self, canvas: FigureCanvasAgg) -> tuple[bytes, list] | None:
        rgba = np.asarray(canvas.buffer_rgba())
        height, width = rgba.shape[:2]
        pixels = rgba.view(np.uint32).reshape(height, width)
        whole = self.previous is None or self.previous.shape != pixels.shape
        if whole:
            y0, y1, x0, x1 = 0, height, 0, width
        else:
            changed = pixels != self.previous
            rows = np.flatnonzero(changed.any(axis=1))
            if not len(rows):
                return None
            cols = np.flatnonzero(changed.any(axis=0))
            y0, y1, x0, x1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
        self.previous = pixels.copy()
        self.seq += 1
        patch = np.ascontiguousarray(rgba[y0:y1, x0:x1])
        out = io.BytesIO()
        # small patches (a paced curve's new end) compress harder at no cost worth counting
        level = 6 if patch.size < 200_000 else 1
        Image.fromarray(patch, "RGBA").save(out, format="PNG", compress_level=level)
        png = out.getvalue()
        return png, [x0, y0, width, height, self.seq, whole, zlib.crc32(png)]


class _BlitFigure:
    """One figure, its canvas and a background to restore before drawing the moving artists."""

    def __init__(self, width_px: int, height_px: int):
        self.figure = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI)
        self.figure.patch.set_alpha(0.0)  # transparent: the page's own background shows
        self.canvas = FigureCanvasAgg(self.figure)
        self._background = None
        self.full_redraws = 0
        self.theme = LIGHT
        self._styled = False

    def set_theme(self, theme: Theme) -> None:
        """Text, ticks and spines in ``theme``'s colours; the next frame redraws everything."""
        self.theme, self._styled = theme, True
        for ax in self.figure.axes:
            ax.set_facecolor("none")
            # tick_params persists: ticks made after a change of limits get the colours too
            ax.tick_params(
                which="both", colors=theme.muted, labelcolor=theme.fg, grid_color=theme.muted
            )
            for spine in ax.spines.values():
                spine.set_edgecolor(theme.muted)
        for text in self.figure.findobj(Text):  # titles, axis labels, legends, tick labels
            text.set_color(theme.fg)
        self._themed(theme)
        self._background = None

    def _themed(self, theme: Theme) -> None:
        """A view's own theme-dependent colours (labels in red or green, ...)."""

    def full_draw(self) -> None:
        if not self._styled:  # the subclass has made its axes by now: style them once
            self.set_theme(self.theme)
        self.canvas.draw()  # animated artists are skipped: the background has none of them
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        self.full_redraws += 1

    def blit(self, artists) -> None:
        if self._background is None:
            self.full_draw()
        self.canvas.restore_region(self._background)
        for artist in artists:
            if artist.get_visible():
                artist.axes.draw_artist(artist)

    def png(self) -> bytes:
        return png_bytes(self.canvas)


class LossCurve(_BlitFigure):
    """Training loss per step (log scale), the full-data and validation losses, divergence.

    ``render(history)`` returns PNG bytes. The same Figure and Line2D objects are reused for
    every frame; only their data change.
    """

    def __init__(self, width_px: int = 400, height_px: int = 270, title: str = "loss"):
        super().__init__(width_px, height_px)
        ax = self.ax = self.figure.add_subplot()
        ax.set_yscale("log")
        # No minor ticks on the log axis: they double the cost of the (rare) full redraws.
        ax.yaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_major_locator(LogLocator(numticks=6))
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.set_xlabel("step", fontsize=10)
        ax.set_title(title, fontsize=11, loc="left")
        ax.tick_params(labelsize=9)
        ax.grid(True, which="major", alpha=0.3)
        (self.batch_line,) = ax.plot([], [], color=BATCH_COLOR, lw=1, animated=True)
        (self.train_line,) = ax.plot([], [], color=TRAIN_COLOR, lw=2, animated=True)
        (self.val_line,) = ax.plot([], [], color=VAL_COLOR, lw=2, animated=True)
        (self.now_dot,) = ax.plot([], [], "o", color=TRAIN_COLOR, ms=5, animated=True)
        self.diverged_line = ax.axvline(
            0, color=DIVERGED_COLOR, lw=1.5, ls="--", animated=True, visible=False
        )
        # Above the axes, at their right end, so it never covers the end of the curve (the
        # title is at the left, the legend inside): the dashed line marks the step.
        self.diverged_text = ax.text(
            1.0,
            1.02,
            "",
            transform=ax.transAxes,
            color=DIVERGED_COLOR,
            fontsize=10,
            ha="right",
            va="bottom",
            animated=True,
            visible=False,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1},
        )
        self.legend_lines = (self.batch_line, self.train_line, self.val_line)
        self._legend_key = None
        self.figure.subplots_adjust(left=0.16, right=0.93, bottom=0.17, top=0.9)
        self._limits = None
        self._set_limits((0.0, 100.0), (1e-2, 1.0))

    def _set_limits(self, xlim, ylim) -> None:
        self.ax.set_xlim(*xlim)
        self.ax.set_ylim(*ylim)
        self._limits = (xlim, ylim)
        self._background = None  # the ticks change: a full redraw on the next frame

    def _legend(self, labels_: tuple[str, str, str]) -> None:
        key = tuple(labels_)
        if key == self._legend_key:
            return
        handles = [line for line, label in zip(self.legend_lines, key) if label]
        for line, label in zip(self.legend_lines, key):
            line.set_label(label)
        legend = self.ax.legend(handles=handles, fontsize=9, loc="upper right", frameon=False)
        for text in legend.get_texts():
            text.set_color(self.theme.fg)
        self._legend_key = key
        self._background = None

    def render(
        self,
        history: TrainingHistory,
        *,
        show_batch: bool = False,
        mark: tuple[int, float] | None = None,
        current: tuple[int, float] | None = None,
        encode: bool = True,
    ) -> bytes | None:
        """Draw ``history`` and return the PNG (None with ``encode=False``: the dashboard
        sends only the pixels that changed, see :class:`PictureStream`).

        ``show_batch``: mini-batch training, where ``history.loss`` is the noisy per-batch
        loss, drawn faintly under the full training loss (``history.train_loss``).
        ``mark``: ``(step, lr)`` of a divergence to mark with a dashed line (its label is
        above the axes, outside the curve).
        ``current``: ``(step, loss)`` now, drawn as a dot at the end of the training curve.
        """
        steps = np.arange(history.steps)
        loss = history.loss
        eval_x, train_full = history.eval_step, history.train_loss
        val = history.val_loss
        if show_batch:
            batch_xy = downsample(steps, loss)
            train_xy = downsample(eval_x, train_full)
        else:
            batch_xy = (steps[:0], loss[:0])
            train_xy = downsample(steps, loss)
        if current is not None and (not len(train_xy[0]) or train_xy[0][-1] < current[0]):
            train_xy = (np.append(train_xy[0], current[0]), np.append(train_xy[1], current[1]))
        val_xy = downsample(eval_x[: len(val)], val) if len(val) else (eval_x[:0], val[:0])
        self.batch_line.set_data(*batch_xy)
        self.train_line.set_data(*train_xy)
        self.val_line.set_data(*val_xy)
        self.now_dot.set_data(train_xy[0][-1:], train_xy[1][-1:])
        self._legend(
            (
                "mini-batch loss" if show_batch else "",
                "training loss",
                "validation loss" if len(val) else "",
            )
        )
        x_last = max(history.steps, eval_x[-1] if len(eval_x) else 0, mark[0] if mark else 0)
        self._fit(x_last, [batch_xy[1], train_xy[1], val_xy[1]])
        if mark is not None:
            self.diverged_line.set_xdata([mark[0], mark[0]])
            self.diverged_text.set_text(f"- - diverged at step {mark[0]:,}, lr = {mark[1]:g}")
        self.diverged_line.set_visible(mark is not None)
        self.diverged_text.set_visible(mark is not None)
        self.blit([*self.legend_lines, self.now_dot, self.diverged_line, self.diverged_text])
        return self.png() if encode else None

    def _fit(self, x_last: int, ys) -> None:
        """Grow the limits in coarse steps, so that most frames keep the background."""
        xlim, (ylo, yhi) = self._limits
        new_x = xlim if x_last <= xlim[1] else (0.0, _nice_at_least(x_last * 2.0))
        finite = [y[np.isfinite(y) & (y > 0)] for y in ys if len(y)]
        finite = [y for y in finite if len(y)]
        new_y = (ylo, yhi)
        if finite:
            lo = min(float(y.min()) for y in finite)
            hi = max(float(y.max()) for y in finite)
            if lo < ylo or hi > yhi:
                new_y = (
                    min(ylo, 10.0 ** math.floor(math.log10(lo))),
                    max(yhi, 10.0 ** math.ceil(math.log10(hi))),
                )
        if (new_x, new_y) != self._limits:
            self._set_limits(new_x, new_y)

    def _themed(self, theme: Theme) -> None:
        self.diverged_text.set_color(theme.text(*DIVERGED_TEXT))
        self.diverged_text.get_bbox_patch().set_facecolor(theme.bg)

    def reset(self) -> None:
        """Back to the empty plot's limits (after the dashboard's Reset)."""
        self._set_limits((0.0, 100.0), (1e-2, 1.0))


class DecisionMap(_BlitFigure):
    """The network's output over the input plane, with the data points: for 2-input networks.

    One output: a colour map of the output (P(class 1) for a sigmoid output, with the 0.5
    contour as the decision boundary). Several outputs: each class's colour, mixed by the
    predicted probabilities. The grid is evaluated with one vectorised forward pass.
    """

    def __init__(
        self,
        net: Network,
        X,
        T,
        X_val=None,
        T_val=None,
        width_px: int = 290,
        height_px: int = 270,
        resolution: int = 40,
    ):
        if net.sizes[0] != 2:
            raise BackpropInputError(
                f"DecisionMap needs a network with 2 inputs; got sizes {net.sizes}"
            )
        super().__init__(width_px, height_px)
        self.net = net
        self.resolution = resolution
        self.ax = self.figure.add_subplot()
        self.ax.tick_params(labelsize=8)
        self.figure.subplots_adjust(left=0.14, right=0.96, bottom=0.1, top=0.9)
        self._image = None
        self._contour = None
        self._points = []
        self.set_data(X, T, X_val, T_val)

    def set_data(self, X, T, X_val=None, T_val=None) -> None:
        """New data points (and plot bounds); the next render redraws everything."""
        X, T = np.asarray(X, dtype=float), np.asarray(T, dtype=float)
        ax, n_out = self.ax, self.net.sizes[-1]
        for artist in [self._image, self._contour, *self._points]:
            if artist is not None:
                artist.remove()
        self._contour = None
        both = X if X_val is None else np.vstack([X, np.asarray(X_val, dtype=float)])
        lo, hi = both.min(axis=0), both.max(axis=0)
        pad = 0.1 * np.maximum(hi - lo, 1e-9)
        (x0, y0), (x1, y1) = lo - pad, hi + pad
        self.extent = (x0, x1, y0, y1)
        self._make_grid()
        r = self.resolution
        out = self.net.activation[-1]
        self._classes = self.net.loss_name in ("bce", "cross_entropy")
        if n_out == 1:
            if ACTIVATIONS[out].output_range == (0.0, 1.0):  # a probability (the registry says)
                self._range, self._level = (0.0, 1.0), 0.5
                title = "P(class 1), boundary at 0.5"
            else:
                tlo, thi = float(T.min()), float(T.max())
                if thi <= tlo:
                    tlo, thi = tlo - 1.0, thi + 1.0
                self._range, self._level = (tlo, thi), (tlo + thi) / 2
                title = f"output {self.net.output_names[0]}"
            self._image = ax.imshow(
                np.zeros((r, r)),
                extent=self.extent,
                origin="lower",
                aspect="auto",
                cmap=PROB_CMAP,
                vmin=self._range[0],
                vmax=self._range[1],
                interpolation="bilinear",
                animated=True,
            )
        else:
            self._palette = np.array(
                [to_rgb(CLASS_COLORS[k % len(CLASS_COLORS)]) for k in range(n_out)]
            )
            self._image = ax.imshow(
                np.ones((r, r, 3)),
                extent=self.extent,
                origin="lower",
                aspect="auto",
                interpolation="bilinear",
                animated=True,
            )
            title = "predicted class"
        ax.set_title(title, fontsize=10, loc="left")
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        self._points = self._scatter(X, T, filled=True)
        if X_val is not None:
            self._points += self._scatter(
                np.asarray(X_val, float), np.asarray(T_val, float), filled=False
            )
        self._background = None

    def _scatter(self, X, T, filled: bool) -> list:
        """The points as one marker line per class (Agg draws markers far faster than a
        scatter collection with one colour per point, and this is redrawn every frame)."""
        if self._classes or T.shape[1] > 1:
            groups = labels(T)
            colors = {c: CLASS_COLORS[c % len(CLASS_COLORS)] for c in np.unique(groups)}
        else:  # regression: a few shades of the colour map
            scaled = (T[:, 0] - self._range[0]) / (self._range[1] - self._range[0])
            groups = np.clip(np.round(scaled * 4), 0, 4).astype(int)
            colors = {c: PROB_CMAP(c / 4) for c in np.unique(groups)}
        lines = []
        for c, color in colors.items():
            pts = X[groups == c]
            style = (
                {
                    "markerfacecolor": color,
                    "markeredgecolor": "black",
                    "markeredgewidth": 0.5,
                    "markersize": 4.5,
                }
                if filled
                else {
                    "markerfacecolor": "none",
                    "markeredgecolor": color,
                    "markeredgewidth": 1.2,
                    "markersize": 5,
                }
            )
            (line,) = self.ax.plot(
                pts[:, 0], pts[:, 1], ls="none", marker="o", animated=True, **style
            )
            lines.append(line)
        return lines

    def _make_grid(self) -> None:
        x0, x1, y0, y1 = self.extent
        r = self.resolution
        gx, gy = np.meshgrid(np.linspace(x0, x1, r), np.linspace(y0, y1, r))
        self._grid = (gx, gy)
        self._grid_points = np.column_stack([gx.ravel(), gy.ravel()])

    def render(self) -> bytes:
        """Evaluate the network on the grid, draw, and return the PNG."""
        r = self.resolution
        with np.errstate(all="ignore"):
            y = self.net.forward(self._grid_points)
        if y.shape[1] == 1:
            z = y[:, 0].reshape(r, r)
            self._image.set_data(np.nan_to_num(z, nan=self._range[0]))
            if self._contour is not None:
                self._contour.remove()
                self._contour = None
            if np.isfinite(z).all() and z.min() < self._level < z.max():
                gx, gy = self._grid
                self._contour = self.ax.contour(
                    gx, gy, z, levels=[self._level], colors="black", linewidths=1.5
                )
                # Animated (drawn by blit() each frame, never into the cached background), set
                # afterwards: matplotlib 3.8-3.10's contour() ignores animated=True and prints
                # a UserWarning under the dashboard.
                self._contour.set_animated(True)
        else:
            p = np.clip(np.nan_to_num(y), 0.0, None)
            p = p / np.maximum(p.sum(axis=1, keepdims=True), 1e-12)
            rgb = 1.0 - p @ (1.0 - self._palette) * 0.45  # pale: points stay readable on top
            self._image.set_data(rgb.reshape(r, r, 3))
        artists = [self._image] + ([self._contour] if self._contour is not None else [])
        self.blit(artists + self._points)
        return self.png()

    # ---------------------------------------------------------------- for the page to paint
    # The dashboard sends the map in three layers: the 40 x 40 values as bytes the page paints
    # (smoothly scaled to the axes), the 0.5 boundary as lines in pixels, and over them this
    # figure's axes, ticks, title and data points, drawn by matplotlib and sent again only
    # when the data or the theme change.
    def values_frame(self) -> tuple[bytes, list]:
        """The network's output on the grid as bytes (rows from the top; one byte per cell
        on the colour map's 256 steps, or three (RGB) for several outputs), and the decision
        boundary as lines of pixel coordinates ``[x0, y0, x1, y1, ...]`` in the figure."""
        r = self.resolution
        with np.errstate(all="ignore"):
            y = self.net.forward(self._grid_points)
        lines: list = []
        if y.shape[1] == 1:
            z = y[:, 0].reshape(r, r)
            lo, hi = self._range
            level = np.clip((np.nan_to_num(z, nan=lo) - lo) / (hi - lo), 0.0, 1.0)
            cells = np.round(level * 255).astype(np.uint8)
            if np.isfinite(z).all() and z.min() < self._level < z.max():
                lines = self._boundary(z)
        else:
            p = np.clip(np.nan_to_num(y), 0.0, None)
            p = p / np.maximum(p.sum(axis=1, keepdims=True), 1e-12)
            rgb = 1.0 - p @ (1.0 - self._palette) * 0.45
            cells = np.round(rgb.reshape(r, r, 3) * 255).astype(np.uint8)
        return np.ascontiguousarray(cells[::-1]).tobytes(), lines

    def _boundary(self, z) -> list:
        from contourpy import contour_generator

        gx, gy = self._grid
        height = self.figure.bbox.height
        out = []
        for line in contour_generator(gx, gy, z).lines(self._level):
            px = self.ax.transData.transform(line)
            px[:, 1] = height - px[:, 1]
            out.append(np.round(px, 1).ravel().tolist())
        return out

    def layout(self) -> dict:
        """Where the values go: the axes' box ``[left, top, width, height]`` in pixels of the
        figure ``size``, the grid's side ``r`` and its bytes per cell."""
        if self._background is None:
            self.full_draw()
        box = self.ax.get_window_extent()
        height = self.figure.bbox.height
        return {
            "size": [int(self.figure.bbox.width), int(height)],
            "box": [round(float(v), 2) for v in (box.x0, height - box.y1, box.width, box.height)],
            "r": self.resolution,
            "channels": 1 if self.net.sizes[-1] == 1 else 3,
        }

    def colour_map(self) -> list:
        """The 256 colours of a one-output map (the page paints byte k in colour k)."""
        if self.net.sizes[-1] != 1:
            return []
        rgb = PROB_CMAP(np.linspace(0.0, 1.0, 256))[:, :3]
        return np.round(rgb * 255).astype(int).ravel().tolist()

    def draw_overlay(self) -> None:
        """The axes, ticks, title and data points (no map, no boundary) on the canvas."""
        self.blit(self._points)

"""What the dashboard looks like: icons, the page's theme in the plots, the bar chart's legend,
and its signature (no browser: set state as the page would)."""

import asyncio
import inspect
import io
import warnings

import numpy as np
import pytest
from PIL import Image

import backprop_widgets as bw
from backprop_widgets.widgets.plots import LIGHT, DecisionMap, theme_from_page
from backprop_widgets.widgets.training import TrainingDashboard
from backprop_widgets.widgets.training_views import LayerNorms

DARK_PAGE = {"fg": [255, 255, 255, 0.87], "bg": [17, 17, 17], "dark": True}


def rgba(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA")).astype(int)


def dashboard(**kwargs):
    net, X, T = bw.presets.moons(120)
    return TrainingDashboard(net, X, T, lr=0.5, **kwargs)


def test_the_signature_is_explicit_and_a_typo_still_names_the_accepted_keywords():
    params = inspect.signature(TrainingDashboard.__init__).parameters.values()
    assert not any(p.kind is p.VAR_KEYWORD for p in params)
    net, X, T = bw.presets.moons(50)
    with pytest.raises(TypeError, match=r"'speeed'; accepted: X_val, T_val, lr, speed, batch_size"):
        TrainingDashboard(net, X, T, speeed=10)


def test_buttons_draw_their_own_icons_not_characters_a_font_may_lack():
    dash = dashboard()
    for name in ("play", "pause", "step-forward", "forward", "undo"):
        assert f'"{name}": "M' in dash._esm or f'{name}: "M' in dash._esm  # inline SVG paths

    async def play_briefly():
        dash.play()
        await asyncio.sleep(0.05)
        shown = dash.playing_now  # the page shows Pause with its icon
        dash.pause()
        return shown

    assert asyncio.run(play_briefly()) is True
    assert dash.playing_now is False


def report_theme(dash, theme: dict) -> None:
    """What static/training.js sends when it has read the page's colours."""
    dash._on_msg(dash, {"type": "theme", "theme": theme}, [])


def test_the_plots_are_transparent_and_take_the_dark_themes_text_colour():
    dash = dashboard()
    dash.run(50)
    light = rgba(dash._views.curve.png())
    assert light[0, 0, 3] == 0  # no white panel: the page shows through
    # the page reports JupyterLab Dark's colours (as static/training.js sends them)
    report_theme(dash, DARK_PAGE)
    assert dash.page_theme == DARK_PAGE
    dark = rgba(dash._views.curve.png())
    assert dark[0, 0, 3] == 0
    opaque = dark[dark[..., 3] > 200][:, :3]
    light_opaque = light[light[..., 3] > 200][:, :3]
    # the tick labels and the title: light text now, dark text before
    assert (opaque.min(axis=1) > 190).sum() > 200
    assert (light_opaque.max(axis=1) < 70).sum() > 200 and (
        light_opaque.min(axis=1) > 190
    ).sum() < 50
    assert rgba(dash.map_png)[0, 0, 3] == 0  # the map's axes and points: no panel either


def test_theme_reports_are_composited_and_bad_ones_fall_back_to_light():
    theme = theme_from_page(DARK_PAGE)
    assert theme.fg == "#e0e0e0" and theme.bg == "#111111" and theme.dark
    assert (
        theme_from_page({}) is LIGHT and theme_from_page({"fg": "white", "bg": [0, 0, 0]}) is LIGHT
    )


def test_the_digit_labels_are_lighter_on_the_dark_theme():
    net, X, T = bw.presets.digits()
    dash = TrainingDashboard(net, X, T, lr=0.5, batch_size=32)
    report_theme(dash, DARK_PAGE)
    colours = {label.get_color() for label in dash._views.digits.labels_}
    assert colours <= {"#5fd38d", "#ff8a7a"}


def test_the_bar_charts_legend_sits_above_the_bars_not_over_layer_1():
    bars = LayerNorms([64, 16, 10])
    bars.render([40.0, 9.0], [3.0, 0.5])  # layer 1's bars the tallest
    renderer = bars.canvas.get_renderer()
    legend = bars.ax.get_legend().get_window_extent(renderer)
    for bar in (bars.weight_bars[0], bars.grad_bars[0]):
        assert not legend.overlaps(bar.get_window_extent(renderer))
    assert legend.y0 >= bars.ax.get_window_extent(renderer).y1 - 1


def test_validation_is_recorded_often_enough_to_show_where_it_bottoms_out():
    net, X, T = bw.presets.moons(200)
    X_train, T_train, X_val, T_val = bw.datasets.split(X, T, fraction=0.25, seed=0)
    dash = TrainingDashboard(net, X_train, T_train, X_val=X_val, T_val=T_val, lr=0.5)
    dash.run(500)  # a blocking run of a fraction of a second: few frames
    assert len(dash.history.val_loss) >= 50
    dash.batch_size = 16  # mini-batches: once an epoch (150 / 16 -> 10 steps)
    assert dash.trainer.eval_every == 10
    without = dashboard()
    assert without.trainer.eval_every is None  # no validation data: only the frames evaluate


def test_the_decision_boundary_is_drawn_without_a_warning_under_the_dashboard():
    net, X, T = bw.presets.moons(120)
    bw.train(net, X, T, lr=0.5, steps=50, seed=0)  # the 0.5 boundary lies inside the plot
    view = DecisionMap(net, X, T)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # matplotlib 3.8-3.10 printed one here
        first = rgba(view.render())
        bw.train(net, X, T, lr=0.5, steps=300, seed=1)  # the boundary moves
        moved = rgba(view.render())
    assert view._contour is not None and view._contour.get_animated()
    assert not np.array_equal(first, moved)
    # the same picture as a map drawn afresh for the trained network
    assert np.array_equal(moved, rgba(DecisionMap(net, X, T).render()))

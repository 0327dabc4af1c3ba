"""The dashboard's readout and message HTML: pure functions of the numbers they show."""

import pytest

from backprop_widgets.widgets.training_html import message_html, readout_html, speed_label


def field(html: str, key: str) -> str:
    return html.split(f'data-field="{key}">')[1].split("<")[0]


def test_readout_shows_each_number_once_with_its_field_name():
    html = readout_html(
        "training", step=12345, loss=0.012345678, grad=3.21e-5, epoch=2.25, val_loss=0.5,
        accuracy=0.9751, val_accuracy=0.9, rate=4321.4,
    )  # fmt: skip
    assert field(html, "status") == "● training" and 'data-status="training"' in html
    assert field(html, "step") == "12,345"
    assert field(html, "epoch") == "2.2" or field(html, "epoch") == "2.3"
    assert field(html, "loss") == "0.01235"
    assert field(html, "val-loss") == "0.5"
    assert field(html, "grad") == "3.21e-05"
    assert field(html, "accuracy") == "97.5% (val 90.0%)"
    assert field(html, "rate") == "4,321"
    assert "style=" not in html


def test_readout_leaves_out_what_it_does_not_have():
    html = readout_html("paused", step=0, loss=None, grad=None)
    assert field(html, "loss") == "–" and field(html, "grad") == "–"
    for absent in ("epoch", "val-loss", "accuracy", "rate"):
        assert f'data-field="{absent}"' not in html
    assert field(readout_html("diverged", step=3, loss=float("nan"), grad=1.0), "loss") == "nan"


def test_message_is_escaped_and_kinded():
    assert message_html("", None) == ""
    html = message_html("loss < 1 & lr > 0", "error")
    assert html == '<div class="bpw-msg" data-kind="error">loss &lt; 1 &amp; lr &gt; 0</div>'
    with pytest.raises(ValueError, match="kind must be one of error, warning, info"):
        message_html("text", "shout")


def test_message_details_go_behind_a_closed_toggle_after_the_message():
    html = message_html("Try lr = 1.", "error", "above 13.86 < inf & counts")
    assert html == (
        '<div class="bpw-msg" data-kind="error"><div class="bpw-msg-lead">Try lr = 1.</div>'
        '<details class="bpw-msg-details"><summary>details</summary>'
        "<div>above 13.86 &lt; inf &amp; counts</div></details></div>"
    )


def test_each_readout_number_says_which_parameters_it_is_at():
    html = readout_html("paused", step=1, loss=0.387, grad=0.239)
    for key in ("loss", "grad"):
        item = html.split(f'data-field="{key}"')[0].rsplit('<span class="bpw-readout-item"', 1)[1]
        assert 'title="' in item and "at the parameters after step 1" in item
    assert "at the initial parameters" in readout_html("paused", step=0, loss=0.6, grad=0.6)


def test_speed_label():
    assert speed_label(None) == "full speed"
    assert speed_label(50.0) == "50 steps/s"
    assert speed_label(2.5) == "2.5 steps/s"
    assert speed_label(1000.0) == "1,000 steps/s"

"""The UCI 8x8 digits shipped with the package: the file, the loader, the preset, training."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import backprop_widgets as bw
from backprop_widgets.core import datasets, presets
from backprop_widgets.core.errors import BackpropInputError

REPO = Path(__file__).resolve().parents[2]


def test_the_file_is_small_compressed_uint8_inside_the_package_with_its_attribution():
    path = datasets.DIGITS_FILE
    assert path.is_file() and path.stat().st_size < 200_000
    assert Path(bw.__file__).parent in path.parents  # package data, shipped in the wheel
    with np.load(path) as data:
        images, y = data["images"], data["labels"]
    assert images.shape == (1797, 8, 8) and images.dtype == np.uint8
    assert y.shape == (1797,) and y.dtype == np.uint8
    assert images.min() == 0 and images.max() == 16 and set(np.unique(y)) == set(range(10))
    note = (path.parent / "ATTRIBUTION.md").read_text()
    assert "CC BY 4.0" in note and "Alpaydin" in note and "Kaynak" in note
    readme = (REPO / "README.md").read_text()
    assert "CC BY 4.0" in readme and "Alpaydin" in readme
    doc = datasets.digits.__doc__
    assert "CC BY 4.0" in doc and "Alpaydin" in doc and "UCI" in doc


def test_digits_shapes_scaling_and_label_counts():
    X, T = bw.datasets.digits()
    assert X.shape == (1797, 64) and T.shape == (1797, 10)
    assert X.dtype == np.float64 and X.min() == 0.0 and X.max() == 1.0
    assert np.array_equal(T.sum(axis=1), np.ones(1797))
    counts = np.bincount(datasets.labels(T), minlength=10).tolist()
    assert counts == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    with np.load(datasets.DIGITS_FILE) as data:  # the same images, scaled, in another order
        raw = data["images"].reshape(1797, 64) / 16.0
    assert sorted(map(tuple, X)) == sorted(map(tuple, raw))


def test_digits_are_seeded_shuffled_and_balanced_in_every_prefix():
    X, T = datasets.digits(seed=3)
    X2, T2 = datasets.digits(seed=3)
    assert np.array_equal(X, X2) and np.array_equal(T, T2)
    assert not np.array_equal(X, datasets.digits(seed=4)[0])
    y = datasets.labels(T)
    for m in (10, 37, 500, 1740):
        counts = np.bincount(y[:m], minlength=10)
        assert counts.max() - counts.min() <= 1
    Xs, Ts = datasets.digits(100, seed=3)
    assert np.array_equal(Xs, X[:100]) and np.array_equal(Ts, T[:100])


def test_digits_validation_split_is_the_same_as_split():
    parts = datasets.digits(500, validation=0.2, seed=1)
    X, T = datasets.digits(500, seed=1)
    expected = datasets.split(X, T, fraction=0.2, seed=1)
    assert [p.shape for p in parts] == [(400, 64), (400, 10), (100, 64), (100, 10)]
    assert all(np.array_equal(a, b) for a, b in zip(parts, expected))


def test_digits_images_are_the_pictures():
    X, _ = datasets.digits(10)
    pictures = datasets.digits_images(X)
    assert pictures.shape == (10, 8, 8) and np.array_equal(pictures[3].ravel(), X[3])
    assert datasets.digits_images(X[0]).shape == (8, 8)
    with pytest.raises(BackpropInputError, match=r"digits_images: X must have shape \(n, 64\)"):
        datasets.digits_images(np.ones((3, 63)))


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"n": 0}, r"digits: n must be"),
        ({"n": 9}, r"digits: n must be at least 10 \(one image per digit\); got 9"),
        ({"n": 1798}, r"digits: n must be an integer from 10 to 1797 .*; got 1798"),
        ({"n": 2.5}, r"digits: n must be"),
        ({"validation": 1.5}, r"split: fraction must be"),
        ({"seed": -1}, r"digits: seed must be"),
    ],
)
def test_bad_digits_arguments_are_refused_with_the_name_and_the_range(kwargs, pattern):
    with pytest.raises(BackpropInputError, match=pattern):
        datasets.digits(**kwargs)


def test_the_loader_needs_numpy_only():
    code = (
        "import sys, backprop_widgets.core.datasets as d; X, T = d.digits(); "
        "ui = [m for m in sys.modules if m.split('.')[0] in "
        "('ipywidgets', 'matplotlib', 'IPython', 'anywidget', 'sklearn', 'pandas')]; "
        "print(X.shape, ui)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "(1797, 64) []"


def test_digits_preset_is_a_relu_softmax_network_with_the_data():
    net, X, T = bw.presets.digits()
    assert net.sizes == [64, 16, 10] and net.activation == ["relu", "softmax"]
    assert net.loss_name == "cross_entropy"
    assert X.shape == (1797, 64) and T.shape == (1797, 10)
    again, X2, _ = presets.digits()
    assert np.array_equal(net.parameter_vector, again.parameter_vector) and np.array_equal(X, X2)
    assert net.loss(X, T) == pytest.approx(np.log(10), rel=0.2)  # about chance at the start
    small, Xs, _ = presets.digits(200, hidden=32)
    assert small.sizes == [64, 32, 10] and Xs.shape == (200, 64)


def test_a_short_training_run_on_the_digits_passes_85_percent():
    net, X, T = presets.digits()
    start = time.perf_counter()
    h = bw.train(net, X, T, lr=0.5, steps=600, batch_size=32, seed=0, eval_every=100)
    seconds = time.perf_counter() - start
    accuracy = np.mean(datasets.labels(net.forward(X)) == datasets.labels(T))
    print(f"digits: 600 steps of batch 32 in {seconds:.2f} s, train accuracy {accuracy:.1%}")
    assert not h.diverged and accuracy > 0.85  # the time is printed, never asserted


def test_presets_share_their_dataset_settings():
    for name in presets.TWO_D_DATASETS:
        _, X, T = getattr(presets, name)()
        X2, T2 = presets.dataset(name)
        assert np.array_equal(X, X2) and np.array_equal(T, T2)
    X, T = presets.dataset("moons", 50, seed=2, noise=0.0)
    assert np.array_equal(X, datasets.moons(50, noise=0.0, seed=2)[0])
    assert presets.dataset("digits", 20)[0].shape == (20, 64)
    with pytest.raises(
        BackpropInputError,
        match=r"name must be one of moons, circles, xor, spiral, digits; got 'mnist'",
    ):
        presets.dataset("mnist")

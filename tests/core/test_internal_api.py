"""The core's classes talk through public names: Network's internal API, one import direction,
and one set of argument checks with one message per kind of bad value."""

import subprocess
import sys

import numpy as np
import pytest

import backprop_widgets as bw
from backprop_widgets.core import datasets, validation
from backprop_widgets.core.chain_rule import ComputationGraph
from backprop_widgets.core.errors import BackpropInputError
from backprop_widgets.core.network import Network
from backprop_widgets.core.training import Trainer, train

# Load one core module in a fresh process without running the package __init__ files (they
# import everything), and print which core modules that one module pulled in, also when
# asked for a graph (which, unregistered, is a RuntimeError).
LOAD_ALONE = """
import importlib, pathlib, sys, types
root = pathlib.Path({root!r})
for name, path in (("backprop_widgets", root), ("backprop_widgets.core", root / "core")):
    package = types.ModuleType(name)
    package.__path__ = [str(path)]
    sys.modules[name] = package
module = importlib.import_module("backprop_widgets.core.{module}")
if hasattr(module, "Network"):  # a lazy import inside graph() would show up here
    try:
        module.Network([1, 1]).graph([0.0], [0.0])
    except RuntimeError:
        pass
print(sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("backprop_widgets.core.")))
"""


def loaded_with(module: str) -> list[str]:
    root = str(__import__("pathlib").Path(bw.__file__).parent)
    code = LOAD_ALONE.format(root=root, module=module)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return eval(out.stdout)  # a printed list of module names


def test_network_and_chain_rule_do_not_import_each_other():
    with_network = loaded_with("network")
    assert "network" in with_network
    assert "chain_rule" not in with_network and "training" not in with_network
    with_chain_rule = loaded_with("chain_rule")
    assert "chain_rule" in with_chain_rule
    assert "network" not in with_chain_rule and "training" not in with_chain_rule


def test_graph_and_chain_rule_still_come_from_the_network():
    net, x, t = bw.presets.mazur()
    graph = net.graph(x, t, level="pre-activation")
    assert isinstance(graph, ComputationGraph) and graph.level == "pre-activation"
    cr = net.chain_rule("w1", x, t, level="neuron", max_paths=10)
    assert cr.value == pytest.approx(net.gradients(x, t)["w1"], abs=1e-15)


class PublicOnly:
    """A network that refuses every private attribute: what Trainer and the graph may touch."""

    def __init__(self, net: Network):
        self._net = net

    @property
    def __class__(self):  # so that isinstance(proxy, Network) holds, as for the real one
        return Network

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(f"private attribute {name!r} of Network used")
        if name == "copy":
            return lambda: PublicOnly(self._net.copy())
        return getattr(self._net, name)

    def __getitem__(self, name):
        return self._net[name]


def test_graph_and_trainer_use_only_the_networks_public_attributes():
    net, x, t = bw.presets.mazur()
    for level in ("neuron", "pre-activation"):
        graph = ComputationGraph(PublicOnly(net), x, t, level)
        expected = net.graph(x, t, level)
        assert graph.loss == expected.loss
        assert graph.chain_rule("b1").value == expected.chain_rule("b1").value
        assert graph.delta("h1", "net") == expected.delta("h1", "net")
    net, X, T = bw.presets.moons()
    twin = net.copy()
    twin.freeze("b1")
    proxy = PublicOnly(twin)
    trainer = Trainer(proxy, X, T, lr=0.5, batch_size=16, X_val=X[:20], T_val=T[:20])
    trainer.run(30)
    net.freeze("b1")
    reference = Trainer(net, X, T, lr=0.5, batch_size=16, X_val=X[:20], T_val=T[:20])
    reference.run(30)
    np.testing.assert_array_equal(twin.parameter_vector, net.parameter_vector)
    np.testing.assert_array_equal(trainer.history.val_loss, reference.history.val_loss)
    # divergence puts the parameters back through the internal API too
    diverging = Trainer(PublicOnly(bw.presets.moons()[0]), X, T, lr=1e6)
    diverging.run(50)
    assert diverging.diverged


def test_internal_api_is_what_step_is_made_of():
    net, x, t = bw.presets.mazur()
    A, single = net.checked_inputs(x, "x")
    B = net.checked_targets(t, 1, "t")
    assert single and A.shape == (1, 2) and B.shape == (1, 2)
    zs, acts = net.forward_cache(A)
    assert net.loss_of(zs, acts, B) == net.loss(x, t)
    grad = net.backward(zs, acts, B)
    np.testing.assert_array_equal(grad, net.gradients(x, t).vector)
    assert net.loss_function.grad_output(acts[-1], B).shape == (1, 2)
    assert net.layer_activation(2) is net.layer_activation(1)  # both sigmoid
    assert [s.stop - s.start for s in net.weight_slices] == [4, 4]
    assert net.parameter_entries[net.parameter_names.index("b1")] == ((1, 0, None), (1, 1, None))
    with pytest.raises(BackpropInputError, match=r"layer must be a non-input layer, 1 to 2; got 0"):
        net.layer_activation(0)

    stepped = net.copy()
    stepped.freeze("w1")
    manual = net.copy()
    manual.freeze("w1")
    seen = []
    manual.observe(lambda n, names: seen.append(names))
    stepped.step(x, t, 0.5)
    saved = np.empty(len(net.parameter_names))
    manual.sgd_update(manual.backward(zs, acts, B), 0.5, save_to=saved, notify=False)
    assert seen == []
    manual.notify_changed()
    assert seen == [None]
    np.testing.assert_array_equal(manual.parameter_vector, stepped.parameter_vector)
    np.testing.assert_array_equal(saved, net.parameter_vector)
    assert manual["w1"] == net["w1"]  # frozen
    manual.restore_parameters(saved)
    np.testing.assert_array_equal(manual.parameter_vector, net.parameter_vector)
    assert seen == [None, None]


def message(call) -> str:
    with pytest.raises(BackpropInputError) as info:
        call()
    return str(info.value)


@pytest.mark.parametrize("lr", [0, -1, np.inf, np.nan, "0.1", None, True])
def test_a_bad_learning_rate_gets_one_message_everywhere(lr):
    net, X, T = bw.presets.moons()
    expected = f"lr must be a positive, finite number (the SGD step size, e.g. 0.1); got {validation.shown(lr)}"
    assert message(lambda: net.step(X, T, lr)) == expected
    assert message(lambda: train(net, X, T, lr, 5)) == expected
    assert message(lambda: Trainer(net, X, T, lr=lr)) == expected
    trainer = Trainer(net, X, T, lr=0.1)

    def set_lr():
        trainer.lr = lr

    assert message(set_lr) == expected


@pytest.mark.parametrize("seed", [-1, 2.5, "0", True])
def test_a_bad_seed_gets_one_message_everywhere(seed):
    net, X, T = bw.presets.moons()
    expected = f"seed must be a non-negative integer (or None for fresh randomness); got {validation.shown(seed)}"
    assert message(lambda: Trainer(net, X, T, lr=0.1, seed=seed)) == expected
    assert message(lambda: Network([2, 1], seed=seed)) == expected
    assert message(lambda: datasets.moons(50, seed=seed)) == "moons: " + expected
    assert message(lambda: datasets.split(X, T, seed=seed)) == "split: " + expected


def test_a_bad_level_gets_one_message_everywhere():
    net, x, t = bw.presets.mazur()
    expected = "level must be one of neuron, pre-activation, operation; got 'net'"
    assert message(lambda: net.graph(x, t, level="net")) == expected
    assert message(lambda: net.chain_rule("w1", x, t, level="net")) == expected
    assert message(lambda: net.graph(x, t).both_levels("net")) == expected


def test_non_finite_data_gets_one_message_everywhere():
    net, X, T = bw.presets.moons()
    X = X.copy()
    X[3, 1] = np.nan
    expected = "X must contain only finite numbers; got nan at index (3, 1)"
    assert message(lambda: net.loss(X, T)) == expected
    assert message(lambda: train(net, X, T, 0.1, 5)) == expected
    assert message(lambda: datasets.split(X, T)) == "split: " + expected
    X[4, 0] = np.inf
    assert message(lambda: net.forward(X)) == expected + " (2 non-finite values in all)"


def test_counts_and_numbers_get_one_message_each():
    net, X, T = bw.presets.moons()
    assert message(lambda: train(net, X, T, 0.1, -1)) == "steps must be an integer >= 0; got -1"
    assert (
        message(lambda: Trainer(net, X, T, lr=0.1, eval_every=0))
        == "eval_every must be None or a positive integer; got 0"
    )
    assert message(lambda: datasets.moons(0)) == "moons: n must be a positive integer; got 0"
    assert message(lambda: net.gradient_check(X, T, eps=0)) == (
        "eps must be a positive, finite number; got 0"
    )

    def set_nan():
        net["w1"] = float("nan")

    assert message(set_nan) == "net['w1'] must be a finite number; got nan"
    assert message(lambda: net.set_parameters({"w1": "x"})) == (
        "values['w1'] must be a finite number; got 'x'"
    )
    assert message(lambda: Network([2, 1], bias="tied")).startswith(
        "bias must be one of per_neuron"
    )
    assert message(lambda: Network([2, 1], loss="l1")).startswith("loss must be one of half_sse")


def test_the_helpers_name_the_argument_the_value_and_what_is_accepted():
    cases = [
        (lambda: validation.one_of("x", ("a", "b"), "mode"), "mode must be one of a, b; got 'x'"),
        (
            lambda: validation.one_of("x", ("a",), "level", allow_none=True),
            "level must be None or one of a; got 'x'",
        ),
        (lambda: validation.one_of([], ("a",), "mode"), "mode must be one of a; got []"),
        (lambda: validation.flag(1, "show_values"), "show_values must be True or False; got 1"),
        (
            lambda: validation.real_number(1.0, "rtol", low=0, high=1, open_low=True),
            "rtol must be a number in (0, 1); got 1.0",
        ),
        (
            lambda: validation.real_number(np.float64(-0.5), "noise", low=0),
            "noise must be a finite number >= 0; got -0.5",
        ),
        (
            lambda: validation.integer(16, "sig_figs", 1, at_most=15, allow_none=True),
            "sig_figs must be None or an integer from 1 to 15; got 16",
        ),
        (lambda: validation.integer(2.0, "draws", 0), "draws must be an integer >= 0; got 2.0"),
        (lambda: validation.float_array("ab", "x"), "x must be an array of numbers; got str 'ab'"),
    ]
    for call, expected in cases:
        assert message(call) == expected
    assert validation.integer(None, "sig_figs", 1, at_most=15, allow_none=True) is None
    assert validation.integer(np.int64(3), "n", 1) == 3
    assert validation.real_number(np.array(0.5), "x") == 0.5
    assert validation.shown("x" * 100).endswith("...") and len(validation.shown("x" * 100)) == 60


def test_max_paths_is_checked_where_the_network_takes_it():
    net, x, t = bw.presets.mazur()
    assert message(lambda: net.chain_rule("w1", x, t, max_paths=-1)) == (
        "max_paths must be an integer >= 0; got -1"
    )

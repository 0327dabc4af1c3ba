"""bw.train and the Trainer: SGD that is reproducible, reports divergence, and rejects bad input."""

import numpy as np
import pytest

import backprop_widgets as bw
from backprop_widgets.core import presets
from backprop_widgets.core.errors import BackpropInputError
from backprop_widgets.core.training import DIVERGENCE_FACTOR, Trainer, TrainingHistory, train


def moons(n=120):
    return presets.moons(n)


def test_a_training_step_is_exactly_network_step():
    net, X, T = moons()
    by_hand = net.copy()
    losses = [by_hand.step(X, T, 0.3) for _ in range(5)]
    h = train(net, X, T, lr=0.3, steps=5)
    assert np.array_equal(net.parameter_vector, by_hand.parameter_vector)
    assert h.loss.tolist() == losses
    assert h.final_loss == pytest.approx(by_hand.loss(X, T), rel=1e-12)


def test_history_records_loss_gradient_norms_and_learning_rate_per_step():
    net, X, T = moons()
    start = net.copy()
    h = train(net, X, T, lr=0.5, steps=50)
    assert isinstance(h, TrainingHistory)
    assert h.steps == 50 and h.loss.shape == (50,) and h.grad_norm.shape == (50,)
    g0 = start.gradients(X, T)
    assert h.grad_norm[0] == pytest.approx(g0.norm(), rel=1e-12)
    assert h.layer_grad_norms.shape == (50, 3)
    assert h.layer_grad_norms[0] == pytest.approx(g0.layer_norms(), rel=1e-12)
    assert set(h.lr.tolist()) == {0.5}
    assert h.loss[-1] < h.loss[0]  # the moons are learnable at this learning rate
    assert not h.diverged and "Trained 50 steps" in h.message


def test_same_seed_same_curve_and_different_seed_different_minibatches():
    X, T = bw.datasets.moons(100)
    curves = []
    for seed in (7, 7, 8):
        net, _, _ = presets.classifier(X, T)  # the same initial weights each time
        curves.append(train(net, X, T, lr=0.5, steps=60, batch_size=10, seed=seed).loss)
    assert np.array_equal(curves[0], curves[1])
    assert not np.array_equal(curves[0], curves[2])


def test_minibatch_order_is_a_fresh_permutation_of_the_data_each_epoch():
    X = np.arange(10.0).reshape(10, 1)
    T = np.zeros((10, 1))
    net = bw.Network([1, 1], activation="linear", loss="mse")
    trainer = Trainer(net, X, T, lr=0.01, batch_size=4, seed=3)
    seen = []
    for _ in range(6):  # two epochs of 4 + 4 + 2
        Xb, _, _ = trainer._next_batch()
        seen.append(Xb[:, 0].tolist())
    rng = np.random.default_rng(3)
    first, second = rng.permutation(10), rng.permutation(10)
    assert [len(b) for b in seen] == [4, 4, 2, 4, 4, 2]
    assert [x for batch in seen[:3] for x in batch] == first.tolist()
    assert [x for batch in seen[3:] for x in batch] == second.tolist()


def test_batch_size_one_is_single_sample_sgd_and_the_full_size_is_full_batch():
    net, X, T = moons(40)
    full = train(net.copy(), X, T, lr=0.2, steps=5, batch_size=None)
    same = train(net.copy(), X, T, lr=0.2, steps=5, batch_size=40)
    assert np.array_equal(full.loss, same.loss)
    single_net = net.copy()
    h = train(single_net, X, T, lr=0.2, steps=3, batch_size=1, seed=0)
    first = int(np.random.default_rng(0).permutation(40)[0])
    assert h.loss[0] == pytest.approx(
        net.loss(X[first : first + 1], T[first : first + 1]), rel=1e-12
    )


def test_chunking_does_not_change_the_result():
    net, X, T = moons()
    a, b = net.copy(), net.copy()
    train(a, X, T, lr=0.4, steps=90, batch_size=16, seed=2)
    trainer = Trainer(b, X, T, lr=0.4, batch_size=16, seed=2)
    for chunk in (1, 30, 7, 52):
        trainer.run(chunk)
    assert np.array_equal(a.parameter_vector, b.parameter_vector)


def test_validation_loss_is_recorded_every_eval_every_steps():
    X, T = bw.datasets.moons(150)
    Xt, Tt, Xv, Tv = bw.datasets.split(X, T)
    net, _, _ = presets.classifier(Xt, Tt)
    start = net.copy()
    h = train(net, Xt, Tt, lr=0.5, steps=40, X_val=Xv, T_val=Tv, eval_every=10)
    assert h.eval_step.tolist() == [0, 10, 20, 30]
    assert h.val_loss[0] == pytest.approx(start.loss(Xv, Tv), rel=1e-12)
    assert h.train_loss[0] == pytest.approx(start.loss(Xt, Tt), rel=1e-12)


def test_frozen_parameters_do_not_move():
    net, X, T = moons()
    net.freeze("w1", "b1")
    before = net.parameters()
    train(net, X, T, lr=0.5, steps=20)
    after = net.parameters()
    assert after["w1"] == before["w1"] and after["b1"] == before["b1"]
    assert after["w2"] != before["w2"]


def test_inf_loss_stops_training_keeps_the_last_finite_parameters_and_says_what_to_try():
    X, T = bw.datasets.moons(100)
    net = bw.Network([2, 8, 1], activation=["relu", "linear"], loss="mse", seed=0)
    shadow = net.copy()
    h = train(net, X, T, lr=5.0, steps=500)
    assert h.diverged and h.diverged_at is not None and h.steps == h.diverged_at - 1
    # the network holds exactly the parameters after diverged_at - 1 plain SGD steps
    for _ in range(h.diverged_at - 1):
        shadow.step(X, T, 5.0)
    assert np.array_equal(net.parameter_vector, shadow.parameter_vector)
    assert np.isfinite(net.parameter_vector).all() and np.isfinite(net.loss(X, T))
    assert f"at step {h.diverged_at}" in h.message
    assert "lr = 5" in h.message and "10x smaller (lr = 0.5)" in h.message
    assert np.isfinite(h.loss).all()


def test_nan_loss_is_reported_in_plain_words():
    net = bw.Network([1, 1], activation="linear", loss="mse", seed=0)
    X, T = np.array([[1e200]]), np.array([[0.0]])
    h = train(net, X, T, lr=1.0, steps=10)
    assert h.diverged
    assert "became inf" in h.message or "became nan" in h.message
    assert np.isfinite(net.parameter_vector).all()


def test_explosion_is_measured_against_the_starting_loss():
    X, T = bw.datasets.moons(100)
    net = bw.Network([2, 8, 1], activation=["relu", "linear"], loss="mse", seed=0)
    h = train(net, X, T, lr=1.0, steps=500)
    assert h.diverged
    assert h.diverged_loss > DIVERGENCE_FACTOR * max(h.loss[0], 1.0)
    assert "counts as diverged" in h.message


def test_reasonable_runs_never_count_as_diverged():
    for lr in (0.01, 0.5, 3.0):
        net, X, T = moons()
        assert not train(net, X, T, lr=lr, steps=300, batch_size=8).diverged


def test_trainer_resume_after_divergence_with_a_smaller_learning_rate():
    X, T = bw.datasets.moons(100)
    net = bw.Network([2, 8, 1], activation=["relu", "linear"], loss="mse", seed=0)
    trainer = Trainer(net, X, T, lr=5.0)
    trainer.run(100)
    assert trainer.diverged and trainer.run(10) == 0  # stays stopped until told
    kept = trainer.step
    trainer.resume()
    trainer.lr = 0.05
    assert trainer.run(50) == 50 and trainer.step == kept + 50 and not trainer.diverged


def test_reset_restores_initial_parameters_and_empties_history():
    net, X, T = moons()
    initial = net.parameter_vector
    trainer = Trainer(net, X, T, lr=0.5, batch_size=10, seed=4)
    trainer.run(30)
    first = trainer.history.loss.copy()
    trainer.reset()
    assert np.array_equal(net.parameter_vector, initial)
    assert trainer.step == 0 and trainer.history.steps == 0
    trainer.run(30)
    assert np.array_equal(trainer.history.loss, first)  # the same seeded sequence again


def test_observers_hear_once_per_chunk_not_once_per_step():
    net, X, T = moons()
    calls = []
    net.observe(lambda n, names: calls.append(names))
    Trainer(net, X, T, lr=0.1).run(200)
    assert calls == [None]


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"lr": 0}, r"lr must be a positive, finite number .* got 0"),
        ({"lr": -0.1}, r"lr must be a positive.*got -0.1"),
        ({"lr": float("nan")}, r"lr must be a positive.*got nan"),
        ({"lr": "0.1"}, r"lr must be a positive.*got '0.1'"),
        (
            {"batch_size": 0},
            r"batch_size must be None \(the full batch\) or an integer from 1 .* to 120 .*got 0",
        ),
        ({"batch_size": 121}, r"batch_size .* to 120 \(the number of training samples\); got 121"),
        ({"batch_size": 2.5}, r"batch_size .*got 2.5"),
        ({"batch_size": True}, r"batch_size .*got True"),
        ({"steps": -1}, r"steps must be an integer >= 0; got -1"),
        ({"steps": 1.5}, r"steps must be an integer >= 0; got 1.5"),
        ({"seed": -3}, r"seed must be a non-negative integer .*got -3"),
    ],
)
def test_bad_settings_name_the_argument_the_value_and_what_is_accepted(kwargs, pattern):
    net, X, T = moons()
    args = {"lr": 0.1, "steps": 5} | kwargs
    with pytest.raises(BackpropInputError, match=pattern):
        train(net, X, T, **args)


def test_bad_data_reuse_the_networks_messages():
    net, X, T = moons()
    with pytest.raises(
        BackpropInputError, match=r"X must have shape \(n_samples, 2\); got shape \(120, 3\)"
    ):
        train(net, np.ones((120, 3)), T, 0.1, 5)
    with pytest.raises(BackpropInputError, match=r"T must have shape \(120, 1\)"):
        train(net, X, T[:10], 0.1, 5)
    with pytest.raises(
        BackpropInputError, match=r"X_val and T_val must be given together.*only X_val"
    ):
        train(net, X, T, 0.1, 5, X_val=X)
    with pytest.raises(BackpropInputError, match=r"T_val must have shape \(120, 1\)"):
        train(net, X, T, 0.1, 5, X_val=X, T_val=T[:3])
    with pytest.raises(BackpropInputError, match=r"X must contain only finite numbers"):
        train(net, np.full((4, 2), np.nan), T[:4], 0.1, 5)


def test_presets_for_training_are_seeded_two_class_classifiers():
    for make in (presets.moons, presets.xor, presets.circles, presets.spiral):
        net, X, T = make()
        again, X2, _ = make()
        assert net.sizes == [2, 16, 16, 1] and net.loss_name == "bce"
        assert net.activation == ["tanh", "tanh", "sigmoid"]
        assert set(np.unique(T)) == {0.0, 1.0}
        assert np.array_equal(X, X2) and np.array_equal(
            net.parameter_vector, again.parameter_vector
        )
    net, X, T = presets.moons(512)
    assert X.shape == (512, 2)

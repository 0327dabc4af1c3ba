"""After a divergence, the learning rate training goes on with must be one that trains.

A student who presses Play again (or calls ``trainer.resume()``) should see the run recover,
not blow up a second time or sit at chance level: these tests train on after the resume and
check the accuracy a student would read in the dashboard.
"""

import numpy as np

from backprop_widgets.core import datasets, presets
from backprop_widgets.core.advice import after_divergence_message, last_good_lr, lr_advice
from backprop_widgets.core.training import Trainer


def accuracy(trainer) -> float:
    y = trainer.net.forward(trainer.X)
    return float(np.mean(datasets.labels(y) == datasets.labels(trainer.T)))


def diverged_from_the_start(preset, lr):
    net, X, T = preset()
    trainer = Trainer(net, X, T, lr=lr, eval_every=None)
    trainer.run(200)
    assert trainer.diverged
    return trainer


def test_moons_after_lr_300_from_the_start_resumes_100x_smaller_and_trains():
    trainer = diverged_from_the_start(presets.moons, 300.0)
    assert "Try lr = 3, 100x smaller." in trainer.history.message
    assert "with lr = 3, 100x smaller" in trainer.after_divergence_message()
    assert trainer.resume() == 3.0
    trainer.run(1000)
    assert not trainer.diverged and accuracy(trainer) > 0.95


def test_digits_after_lr_20_from_the_start_resumes_at_a_rate_that_leaves_chance_level():
    trainer = diverged_from_the_start(presets.digits, 20.0)
    assert trainer.resume() == 0.2
    trainer.run(600)
    # lr 2 (10x smaller) stays at 10 %: every relu dead; lr 0.2 learns the digits
    assert not trainer.diverged and accuracy(trainer) > 0.9


def test_after_training_well_the_resume_is_the_last_learning_rate_that_trained():
    net, X, T = presets.moons()
    trainer = Trainer(net, X, T, lr=0.5)
    trainer.run(300)
    trained = accuracy(trainer)
    trainer.lr = 300.0
    trainer.run(100)
    assert trainer.diverged
    assert "Try lr = 0.5, the last learning rate that trained." in trainer.history.message
    text = after_divergence_message(trainer.history, trainer.lr)
    assert "continue from step" in text and "lr = 0.5, the last learning rate that trained" in text
    assert trainer.resume() == 0.5
    trainer.run(300)
    assert not trainer.diverged and accuracy(trainer) >= trained


def test_a_second_divergence_in_a_row_goes_back_below_both():
    net, X, T = presets.moons()
    trainer = Trainer(net, X, T, lr=0.5)
    trainer.run(300)
    trainer.lr = 300.0
    trainer.run(100)
    trainer.resume(lr=100.0)  # the student's own, still too large
    trainer.run(100)
    assert trainer.diverged and len(trainer.history.divergences) == 2
    assert trainer.resume() == 0.5  # below both lrs that diverged, and it had trained
    trainer.run(200)
    assert not trainer.diverged and accuracy(trainer) > 0.95


def test_a_learning_rate_whose_loss_rose_is_not_called_one_that_trained():
    lrs = [0.1] * 30 + [5.0] * 30 + [300.0] * 3
    losses = [0.7 - 0.01 * i for i in range(30)] + [0.4 + 0.02 * i for i in range(30)] + [9] * 3
    assert last_good_lr(lrs, losses, [300.0]) == 0.1
    assert last_good_lr([300.0] * 3, [0.7, 5.0, 80.0], [300.0]) is None


def test_a_network_stuck_with_no_gradient_is_not_told_to_raise_the_learning_rate():
    net, X, T = presets.digits(400)
    trainer = Trainer(net, X, T, lr=3.0, eval_every=None)
    trainer.run(1100)  # never diverges: every relu switched off, the loss stays at chance
    assert not trainer.diverged and accuracy(trainer) < 0.2
    text, kind = lr_advice(trainer.history, trainer.lr, None, trainer.initial_loss)
    assert kind == "warning" and "stuck, not slow" in text and "Reset and try lr = 0.3" in text
    assert "Try lr = 30" not in text

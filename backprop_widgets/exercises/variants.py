"""Each student's own numbers: deterministic from the student id and the question.

A variant keeps the question's network (sizes, activations, loss, names) and draws new
weights, inputs and targets with two decimals, so they can be worked by hand. A draw is kept
only when it is not degenerate:

- no saturated unit (a sigmoid output within 0.02 of 0 or 1, |tanh| above 0.96, a relu net
  input within 0.05 of its kink, a softmax output above 0.98);
- the asked quantity is not (nearly) zero;
- no slip the hints know (another parameter's gradient, a sign, a constant factor, ...) comes
  within 2 % of the right value, so no wrong answer is accepted by coincidence. (Two slips
  may still give nearly the same number; the hints then say so instead of guessing.)

The seed is a hash (SHA-256) of the student id, the question's kind, its quantity and the
network's shape, so the autograder rebuilds the same variant from the id on any machine. The
id is normalised first (:func:`.identity.normalise`: case and surrounding spaces do not
count), as the grader normalises the id it takes from where the submission was put.
"""

from __future__ import annotations

import hashlib

import numpy as np

from ..core.errors import BackpropInputError
from ..core.ops import ACTIVATIONS
from .formula import agrees
from .identity import normalise

ATTEMPTS = 400
DECIMALS = 2
SEPARATION = 0.02  # a slip must be this far (relative) from the right answer


def seed_for(question, student: str) -> int:
    net = question.net
    key = "|".join(
        [
            normalise(student),
            type(question).__name__,
            question.asked.key,
            repr(net.sizes),
            repr(net.activation),
            net.loss_name,
            net.bias_mode,
        ]
    )
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")


def numbers_for(question, student: str):
    """(net, x, t) for this student: the question's network with the student's numbers."""
    if not normalise(student):
        raise BackpropInputError(f"student must be a non-empty string (an id); got {student!r}")
    rng = np.random.default_rng(seed_for(question, student))
    for _ in range(ATTEMPTS):
        net, x, t = _draw(question, rng)
        candidate = question._rebuilt(net, x, t)
        if not degenerate(candidate):
            return net, x, t
    raise BackpropInputError(
        f"no non-degenerate numbers found for {question.prompt} in {ATTEMPTS} draws; "
        "use a network where the asked quantity can be far from zero"
    )


def _draw(question, rng):
    net = question.net.copy()
    values = {}
    for name in net.parameter_names:
        magnitude = rng.uniform(0.1, 0.9)
        values[name] = round(float(magnitude * rng.choice((-1.0, 1.0))), DECIMALS)
    net.set_parameters(values)
    x = np.round(rng.uniform(0.05, 1.0, size=question.x.shape), DECIMALS)
    n_out = len(net.output_names)
    if net.loss_name == "cross_entropy":
        t = np.zeros(n_out)
        t[rng.integers(n_out)] = 1.0
    elif ACTIVATIONS[net.activation[-1]].output_range == (0.0, 1.0) or net.loss_name == "bce":
        t = np.round(rng.uniform(0.01, 0.99, size=n_out), DECIMALS)
    else:
        t = np.round(rng.uniform(-1.0, 1.0, size=n_out), DECIMALS)
    return net, x, t


def degenerate(question) -> bool:
    """Whether the question's numbers would make a poor exercise (see the module's text)."""
    return _saturated(question) or _vanishing(question) or _coincidence(question)


def _saturated(question) -> bool:
    g = question._pre
    net = question.net
    for names, act in zip(net.node_names[1:], net.activation, strict=True):
        for name in names:
            if ACTIVATIONS[act].poor_exercise(g.value("net_" + name), g.value(name)):
                return True
    return False


def _vanishing(question) -> bool:
    return abs(question.expected) < 1e-4


def _coincidence(question) -> bool:
    expected = question.expected
    draws = question._draws
    here = [(slip, slip.at(draws[0])) for slip in question._slips]
    here = [(s, v) for s, v in here if np.isfinite(v)]
    for slip, value in here:
        if _identical(slip.at, lambda d: d.expected, draws):
            continue  # the same quantity at every draw (relu's slope of 1): not a slip here
        if agrees(value, expected, SEPARATION):
            return True
    return False


def _identical(f, g, draws) -> bool:
    return all(agrees(f(d), g(d), 1e-9) for d in draws)

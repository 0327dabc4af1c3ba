"""What a network may be: the checks of ``Network``'s arguments (sizes, activations, loss,
names), each with an error that names the argument, the value and what is accepted."""

from __future__ import annotations

import numbers
from collections.abc import Iterable

from . import validation
from .errors import BackpropInputError
from .naming import RESERVED, default_node_names, default_target_names
from .ops import ACTIVATIONS, HIDDEN_ACTIVATIONS, LOSSES


def check_sizes(sizes) -> list[int]:
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Iterable):
        raise BackpropInputError(
            f"sizes must be a list of positive integers, input layer first, e.g. [2, 2, 2]; got {sizes!r}"
        )
    sizes = list(sizes)
    if len(sizes) < 2:
        raise BackpropInputError(
            f"sizes must list at least an input and an output layer, e.g. [2, 2, 2]; got {sizes!r}"
        )
    for s in sizes:
        if isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 1:
            raise BackpropInputError(
                f"sizes must be positive integers (neurons per layer); got {sizes!r}"
            )
    return [int(s) for s in sizes]


def check_activations(activation, n_layers: int) -> list[str]:
    hidden = ", ".join(HIDDEN_ACTIVATIONS)
    accepted = f"{hidden} (softmax as the last layer only)"
    names = [activation] * n_layers if isinstance(activation, str) else activation
    if not isinstance(names, (list, tuple)) or len(names) != n_layers:
        raise BackpropInputError(
            f"activation must be one name or a list of {n_layers} names (one per non-input "
            f"layer) from {accepted}; got {activation!r}"
        )
    for layer, name in enumerate(names, start=1):
        if name not in ACTIVATIONS:
            raise BackpropInputError(
                f"activation of layer {layer} must be one of {accepted}; got {name!r}"
            )
        if name == "softmax" and layer != n_layers:
            raise BackpropInputError(
                f"activation of layer {layer} is 'softmax', which is accepted only for the "
                f"output layer; use one of {hidden} there"
            )
    return list(names)


def check_loss(loss, output_activation: str) -> str:
    validation.one_of(loss, LOSSES, "loss")
    needed = LOSSES[loss].requires_output
    if needed and output_activation != needed:
        raise BackpropInputError(
            f"loss={loss!r} needs a {needed} output layer; got activation {output_activation!r} "
            f"for the last layer"
        )
    if output_activation == "softmax" and loss != "cross_entropy":
        raise BackpropInputError(
            f"a softmax output layer goes with loss='cross_entropy'; got loss={loss!r}"
        )
    return loss


def check_node_names(node_names, sizes) -> list[list[str]]:
    if node_names is None:
        return default_node_names(sizes)
    ok = isinstance(node_names, (list, tuple)) and len(node_names) == len(sizes)
    ok = ok and all(
        isinstance(layer, (list, tuple)) and len(layer) == n for layer, n in zip(node_names, sizes)
    )
    if not ok:
        raise BackpropInputError(
            f"node_names must be one list of names per layer with sizes {sizes}; got {node_names!r}"
        )
    flat = [n for layer in node_names for n in layer]
    bad = [n for n in flat if not isinstance(n, str) or not n or " " in n or n in RESERVED]
    if bad:
        raise BackpropInputError(
            f"node_names must be non-empty strings without spaces, and not 'L' (the loss); got {bad[0]!r}"
        )
    if len(set(flat)) != len(flat):
        dup = sorted({n for n in flat if flat.count(n) > 1})
        raise BackpropInputError(f"node_names must be unique; repeated: {', '.join(dup)}")
    if any(n.startswith("net_") or (n.startswith("w") and n[1:].isdigit()) for n in flat):
        raise BackpropInputError(
            "node_names must not look like a weight (w1) or a net input (net_h1); "
            f"got {[n for n in flat if n.startswith('net_') or (n[1:].isdigit() and n[0] == 'w')]}"
        )
    return [list(layer) for layer in node_names]


def check_target_names(target_names, n_out: int, node_names) -> list[str]:
    if target_names is None:
        return default_target_names(n_out)
    if not isinstance(target_names, (list, tuple)) or len(target_names) != n_out:
        raise BackpropInputError(
            f"target_names must be a list of {n_out} names (one per output); got {target_names!r}"
        )
    taken = {n for layer in node_names for n in layer} | RESERVED
    for name in target_names:
        if not isinstance(name, str) or not name or name in taken:
            raise BackpropInputError(
                f"target_names must be new non-empty names (not a neuron or 'L'); got {name!r}"
            )
    return list(target_names)

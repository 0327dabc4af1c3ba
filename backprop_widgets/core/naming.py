"""Default names for neurons, targets and parameters.

The same strings are used in the diagram, in the chain-rule formulas and in typed
answers, so they are short and unique:

- inputs ``i1, i2, ...``; outputs ``o1, o2, ...``; targets ``t1, t2, ...``;
- one hidden layer: ``h1, h2, ...``; several hidden layers: one letter per layer,
  in order ``h, j, k, m, n, p, q, r, s, u, v`` (``h1, h2`` then ``j1, j2`` ...), letters
  chosen so none reads as an input, output, target, weight, bias or the loss; past
  eleven hidden layers ``h12_1``-style names;
- weights ``w1, w2, ...`` layer by layer, inside a layer by destination neuron, then
  by source neuron (the order of a row-major ``(n_out, n_in)`` matrix);
- biases by mode: ``per_neuron`` ``b1, b2, ...`` one per non-input neuron;
  ``per_layer`` ``b1, b2, ...`` one per non-input layer; ``shared`` a single ``b``;
  ``none`` no bias.
"""

from __future__ import annotations

HIDDEN_LETTERS = "hjkmnpqrsuv"
RESERVED = {"L"}


def default_node_names(sizes: list[int]) -> list[list[str]]:
    n_hidden = len(sizes) - 2
    names = [[f"i{j + 1}" for j in range(sizes[0])]]
    for layer in range(1, len(sizes) - 1):
        if n_hidden == 1:
            prefix = "h"
        elif n_hidden <= len(HIDDEN_LETTERS):
            prefix = HIDDEN_LETTERS[layer - 1]
        else:
            prefix = f"h{layer}_"
        names.append([f"{prefix}{j + 1}" for j in range(sizes[layer])])
    names.append([f"o{j + 1}" for j in range(sizes[-1])])
    return names


def default_target_names(n_outputs: int) -> list[str]:
    return [f"t{k + 1}" for k in range(n_outputs)]

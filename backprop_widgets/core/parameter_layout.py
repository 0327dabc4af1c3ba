"""Where every named parameter of a fully-connected network lives in its flat vector.

The names (w1.. then b1.. or b), their positions, the slice of each weight matrix, which bias
feeds each neuron, and where each parameter enters the network are all fixed by the layer
sizes and the bias mode: computed once here, so the network and the chain-rule view never
search by name.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ParameterLayout:
    names: list[str]
    index: dict[str, int]
    weight_slices: list[slice]  # per layer, into the flat vector
    bias_uses: list[np.ndarray]  # per layer: the flat index of the bias feeding each neuron
    n_weights: int
    # per parameter: ((layer, neuron, source or None), ...), where it enters a net input
    entries: tuple[tuple[tuple[int, int, int | None], ...], ...]

    @classmethod
    def of(cls, sizes: list[int], bias_mode: str) -> ParameterLayout:
        weight_slices, offset = [], 0
        for layer in range(1, len(sizes)):
            n = sizes[layer] * sizes[layer - 1]
            weight_slices.append(slice(offset, offset + n))
            offset += n
        n_weights = offset
        names = [f"w{k + 1}" for k in range(n_weights)]
        layers = range(1, len(sizes))
        if bias_mode == "per_neuron":
            names += [f"b{k + 1}" for k in range(sum(sizes[1:]))]
            uses, start = [], n_weights
            for layer in layers:
                uses.append(np.arange(start, start + sizes[layer]))
                start += sizes[layer]
        elif bias_mode == "per_layer":
            names += [f"b{k + 1}" for k in range(len(sizes) - 1)]
            uses = [np.full(sizes[layer], n_weights + layer - 1) for layer in layers]
        elif bias_mode == "shared":
            names.append("b")
            uses = [np.full(sizes[layer], n_weights) for layer in layers]
        else:
            uses = [np.empty(0, dtype=int) for _ in layers]
        entries: list[list[tuple[int, int, int | None]]] = []
        for layer in layers:
            n_in = sizes[layer - 1]
            entries += [[(layer, k // n_in, k % n_in)] for k in range(sizes[layer] * n_in)]
        bias_entries: dict[int, list] = {}
        for layer, layer_uses in enumerate(uses, start=1):
            for neuron, k in enumerate(layer_uses.tolist()):
                bias_entries.setdefault(k, []).append((layer, neuron, None))
        entries += [bias_entries[k] for k in sorted(bias_entries)]
        return cls(
            names=names,
            index={name: k for k, name in enumerate(names)},
            weight_slices=weight_slices,
            bias_uses=uses,
            n_weights=n_weights,
            entries=tuple(tuple(e) for e in entries),  # shared by copies, so immutable
        )

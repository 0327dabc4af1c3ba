"""Gradients by parameter name, and a finite-difference check's errors, as small mappings."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .errors import unknown_name
from .parameter_layout import ParameterLayout


class Gradients(Mapping):
    """dL/dp by parameter name (floats), with the same numbers as arrays.

    ``g.weights`` are shaped like ``net.weights``; ``g.biases`` like ``net.biases``
    gives per-parameter values for tied biases via names; ``g.vector`` follows
    ``net.parameter_names``.
    """

    def __init__(self, layout: ParameterLayout, weight_shapes, vector: np.ndarray):
        self._names = layout.names
        self._index = layout.index
        self.vector = vector
        self.weights = [
            vector[s].reshape(shape) for s, shape in zip(layout.weight_slices, weight_shapes)
        ]

    def __getitem__(self, name: str) -> float:
        try:
            return float(self.vector[self._index[name]])
        except (KeyError, TypeError):
            raise unknown_name("parameter", name, self._names) from None

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def norm(self) -> float:
        """The Euclidean norm |dL/dtheta| over all parameters."""
        return float(np.linalg.norm(self.vector))

    def layer_norms(self) -> list[float]:
        """|dL/dW| per layer: shows vanishing or exploding gradients."""
        return [float(np.linalg.norm(W)) for W in self.weights]

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={self[n]:.6g}" for n in self._names[:6])
        more = ", ..." if len(self._names) > 6 else ""
        return f"Gradients({shown}{more})"


class GradientCheck(dict):
    """Relative error of backprop against finite differences, by parameter name."""

    @property
    def max_error(self) -> float:
        return max(self.values(), default=0.0)

    @property
    def worst(self) -> str | None:
        return max(self, key=self.get) if self else None

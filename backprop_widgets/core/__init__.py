"""The NumPy core: networks, the chain-rule view, presets and datasets. Imports only NumPy."""

from . import datasets, presets
from .chain_rule import ChainRule, ComputationGraph, DeltaEquation, Factor
from .errors import BackpropInputError, TooManyPathsError, UnknownNameError
from .network import GradientCheck, Gradients, Network, ParameterInfo

__all__ = [
    "BackpropInputError",
    "ChainRule",
    "ComputationGraph",
    "DeltaEquation",
    "Factor",
    "GradientCheck",
    "Gradients",
    "Network",
    "ParameterInfo",
    "TooManyPathsError",
    "UnknownNameError",
    "datasets",
    "presets",
]

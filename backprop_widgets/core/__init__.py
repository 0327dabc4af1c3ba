"""The NumPy core: networks, the chain-rule view, presets and datasets. Imports only NumPy."""

from . import datasets, presets
from .chain_rule import ChainRule, ComputationGraph, DeltaEquation, Factor
from .errors import BackpropInputError, TooManyPathsError, UnknownNameError
from .graph import Graph, Value, trace
from .network import GradientCheck, Gradients, Network, ParameterInfo, set_graph_builder

# network.py and chain_rule.py do not import each other: the graph builds on the network's
# internal API, and the network reaches its graph (net.graph, net.chain_rule) through this.
set_graph_builder(Graph)

__all__ = [
    "BackpropInputError",
    "ChainRule",
    "ComputationGraph",
    "DeltaEquation",
    "Factor",
    "GradientCheck",
    "Gradients",
    "Graph",
    "Network",
    "ParameterInfo",
    "TooManyPathsError",
    "UnknownNameError",
    "Value",
    "datasets",
    "presets",
    "trace",
]

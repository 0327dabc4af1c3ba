"""backprop-widgets: teach backpropagation inside Jupyter.

>>> import backprop_widgets as bw
>>> net, x, t = bw.presets.mazur()
>>> net.chain_rule("w1", x, t).text()
'dh1/dw1 * do1/dh1 * dL/do1 + dh1/dw1 * do2/dh1 * dL/do2'
"""

from .core import (
    BackpropInputError,
    ChainRule,
    ComputationGraph,
    Factor,
    Gradients,
    Network,
    TooManyPathsError,
    UnknownNameError,
    datasets,
    presets,
)
from .widgets import ChainRuleExplorer, NetworkDiagram

__version__ = "0.1.0"

__all__ = [
    "BackpropInputError",
    "ChainRule",
    "ChainRuleExplorer",
    "ComputationGraph",
    "Factor",
    "Gradients",
    "Network",
    "NetworkDiagram",
    "TooManyPathsError",
    "UnknownNameError",
    "datasets",
    "presets",
]

"""backprop-widgets: teach backpropagation inside Jupyter.

>>> import backprop_widgets as bw
>>> net, x, t = bw.presets.mazur()
>>> net.chain_rule("w1", x, t).text()
'dh1/dw1 * do1/dh1 * dL/do1 + dh1/dw1 * do2/dh1 * dL/do2'
"""

from . import exercises
from .core import (
    BackpropInputError,
    ChainRule,
    ComputationGraph,
    Factor,
    Gradients,
    Graph,
    Network,
    TooManyPathsError,
    UnknownNameError,
    Value,
    datasets,
    presets,
    trace,
)
from .core.training import TrainingHistory, train
from .exercises import (
    DeltaQuestion,
    Feedback,
    ForwardQuestion,
    GradientQuestion,
    LossQuestion,
    UpdateQuestion,
    check_answer,
)
from .exercises.expression import expression
from .projector import projector

__version__ = "0.1.0"

# Widgets are imported on first use, so that `import backprop_widgets` in a plain script or
# an autograder loads NumPy only (no ipywidgets, anywidget or IPython).
_LAZY = {
    "ChainRuleExplorer": "backprop_widgets.widgets.explorer",
    "GradientExercise": "backprop_widgets.widgets.exercise",
    "TrainingDashboard": "backprop_widgets.widgets.training",
    "NetworkDiagram": "backprop_widgets.widgets.diagram",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'backprop_widgets' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)


__all__ = [
    "BackpropInputError",
    "ChainRule",
    "ChainRuleExplorer",
    "ComputationGraph",
    "DeltaQuestion",
    "Factor",
    "Feedback",
    "ForwardQuestion",
    "GradientExercise",
    "GradientQuestion",
    "Gradients",
    "Graph",
    "LossQuestion",
    "Network",
    "NetworkDiagram",
    "TooManyPathsError",
    "TrainingDashboard",
    "TrainingHistory",
    "UnknownNameError",
    "UpdateQuestion",
    "Value",
    "check_answer",
    "datasets",
    "exercises",
    "expression",
    "presets",
    "projector",
    "trace",
    "train",
]

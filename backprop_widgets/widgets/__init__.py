"""Jupyter widgets: thin views over the core's state."""

from .diagram import NetworkDiagram
from .exercise import GradientExercise
from .explorer import ChainRuleExplorer

__all__ = ["ChainRuleExplorer", "GradientExercise", "NetworkDiagram"]

"""Jupyter widgets: thin views over the core's state."""

from .diagram import NetworkDiagram
from .explorer import ChainRuleExplorer

__all__ = ["ChainRuleExplorer", "NetworkDiagram"]

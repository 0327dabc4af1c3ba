"""Errors raised for bad input. Each message names the argument, the value and what is accepted."""

from __future__ import annotations

import difflib


class BackpropInputError(ValueError):
    """A public entry point was given a value it cannot use."""


class UnknownNameError(KeyError):
    """A parameter or node name that the network does not have.

    Subclasses KeyError (as a mapping lookup should) but prints its message plainly,
    not as a quoted repr.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class TooManyPathsError(BackpropInputError):
    """The chain-rule sum has more paths than is sensible to list; use the delta form instead."""


def closest(name: str, options) -> str:
    """' Did you mean ...?' for a misspelt name, or an empty string."""
    match = difflib.get_close_matches(str(name), [str(o) for o in options], n=1, cutoff=0.5)
    return f" Did you mean {match[0]!r}?" if match else ""


def short_list(options, limit: int = 12) -> str:
    options = [str(o) for o in options]
    if len(options) <= limit:
        return ", ".join(options)
    return ", ".join(options[: limit - 2]) + f", ... {options[-1]} ({len(options)} in all)"


def unknown_name(kind: str, name, options) -> UnknownNameError:
    return UnknownNameError(
        f"unknown {kind} name {name!r}; this network has: {short_list(options)}.{closest(name, options)}"
    )

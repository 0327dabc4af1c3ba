"""The dashboard's data: the ``datasets=`` picker's entries and the built-in 2-D datasets.

Pure functions, no widgets: :func:`check_datasets` turns what a user passed as ``datasets=``
into ``name -> (X, T, X_val, T_val)`` (or says clearly what is wrong), and
:func:`builtin_datasets` builds the entries of ``TrainingDashboard.from_dataset`` from the
presets' own settings (``presets.dataset``: size and noise), so they are written once.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..core import datasets as _datasets
from ..core import presets
from ..core.errors import BackpropInputError

BUILTIN_DATASETS = presets.TWO_D_DATASETS


def check_datasets(datasets, dataset: str | None) -> dict | None:
    """``datasets`` as ``{name: (X, T, X_val, T_val)}`` (None stays None); ``dataset`` must
    be one of its names when given."""
    if datasets is None:
        if dataset is not None:
            raise BackpropInputError(
                f"dataset={dataset!r} needs datasets= (a mapping of name -> (X, T)); got none"
            )
        return None
    if not isinstance(datasets, Mapping) or not datasets:
        raise BackpropInputError(
            f"datasets must be a non-empty mapping of name -> (X, T) or (X, T, X_val, T_val); "
            f"got {type(datasets).__name__}"
        )
    out = {}
    for name, data in datasets.items():
        if not isinstance(data, (tuple, list)) or len(data) not in (2, 4):
            length = f" of length {len(data)}" if hasattr(data, "__len__") else ""
            raise BackpropInputError(
                f"datasets[{name!r}] must be (X, T) or (X, T, X_val, T_val); got "
                f"{type(data).__name__}{length}"
            )
        out[str(name)] = tuple(data) if len(data) == 4 else (*data, None, None)
    if dataset is not None and dataset not in out:
        raise BackpropInputError(
            f"dataset must be one of {', '.join(map(repr, out))}; got {dataset!r}"
        )
    return out


def starting_data(datasets: dict | None, dataset: str | None, X, T, X_val, T_val):
    """The data the dashboard starts on: ``X, T`` as given, else ``datasets[dataset]``
    (default: the first entry)."""
    if datasets is not None and X is None and T is None:
        name = dataset if dataset is not None else next(iter(datasets))
        X, T, X_val, T_val = datasets[name]
    if X is None or T is None:
        raise BackpropInputError(
            "X and T (the training data) are required unless datasets= is given"
        )
    return X, T, X_val, T_val


def builtin_datasets(n: int | None, validation: float | None, seed: int) -> dict:
    """Every built-in 2-D dataset with the presets' settings (``n`` points each when given),
    a share ``validation`` of it held out (None: no validation set)."""
    data = {}
    for key in BUILTIN_DATASETS:
        X, T = presets.dataset(key, n, seed=seed)
        if validation is None:
            data[key] = (X, T)
        else:
            data[key] = _datasets.split(X, T, fraction=validation, seed=seed)
    return data


def check_builtin_name(name: str) -> str:
    if name not in BUILTIN_DATASETS:
        raise BackpropInputError(
            f"name must be one of {', '.join(map(repr, BUILTIN_DATASETS))}; got {name!r}"
        )
    return name


VAL_EVERY = 10  # full batch: the validation loss every 10 steps (about 10 % of the time)


def validation_every(batch_size: int | None, n_samples: int, has_val: bool) -> int | None:
    """How often the dashboard's trainer records the full training and validation losses
    between frames: with validation data, every ``VAL_EVERY`` steps at full batch, once an
    epoch with mini-batches (the full-data losses cost about a step's worth of samples);
    None without validation data (only the frames evaluate). Dense enough that a
    validation curve shows where it bottoms out, even in a run() of a second.

    >>> validation_every(None, 225, True), validation_every(32, 1347, True)
    (10, 43)
    """
    if not has_val:
        return None
    if batch_size is None or batch_size >= n_samples:
        return VAL_EVERY
    return max(VAL_EVERY, -(-n_samples // batch_size))

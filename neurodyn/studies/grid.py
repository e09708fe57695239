"""Parameter grids of a study: product, zip or explicit points, repeated over seeds.

A grid is declared with model parameter names and values exactly as a model accepts them
(``g=[1, 5]``, ``tau_d=[1*ms, 2*ms]`` or ``tau_d=["1ms", "2ms"]``). :meth:`Grid.expand`
checks every point against the model (names, units, ranges, cross-parameter rules) before
anything runs and gives each point a seed derived from the study seed::

    seed(point, repeat) = SeedSequence([study_seed, repeat, *digest(parameters)]) -> 31-bit int

The seed depends on the point's parameters, not on its position in the grid, so adding
points to a grid leaves the seeds (and stored results) of the others unchanged.
"""
from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from neurodyn.errors import NeurodynError, ParameterError


class StudyError(NeurodynError, ValueError):
    """A study that cannot run as declared (empty grid, mismatched axes, seed in the grid, ...)."""


def _format(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def stable_digest(record: Mapping[str, Any]) -> str:
    """SHA-256 hex digest of a JSON-serialisable record, independent of key order."""
    return hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Point:
    """One resolved grid point.

    Attributes
    ----------
    overrides : dict
        Parameter values as given in the grid (plus the study's fixed values and ``seed``).
    record : dict
        The model's full parameter record (unit-carrying column names, plain values).
    seed : int
        The point's seed (also ``overrides["seed"]``).
    repeat : int
        Index of the repeat (0 .. repeats-1).
    """

    overrides: dict
    record: dict
    seed: int
    repeat: int

    def label(self, names: Sequence[str]) -> str:
        return " ".join(f"{name}={_format(self.overrides[name])}" for name in names if name in self.overrides)


@dataclass(frozen=True)
class Grid:
    """Points of a study, each a mapping from parameter name to value.

    Build with :func:`product`, :func:`zipped` or :func:`points`; ``grid_a + grid_b``
    concatenates; ``grid.repeat(n)`` runs every point with ``n`` different seeds.
    """

    entries: tuple[dict, ...]
    repeats: int = 1
    axes: tuple[str, ...] = field(default=())

    def __add__(self, other: "Grid") -> "Grid":
        if self.repeats != other.repeats:
            raise StudyError(f"cannot add grids with different repeats ({self.repeats} and {other.repeats})")
        axes = tuple(dict.fromkeys(self.axes + other.axes))
        return Grid(self.entries + other.entries, self.repeats, axes)

    def repeat(self, n: int) -> "Grid":
        """The same points, each run with ``n`` seeds derived from the study seed."""
        if int(n) != n or n < 1:
            raise StudyError(f"repeats must be a positive integer, got {n!r}")
        return Grid(self.entries, int(n), self.axes)

    def __len__(self) -> int:
        return len(self.entries) * self.repeats

    def expand(self, model_class, study_seed: int, fixed: Mapping[str, Any] | None = None) -> list[Point]:
        """Every point as a :class:`Point`, validated against ``model_class``.

        Raises
        ------
        StudyError
            Empty grid, or ``seed`` set by the grid (seeds come from the study seed).
        ParameterError
            Unknown parameter, wrong unit, value out of range or invalid combination, with
            the offending point named.
        """
        fixed = dict(fixed or {})
        if not self.entries:
            raise StudyError("the grid has no points")
        spec = model_class.parameters
        names = list(dict.fromkeys(itertools.chain(fixed, *self.entries)))
        spec.check_names(names)
        if "seed" not in spec.names:
            raise StudyError(f"model {model_class.name!r} has no 'seed' parameter; a study needs one")
        if "seed" in names:
            raise StudyError("do not put 'seed' in the grid or the fixed values: point seeds derive from the "
                             "study seed; use grid.repeat(n) for several seeds per point")
        expanded = []
        for entry in self.entries:
            overrides = {**fixed, **entry}
            base = _validated_record(model_class, overrides, entry)
            digest = stable_digest({key: value for key, value in base.items() if key != "seed"})
            for repeat in range(self.repeats):
                seed = derive_seed(study_seed, repeat, digest)
                with_seed = {**overrides, "seed": seed}
                expanded.append(Point(overrides=with_seed, record={**base, "seed": seed}, seed=seed, repeat=repeat))
        return expanded


def derive_seed(study_seed: int, repeat: int, digest: str) -> int:
    """Seed of one point: NumPy's SeedSequence over the study seed, repeat and parameter digest."""
    words = [int(digest[k:k + 8], 16) for k in range(0, 32, 8)]
    return int(np.random.SeedSequence([int(study_seed), int(repeat), *words]).generate_state(1)[0] % 2**31)


def _validated_record(model_class, overrides: Mapping[str, Any], entry: Mapping[str, Any]) -> dict:
    """The model's parameter record for ``overrides``; errors name the grid point."""
    try:
        return model_class(**overrides).record
    except ParameterError as error:
        shown = ", ".join(f"{name}={value!r}" for name, value in entry.items())
        raise ParameterError(f"grid point ({shown}): {error}") from None


def _check_axes(axes: Mapping[str, Sequence]) -> dict[str, list]:
    if not axes:
        raise StudyError("the grid has no axes")
    checked = {}
    for name, values in axes.items():
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            values = [values]
        values = list(values)
        if not values:
            raise StudyError(f"grid axis {name!r} has no values")
        checked[name] = values
    return checked


def product(**axes: Sequence) -> Grid:
    """Every combination of the axes' values (the first axis varies slowest).

    >>> len(product(g=[1, 2, 3], I_u=[1.2, 1.5]))
    6
    """
    axes = _check_axes(axes)
    entries = tuple(dict(zip(axes, combination)) for combination in itertools.product(*axes.values()))
    return Grid(entries, axes=tuple(axes))


def zipped(**axes: Sequence) -> Grid:
    """Axes of equal length walked together: point k takes the k-th value of every axis."""
    axes = _check_axes(axes)
    lengths = {name: len(values) for name, values in axes.items()}
    if len(set(lengths.values())) > 1:
        raise StudyError(f"zipped axes must have equal lengths, got {lengths}")
    return Grid(tuple(dict(zip(axes, values)) for values in zip(*axes.values())), axes=tuple(axes))


def points(entries: Sequence[Mapping[str, Any]]) -> Grid:
    """An explicit list of points, each a mapping of parameter values."""
    entries = tuple(dict(entry) for entry in entries)
    if not entries:
        raise StudyError("the grid has no points")
    return Grid(entries, axes=tuple(dict.fromkeys(itertools.chain(*entries))))

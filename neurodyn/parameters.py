"""Typed, unit-checked model parameters, and the checks every run input goes through.

A model declares its parameters once, as a :class:`ParameterSpec` of :class:`Parameter`
entries (name, default, unit, documentation). Users override them from Python
(``g=5``, ``tau_d=2*ms``) or from the command line (``--set tau_d=2ms``); the spec turns
every value into the declared type and refuses, with a :class:`ParameterError` that names
the parameter, before anything is built:

- unknown names, wrong units, mistyped values (lists, arrays, complex numbers, booleans,
  text that is not a number);
- NaN and infinite values (``1e999`` reads as infinity);
- values out of bounds: ``minimum`` / ``maximum`` are inclusive, ``exclusive_minimum``
  strict; **a time quantity must be > 0** unless its parameter sets a ``minimum``
  (``tau_d``: ``minimum=0`` allows no delay);
- integers that are not exact: ``N=10.5``, or a float beyond 2**53 (where floats no longer
  hold every integer: pass an ``int``, or text such as ``"9007199254740993"``); integers
  must fit in 64 bits.

:func:`check_duration`, :func:`check_transient` and :func:`check_time_grid` apply the same
rules to a run's duration and transient and to the relations between the time step and the
model's delays and time constants. Resolved values become a flat *record* whose column names
carry their unit (``tau_d_ms``) for tidy DataFrames.
"""
from __future__ import annotations

import difflib
import math
import numbers
import re
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
from brian2 import Quantity, have_same_dimensions, second
from brian2 import units as brian2_units

from neurodyn.errors import ParameterError, TimeStepWarning

_QUANTITY_PATTERN = re.compile(
    r"^\s*(?P<number>[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)\s*\*?\s*(?P<unit>[A-Za-z]\w*)?\s*$"
)
_INTEGER_PATTERN = re.compile(r"^[-+]?\d+$")

#: Unit spellings people write that Brian2 does not define under that name.
_UNIT_ALIASES = {"s": "second"}

#: Largest integer every float represents exactly (integers beyond it must be given as ``int``).
EXACT_FLOAT_INTEGER = 2**53
#: Integers are stored in 64 bits (NumPy, Brian2).
MAX_INTEGER = 2**63 - 1
#: Relative tolerance for "a whole number of time steps" (Brian2's ``Clock.epsilon_dt``).
STEP_TOLERANCE = 1e-4
_PACKAGE = str(Path(__file__).resolve().parent)  # neurodyn/
#: Brian2 warns that beyond this many steps times are no longer exact multiples of dt.
MAX_STEPS = 2**40


def parse_quantity(text: str, name: str = "value") -> Quantity | float | int:
    """Parse ``"5ms"``, ``"5 ms"``, ``"5*ms"``, ``"0.5"`` or ``"12"`` into a Brian2 quantity,
    a float, or (for an integer literal without unit) an exact ``int``."""
    match = _QUANTITY_PATTERN.match(text)
    if match is None:
        raise ParameterError(f"cannot read {name}={text!r}: expected a number with an optional unit, e.g. 2ms")
    literal = match["number"]
    unit_name = match["unit"]
    if unit_name is None:
        return int(literal) if _INTEGER_PATTERN.match(literal) else float(literal)
    unit = getattr(brian2_units, _UNIT_ALIASES.get(unit_name, unit_name), None)
    if not isinstance(unit, Quantity):
        raise ParameterError(f"unknown unit {unit_name!r} in {name}={text!r}")
    return float(literal) * unit


def real_number(name: str, raw: Any) -> int | float:
    """``raw`` as one plain ``int`` or finite ``float``, or a :class:`ParameterError` that
    names ``name`` (lists, arrays, complex numbers, booleans, NaN and infinity are refused)."""
    if isinstance(raw, np.ndarray) and raw.ndim == 0:
        raw = raw.item()
    if isinstance(raw, Quantity):
        if not raw.is_dimensionless:
            raise ParameterError(f"{name} is dimensionless, got {raw!r} (remove the unit)")
        if np.ndim(raw) != 0:
            raise ParameterError(f"{name} must be a single number, got {raw!r}")
        raw = float(raw)
    if isinstance(raw, bool) or isinstance(raw, np.bool_):
        raise ParameterError(f"{name} must be a number, got the boolean {raw!r}")
    if isinstance(raw, numbers.Integral):
        return int(raw)
    if not isinstance(raw, numbers.Real):
        raise ParameterError(f"{name} must be a single real number, got {type(raw).__name__} {raw!r}")
    value = float(raw)
    if math.isnan(value):
        raise ParameterError(f"{name} is NaN")
    if math.isinf(value):
        raise ParameterError(f"{name} must be finite, got {value} (a number beyond the float range, e.g. 1e999, "
                             f"reads as infinity)")
    return value


def real_array(name: str, raw: Any) -> np.ndarray:
    """``raw`` as a float array of finite real numbers, else a :class:`ParameterError`
    (text, complex, boolean or object entries are refused, not converted)."""
    array = np.asarray(raw)
    if array.dtype.kind not in "iuf":
        raise ParameterError(f"{name} must hold real numbers, got an array of {array.dtype} ({array.dtype.kind!r} kind)")
    array = array.astype(float)
    if not np.all(np.isfinite(array)):
        raise ParameterError(f"{name} contain NaN or infinite values")
    return array


def exact_integer(name: str, value: int | float) -> int:
    """``value`` as an exact 64-bit ``int``; floats must be whole and below 2**53."""
    if isinstance(value, float):
        if not value.is_integer():
            raise ParameterError(f"{name} must be an integer, got {value!r}")
        if abs(value) > EXACT_FLOAT_INTEGER:
            raise ParameterError(f"{name}={value!r} is a float beyond 2**53, where floats skip integers; "
                                 f"give it as an int (or as text) to keep it exact")
        value = int(value)
    if abs(value) > MAX_INTEGER:
        raise ParameterError(f"{name} must fit in 64 bits (|{name}| <= 2**63 - 1), got {value}")
    return value


def time_quantity(name: str, raw: Any, example: str = "10*ms") -> Quantity:
    """``raw`` as one finite time quantity (text such as ``"2ms"`` is parsed), else a
    :class:`ParameterError`."""
    if isinstance(raw, str):
        raw = parse_quantity(raw, name)
    if not isinstance(raw, Quantity) or not have_same_dimensions(raw, second):
        raise ParameterError(f"{name} needs a unit of time, e.g. {example}; got {raw!r}")
    if np.ndim(raw) != 0:
        raise ParameterError(f"{name} must be a single time, got {raw!r}")
    _finite(name, float(raw), raw)
    return Quantity(raw)


def _finite(name: str, number: float, shown: Any) -> None:
    if math.isnan(number):
        raise ParameterError(f"{name} is NaN")
    if math.isinf(number):
        raise ParameterError(f"{name} must be finite, got {shown}")


def check_duration(duration, dt: Quantity | None = None) -> Quantity:
    """``duration`` as a finite time > 0 (and, given ``dt``, at least one and at most 2**40
    time steps), or a :class:`ParameterError`."""
    duration = time_quantity("duration", duration, example="2*second")
    if not float(duration) > 0:
        raise ParameterError(f"duration must be > 0, got {duration}")
    if dt is not None:
        steps = float(duration / dt)
        if steps < 1 - STEP_TOLERANCE:
            raise ParameterError(f"duration={duration} is shorter than one time step dt={dt}")
        if steps > MAX_STEPS:
            raise ParameterError(f"duration={duration} is {steps:.3g} time steps of dt={dt}; at most 2**40 "
                                 f"steps keep times exact (Brian2)")
    return duration


def check_recorded_neurons(record_v: Sequence[int], n_neurons: int) -> np.ndarray:
    """``record_v`` as an int64 array in the order given (the order of the voltage traces);
    non-integer, out-of-range and repeated indices raise :class:`ParameterError`."""
    given = np.asarray(record_v).ravel()
    if given.size and not (np.issubdtype(given.dtype, np.integer) or
                           (np.issubdtype(given.dtype, np.floating) and np.all(np.mod(given, 1) == 0))):
        raise ParameterError(f"record_v must list whole neuron indices, got {np.asarray(record_v).tolist()}")
    indices = given.astype(np.int64)
    if indices.size and (indices.min() < 0 or indices.max() >= n_neurons):
        raise ParameterError(f"record_v indices must lie in [0, {n_neurons - 1}], got {indices.tolist()}")
    values, counts = np.unique(indices, return_counts=True)
    if np.any(counts > 1):
        raise ParameterError(f"record_v lists neuron(s) {values[counts > 1].tolist()} more than once")
    return indices


def check_transient(transient, duration: Quantity) -> Quantity:
    """``transient`` (initial time left out of the analyses) as a time in ``[0, duration)``."""
    transient = time_quantity("t_start", transient, example="200*ms")
    if not 0 <= float(transient) < float(duration):
        raise ParameterError(f"t_start must be a time in [0, duration) (the transient left out of the analyses); "
                             f"got {transient} with duration {duration}")
    return transient


def check_time_grid(values: Mapping[str, Any], dt: str = "dt", delays: Iterable[str] = (),
                    time_constants: Iterable[str] = ()) -> None:
    """Relations between the time step ``values[dt]`` and a model's other times.

    - every delay in ``delays`` must be a whole number of time steps (Brian2 rounds a delay
      to the step grid, so ``tau_d=0.05ms`` with ``dt=0.1ms`` would silently become 0 or
      0.1 ms): otherwise :class:`ParameterError`;
    - a time constant in ``time_constants`` shorter than ``dt`` gives a
      :class:`~neurodyn.errors.TimeStepWarning` (linear dynamics are still integrated
      exactly, but spikes are resolved only to whole steps, at most one per neuron and step).

    ``None`` values (unset optional times) are skipped.
    """
    step = values[dt]
    for name in delays:
        delay = values[name]
        if delay is None:
            continue
        steps = float(delay / step)
        if abs(steps - round(steps)) > STEP_TOLERANCE * max(1.0, steps):
            below, above = math.floor(steps) * step, math.ceil(steps) * step
            raise ParameterError(f"{name}={delay} is not a whole number of time steps dt={step}: Brian2 would "
                                 f"round it (to {below} or {above}); choose a multiple of dt or a smaller dt")
    for name in time_constants:
        constant = values[name]
        if constant is not None and float(constant) < float(step):
            # attribute the warning to the first frame outside neurodyn (the user's line), however
            # many model layers (validate, __init__ of the model and its base) lie between
            frame, level = sys._getframe(), 1
            while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(_PACKAGE):
                frame, level = frame.f_back, level + 1
            warnings.warn(TimeStepWarning(f"dt={step} is longer than {name}={constant}: spikes are resolved only to "
                                          f"whole time steps; use dt <= {name}"), stacklevel=level)


def unit_named(name: str) -> Quantity | None:
    """The Brian2 unit called ``name`` (``ms``, ``nS``, also ``umetre2`` from ``brian2.units.allunits``)."""
    from brian2.units import allunits

    found = getattr(brian2_units, name, None)
    found = found if isinstance(found, Quantity) else getattr(allunits, name, None)
    return found if isinstance(found, Quantity) else None


@dataclass(frozen=True)
class Parameter:
    """One model parameter.

    ``unit`` is a Brian2 unit for dimensional parameters (values must carry that
    dimension) and ``None`` for dimensionless numbers, integers and choices.
    ``display_unit`` names the unit of the record column (``tau_d`` -> ``tau_d_ms``).
    ``minimum`` and ``maximum`` are inclusive bounds, ``exclusive_minimum`` a strict one, all
    in ``display_unit`` for dimensional parameters; a time parameter without ``minimum`` must
    be > 0 (module docstring).
    """

    name: str
    default: Any
    doc: str
    kind: type = float
    unit: Quantity | None = None
    display_unit: str | None = None
    choices: tuple = ()
    minimum: float | None = None
    optional: bool = False
    maximum: float | None = None
    exclusive_minimum: float | None = None

    def __post_init__(self):
        if self.unit is not None and self.display_unit is None:  # a column tau_ms, never tau_None
            object.__setattr__(self, "display_unit", repr(self.unit.get_best_unit()))

    @property
    def column(self) -> str:
        """Record column name, carrying the unit when the value has one."""
        return f"{self.name}_{self.display_unit}" if self.unit is not None else self.name

    def convert(self, raw: Any) -> Any:
        """Return ``raw`` as this parameter's type, or raise :class:`ParameterError`."""
        if raw is None:
            if self.optional:
                return None
            raise ParameterError(f"{self.name} must be given, got None")
        if isinstance(raw, str) and self.kind is not str:
            if self.optional and raw.strip().lower() in ("none", ""):
                return None
            raw = parse_quantity(raw, self.name)
        if self.kind is str:
            if not isinstance(raw, str):
                raise ParameterError(f"{self.name} must be text, got {type(raw).__name__} {raw!r}")
            if self.choices and raw not in self.choices:
                raise ParameterError(f"{self.name} must be one of {', '.join(self.choices)}; got {raw!r}")
            return raw
        if self.unit is not None:
            return self._convert_dimensional(raw)
        value = real_number(self.name, raw)
        value = exact_integer(self.name, value) if self.kind is int else float(value)
        self._check_bounds(value, value)
        return value

    def _convert_dimensional(self, raw: Any) -> Quantity:
        if not isinstance(raw, Quantity) or not have_same_dimensions(raw, self.unit):
            raise ParameterError(
                f"{self.name} needs a unit of {self.unit.dim!s} such as {self.unit!s} "
                f"(e.g. {self.name}=1{self.display_unit}); got {raw!r}"
            )
        if np.ndim(raw) != 0:
            raise ParameterError(f"{self.name} must be a single value, got {raw!r}")
        value = Quantity(raw)
        _finite(self.name, float(value), value)
        self._check_bounds(float(value / unit_named(self.display_unit)), value)
        return value

    def _check_bounds(self, number: float, shown: Any) -> None:
        exclusive = self.exclusive_minimum
        if exclusive is None and self.minimum is None and self.unit is not None and have_same_dimensions(self.unit, second):
            exclusive = 0.0  # time steps, time constants, periods: > 0 unless a minimum is declared
        if self.minimum is not None and number < self.minimum:
            raise ParameterError(f"{self.name} must be >= {self.minimum:g}, got {shown}")
        if exclusive is not None and not number > exclusive:
            raise ParameterError(f"{self.name} must be > {exclusive:g}, got {shown}")
        if self.maximum is not None and number > self.maximum:
            raise ParameterError(f"{self.name} must be <= {self.maximum:g}, got {shown}")

    def to_record(self, value: Any) -> Any:
        """Plain Python value for storage (dimensional values in ``display_unit``)."""
        if value is None or self.unit is None:
            return value
        return float(value / unit_named(self.display_unit))

    def from_record(self, value: Any) -> Any:
        """Inverse of :meth:`to_record`."""
        if value is None or self.unit is None:
            return value
        return value * unit_named(self.display_unit)


@dataclass(frozen=True)
class ParameterSpec:
    """An ordered set of :class:`Parameter` declarations."""

    parameters: tuple[Parameter, ...]
    _by_name: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_by_name", {p.name: p for p in self.parameters})

    def __getitem__(self, name: str) -> Parameter:
        return self._by_name[name]

    def __iter__(self):
        return iter(self.parameters)

    @property
    def names(self) -> list[str]:
        return list(self._by_name)

    def check_names(self, names) -> None:
        """Raise :class:`ParameterError` for any name this spec does not declare."""
        for name in names:
            if name not in self._by_name:
                close = difflib.get_close_matches(name, self.names, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ParameterError(
                    f"unknown parameter {name!r}{hint}; known parameters: {', '.join(self.names)}"
                )

    def resolve(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Defaults updated by ``overrides``, each value converted and checked."""
        overrides = dict(overrides or {})
        self.check_names(overrides)
        return {p.name: p.convert(overrides.get(p.name, p.default)) for p in self.parameters}

    def to_record(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Flat record with unit-carrying column names, for DataFrames and JSON."""
        return {p.column: p.to_record(values[p.name]) for p in self.parameters}

    def from_record(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """Parameter values back from :meth:`to_record`'s output."""
        return {p.name: p.from_record(record[p.column]) for p in self.parameters}

    def frame(self) -> "pd.DataFrame":
        """One row per parameter: ``parameter`` (name), ``column`` (record name, with its unit),
        ``default`` (in that unit), ``unit`` and ``doc``."""
        import pandas as pd

        defaults = [p.default if p.unit is None or p.default is None else p.to_record(p.default) for p in self.parameters]
        return pd.DataFrame({"parameter": [p.name for p in self.parameters], "column": [p.column for p in self.parameters],
                             "default": pd.Series(defaults, dtype=object),  # an int stays an int beside floats
                             "unit": [p.display_unit or "" for p in self.parameters],
                             "doc": [p.doc for p in self.parameters]})

    def describe(self) -> str:
        """One line per parameter: name, default and documentation (for ``--help``)."""
        lines = []
        for p in self.parameters:
            default = p.default if p.unit is None or p.default is None else f"{p.to_record(p.default):g} {p.display_unit}"
            lines.append(f"  {p.name:<12} default {default!s:<12} {p.doc}")
        return "\n".join(lines)

"""Typed, unit-checked model parameters.

A model declares its parameters once, as a :class:`ParameterSpec` of :class:`Parameter`
entries (name, default, unit, documentation). Users override them from Python
(``g=5``, ``tau_d=2*ms``) or from the command line (``--set tau_d=2ms``); the spec turns
every value into the declared type, refuses unknown names, wrong units and NaN with an
error that names the parameter, and converts resolved values into a flat *record* whose
column names carry their unit (``tau_d_ms``) for tidy DataFrames.
"""
from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from brian2 import Quantity, have_same_dimensions
from brian2 import units as brian2_units

from neurodyn.errors import ParameterError

_QUANTITY_PATTERN = re.compile(
    r"^\s*(?P<number>[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)\s*\*?\s*(?P<unit>[A-Za-z]\w*)?\s*$"
)


#: Unit spellings people write that Brian2 does not define under that name.
_UNIT_ALIASES = {"s": "second"}


def parse_quantity(text: str, name: str = "value") -> Quantity | float:
    """Parse ``"5ms"``, ``"5 ms"``, ``"5*ms"`` or ``"0.5"`` into a Brian2 quantity or float."""
    match = _QUANTITY_PATTERN.match(text)
    if match is None:
        raise ParameterError(f"cannot read {name}={text!r}: expected a number with an optional unit, e.g. 2ms")
    number = float(match["number"])
    unit_name = match["unit"]
    if unit_name is None:
        return number
    unit = getattr(brian2_units, _UNIT_ALIASES.get(unit_name, unit_name), None)
    if not isinstance(unit, Quantity):
        raise ParameterError(f"unknown unit {unit_name!r} in {name}={text!r}")
    return number * unit


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
            value = str(raw)
            if self.choices and value not in self.choices:
                raise ParameterError(f"{self.name} must be one of {', '.join(self.choices)}; got {value!r}")
            return value
        if self.unit is not None:
            return self._convert_dimensional(raw)
        if isinstance(raw, Quantity) and not raw.is_dimensionless:
            raise ParameterError(f"{self.name} is dimensionless, got {raw!r} (remove the unit)")
        value = float(raw)
        if math.isnan(value):
            raise ParameterError(f"{self.name} is NaN")
        if self.kind is int:
            if value != int(value):
                raise ParameterError(f"{self.name} must be an integer, got {raw!r}")
            value = int(value)
        self._check_minimum(value, value)
        return value

    def _convert_dimensional(self, raw: Any) -> Quantity:
        if not isinstance(raw, Quantity) or not have_same_dimensions(raw, self.unit):
            raise ParameterError(
                f"{self.name} needs a unit of {self.unit.dim!s} such as {self.unit!s} "
                f"(e.g. {self.name}=1{self.display_unit}); got {raw!r}"
            )
        value = Quantity(raw)
        if math.isnan(float(value)):
            raise ParameterError(f"{self.name} is NaN")
        self._check_minimum(float(value / self.unit), value)
        return value

    def _check_minimum(self, number: float, shown: Any) -> None:
        if self.minimum is not None and number < self.minimum:
            raise ParameterError(f"{self.name} must be >= {self.minimum}, got {shown}")
        if self.maximum is not None and number > self.maximum:
            raise ParameterError(f"{self.name} must be <= {self.maximum}, got {shown}")

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

    def describe(self) -> str:
        """One line per parameter: name, default and documentation (for ``--help``)."""
        lines = []
        for p in self.parameters:
            default = p.default if p.unit is None or p.default is None else f"{p.to_record(p.default):g} {p.display_unit}"
            lines.append(f"  {p.name:<12} default {default!s:<12} {p.doc}")
        return "\n".join(lines)

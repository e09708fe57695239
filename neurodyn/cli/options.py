"""Command-line option parsing shared by sub-commands."""
from __future__ import annotations

from brian2 import Quantity, have_same_dimensions, second

from neurodyn.errors import ParameterError
from neurodyn.parameters import check_duration, parse_quantity


def parse_assignments(assignments: list[str]) -> dict[str, str]:
    """``["g=5", "tau_d=2ms"]`` -> ``{"g": "5", "tau_d": "2ms"}``; values are converted by the model."""
    values = {}
    for text in assignments:
        name, sep, value = text.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"--set expects NAME=VALUE, got {text!r}")
        values[name.strip()] = value.strip()
    return values


def parse_time(text: str, name: str) -> Quantity:
    """A time such as ``5s`` or ``500ms``."""
    value = parse_quantity(text, name)
    if not isinstance(value, Quantity) or not have_same_dimensions(value, second):
        raise ParameterError(f"{name} needs a unit of time, e.g. 2s or 500ms; got {text!r}")
    return value


def parse_duration(text: str, name: str) -> Quantity:
    """A run's duration: a finite time > 0 (:func:`neurodyn.parameters.check_duration`)."""
    try:
        return check_duration(parse_time(text, name))
    except ParameterError as error:
        raise ParameterError(f"{name}: {error}") from None


def parse_indices(text: str) -> list[int]:
    """``"0,5,9"`` -> ``[0, 5, 9]``."""
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ParameterError(f"expected comma-separated neuron indices, got {text!r}") from None


def add_gpu_options(parser) -> None:
    """``--gpu`` / ``--cpu-only`` (GeNN backend); ``args.use_gpu`` is True, False or None (auto)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--gpu", dest="use_gpu", action="store_true", default=None,
                       help="GeNN: build for the GPU (CUDA)")
    group.add_argument("--cpu-only", dest="use_gpu", action="store_false",
                       help="GeNN: build with GeNN's CPU-only backend")

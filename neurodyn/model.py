"""Equation-defined neuron and synapse models, and their Brian2 builders.

A model is declared as Brian2 text (equations with units, threshold, reset, synaptic
``on_pre``), exactly as in a plain Brian2 script; :class:`NeuronModel` and
:class:`SynapseModel` add the checks neurodyn promises and build the Brian2 objects.

The main check: Brian2 2.5.4 hands equations to SymPy, which reads some names as
constants or functions (``E`` is Euler's number, ``I`` the imaginary unit, ``S``, ``N``,
``O``, ``Q``, ``beta``, ``gamma``, ``zeta``, ``pi``). A state variable named ``E`` is then
silently mis-integrated by the ``exact`` method (``dE/dt = -E/(10*ms)`` from E=1 gives 2.69
after 10 ms instead of 0.37). Such names are refused here, before Brian2 sees them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
from brian2 import Equations, NeuronGroup, Synapses
from sympy.abc import _clash as _SYMPY_CLASHING_NAMES

from neurodyn.errors import ModelDefinitionError

#: Names that SymPy parses as constants or functions; never valid as model identifiers.
FORBIDDEN_NAMES = frozenset(_SYMPY_CLASHING_NAMES)


def parse_equations(text: str, where: str) -> Equations:
    """Brian2 :class:`Equations` from ``text``; syntax errors and SymPy-clashing names raise
    :class:`ModelDefinitionError` naming ``where`` the problem is."""
    try:
        equations = Equations(text)
    except (SyntaxError, ValueError, TypeError) as error:
        raise ModelDefinitionError(f"{where}: {error}") from error
    check_identifiers(equations.names, where)
    return equations


def check_identifiers(names, where: str) -> None:
    """Raise :class:`ModelDefinitionError` if any of ``names`` is read by SymPy as a constant."""
    bad = sorted(set(names) & FORBIDDEN_NAMES)
    if bad:
        raise ModelDefinitionError(
            f"{where}: the name(s) {', '.join(bad)} are read by SymPy as constants or functions "
            f"(E is Euler's number, I the imaginary unit, ...) and Brian2 2.5.4 would integrate them "
            f"wrongly; rename them (forbidden: {', '.join(sorted(FORBIDDEN_NAMES))})"
        )


@dataclass(frozen=True)
class NeuronModel:
    """A neuron model in Brian2 syntax.

    Parameters
    ----------
    equations
        Brian2 equation string with units. Parameters that vary between runs should be
        declared as ``name : unit (shared, constant)`` or per-neuron ``(constant)``
        variables, not as namespace constants, so that compiled runtime code is reused.
    threshold, reset
        Brian2 threshold condition and reset statements (``None``: no spikes / no reset).
    method
        Integration method; ``"exact"`` for linear equations.
    """

    equations: str
    threshold: str | None = None
    reset: str | None = None
    method: str = "exact"

    def __post_init__(self):
        parse_equations(self.equations, "neuron equations")

    def build(self, n: int, name: str, values: Mapping[str, object] = None) -> NeuronGroup:
        """A :class:`NeuronGroup` of ``n`` neurons with variables set from ``values``."""
        group = NeuronGroup(
            n, self.equations, threshold=self.threshold, reset=self.reset,
            method=self.method, name=name, namespace={},
        )
        for variable, value in (values or {}).items():
            setattr(group, variable, value)
        return group


@dataclass(frozen=True)
class SynapseModel:
    """A synapse model in Brian2 syntax: synaptic equations and the ``on_pre`` statements.

    For code generation with Brian2GeNN, ``on_pre`` may only use ``+=`` on postsynaptic
    variables (write ``v_post += -w``, not ``v_post -= w``), and constants it reads belong
    to the synapses (``w : 1 (shared, constant)``), not to a neuron group (``w_post``); see
    :mod:`neurodyn.genn_compat`.
    """

    on_pre: str
    model: str = ""
    values: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self):
        parse_equations(self.model, "synapse equations")

    def build(self, source: NeuronGroup, target: NeuronGroup,
              connections: tuple[np.ndarray, np.ndarray] | None, delay, name: str,
              values: Mapping[str, object] | None = None) -> Synapses:
        """Synapses with one homogeneous ``delay``.

        ``connections`` is a pair of index arrays ``(i, j)`` (from ``source[i]`` to
        ``target[j]``), or ``None`` for all-to-all; ``values`` sets synaptic variables
        (after the model's own ``values``).
        """
        synapses = Synapses(source, target, model=self.model, on_pre=self.on_pre,
                            delay=delay, name=name, namespace={})
        if connections is None:
            synapses.connect()
        else:
            i, j = connections
            synapses.connect(i=np.asarray(i, dtype=np.int32), j=np.asarray(j, dtype=np.int32))
        for variable, value in {**self.values, **(values or {})}.items():
            setattr(synapses, variable, value)
        return synapses

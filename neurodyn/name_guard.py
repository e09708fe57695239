"""The one model name Brian2 2.5.4 integrates wrongly without a word: a state variable ``E``
solved by the ``exact`` method.

Brian2 hands the equations to SymPy, which reads ``E`` as Euler's number. Measured on Brian2
2.5.4 (``tests/test_name_guard.py`` repeats each case):

- ``dE/dt = -E/(10*ms)`` from E = 1 with ``method="exact"`` (or the default, which picks exact
  for linear equations) gives E(10 ms) = 2.69 instead of exp(-1) = 0.368: **refused here**;
- the same with ``euler`` integrates correctly, and so does ``E`` (or ``I``, ``S``, ``beta``,
  ...) used as a constant or parameter (``dv/dt = (I - v)/tau``, ``I : amp``): allowed;
- state variables ``S``, ``O``, ``Q``, ``beta``, ``gamma``, ``zeta`` under exact make Brian2
  raise an error itself, and ``N``, ``pi`` are refused by Brian2 at once: nothing to add.
"""
from __future__ import annotations

from brian2 import NeuronGroup, Synapses
from brian2.equations.equations import DIFFERENTIAL_EQUATION
from brian2.stateupdaters.base import StateUpdateMethod

from neurodyn.errors import ModelDefinitionError

#: State-variable names that Brian2 2.5.4 silently mis-integrates, with the methods that do so.
MISREAD_STATE_VARIABLES = {"E": ("exact", "linear")}


def check_group(group) -> None:
    """Raise :class:`ModelDefinitionError` if ``group`` (a NeuronGroup or Synapses) has a state
    variable of :data:`MISREAD_STATE_VARIABLES` that its integration method gets wrong."""
    if not isinstance(group, (NeuronGroup, Synapses)):
        return
    differential = {eq.varname for eq in group.equations.values() if eq.type == DIFFERENTIAL_EQUATION}
    for name, methods in MISREAD_STATE_VARIABLES.items():
        if name in differential and _chosen_method(group) in methods:
            raise ModelDefinitionError(
                f"{group.name}: a state variable named {name} is read by SymPy as Euler's number and Brian2 2.5.4's "
                f"'exact' method integrates it wrongly (dE/dt = -E/tau gives 2.69 instead of 0.37 after one tau); "
                f"rename it (e.g. {name}_syn) or choose another method")


def _chosen_method(group) -> str | None:
    """The name of the integration method Brian2 will use for ``group`` (as its StateUpdater chooses)."""
    updater = getattr(group, "state_updater", None)
    if updater is None:
        return None
    choice = updater.method_choice
    if callable(choice) and not isinstance(choice, str):
        return None
    names = [choice] if isinstance(choice, str) else list(choice)
    equations = group.equations
    for name in names:
        method = StateUpdateMethod.stateupdaters.get(name)
        if method is None:
            return name
        try:
            method(equations, group.variables)
        except Exception:  # this method cannot integrate the equations; Brian2 tries the next one
            continue
        return name
    return None

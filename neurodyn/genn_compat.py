"""What Brian2GeNN 1.7 cannot express, named before any code is generated.

Brian2GeNN refuses many networks with a ``NotImplementedError`` from deep inside code
generation, and some only when the compiled program runs. :func:`find_problems` inspects
the Brian2 objects of a built network (built on the runtime device, so no compiler is
needed) and returns one sentence per problem; :func:`check_network` and
:func:`check_model` raise :class:`~neurodyn.errors.GeNNUnsupportedError` listing them all.

Every rule below mirrors a refusal in Brian2GeNN 1.7's source (``brian2genn/device.py``,
``insyn.py``, ``genn_generator.py``) or its documentation page "Unsupported features in
Brian2GeNN":

=====================================  ===============================================
rule                                   Brian2GeNN 1.7
=====================================  ===============================================
object types                           ``build``: only NeuronGroup, PoissonGroup,
                                       SpikeGeneratorGroup, Synapses, SpikeMonitor,
                                       PopulationRateMonitor, StateMonitor, code runners
                                       (NetworkOperation and SpatialNeuron refused)
custom events                          ``process_neuron_groups``: events other than ``spike``
multiple clocks                        ``network_run``: an object (other than a StateMonitor
                                       or run_regularly) with its own clock / dt
linked variables                       ``network_run``
several ``run`` calls                  ``network_run``: one run per device session
heterogeneous delays                   ``fill_with_array``: assigning per-synapse delays
synaptic pathways                      ``process_synapses``: only ``pre`` and ``post``
Synapses of Synapses                   ``process_synapses``
on_pre reads presynaptic variables     ``collect_synapses_variables`` (likewise ``on_post``
                                       reading postsynaptic variables)
on_pre reads a neuron group's shared   GeNN 4.9 code generator: "'kick_post' already has a
variable (``kick_post``)               variable substitution" (seen here; exit code 50)
on_pre writes to the target            ``insyn.check_pre_code``: one postsynaptic variable,
                                       written once, only with ``+=``
synaptic subexpressions                ``collect_synapses_variables``
summed variables                       ``process_synapses``: one per Synapses, not with an
                                       on_pre write, target = the Synapses' target group,
                                       not a Subgroup
"constant over dt" subexpressions      ``build``: only in NeuronGroups
PoissonInput scheduling                ``process_neuron_groups``: ``when='synapses'`` only
run_regularly                          ``generate_engine_source``: ``when='start'``, dt a
                                       multiple of the group's dt
SpikeMonitor                           ``process_spike_monitors``: ``when`` in
                                       ``thresholds`` / ``end``
StateMonitor                           ``process_state_monitors``: not ``t``/``dt`` (or
                                       expressions of them), dt a multiple of the source's
functions without a GeNN version       ``genn_generator``: e.g. ``TimedArray`` (allowed only
                                       in run_regularly)
multiple synapses per pair             the compiled program exits with code 222
float precision                        ``generate_model_source``: float32 or float64
=====================================  ===============================================

Not detectable from the objects, and converted to the same error when Brian2GeNN raises
them (:func:`neurodyn.targets.target_device`): ``seed()`` calls ("Setting a seed is
currently not supported") and code run after ``run`` (``set_device(..., build_on_run=False)``).
Brian2GeNN silently uses GeNN's fixed order of operations for other ``when``/``order``
changes (documentation: "Custom schedules"); :func:`schedule_notes` lists them.
"""
from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import numpy as np
from brian2 import (NeuronGroup, PoissonGroup, PoissonInput, PopulationRateMonitor, SpikeGeneratorGroup,
                    SpikeMonitor, StateMonitor, Subgroup, Synapses, prefs)
from brian2.core.functions import Function
from brian2.core.variables import ArrayVariable, Subexpression
from brian2.equations.equations import DIFFERENTIAL_EQUATION
from brian2.groups.group import CodeRunner
from brian2.groups.neurongroup import Resetter, StateUpdater, SubexpressionUpdater, Thresholder
from brian2.parsing.statements import parse_statement
from brian2.spatialneuron.spatialneuron import SpatialNeuron
from brian2.synapses.synapses import StateUpdater as SynapsesStateUpdater
from brian2.synapses.synapses import SynapticPathway
from brian2.utils.stringtools import get_identifiers

from neurodyn.errors import GeNNUnsupportedError

#: Object types Brian2GeNN 1.7 translates (``GeNNDevice.build``).
SUPPORTED_TYPES = (NeuronGroup, PoissonGroup, SpikeGeneratorGroup, Synapses, SpikeMonitor, PopulationRateMonitor,
                   StateMonitor, StateUpdater, SynapsesStateUpdater, Resetter, Thresholder, SynapticPathway,
                   CodeRunner)
#: Network schedule Brian2GeNN imposes (``GeNNDevice.activate``).
GENN_SCHEDULE = ("start", "synapses", "groups", "thresholds", "resets", "end")
_DEFAULT_WHEN = {Thresholder: "thresholds", Resetter: "resets", StateUpdater: "groups",
                 SynapsesStateUpdater: "groups", SynapticPathway: "synapses"}


def all_objects(network) -> list:
    """The network's objects and, recursively, the objects they contain."""
    found, seen, stack = [], set(), list(network.objects)
    while stack:
        obj = stack.pop()
        if id(obj) not in seen:
            seen.add(id(obj))
            found.append(obj)
            stack.extend(getattr(obj, "contained_objects", ()))
    return found


def find_problems(network, namespace: Mapping | None = None) -> list[str]:
    """Sentences naming everything in ``network`` (a built, not yet run, Brian2 ``Network``)
    that Brian2GeNN 1.7 refuses; empty if it can be generated. ``namespace``: the run namespace
    external names resolve in (a model's locals)."""
    objects = all_objects(network)
    problems = []
    if float(network.t) > 0:
        problems.append(f"the network has already been run (t = {network.t}): GeNN supports a single run call")
    if prefs.core.default_float_dtype not in (np.float32, np.float64):
        problems.append(f"GeNN supports float32 and float64 only, not {prefs.core.default_float_dtype}")
    for obj in objects:
        problems.extend(_object_problems(obj, namespace or {}))
    return problems


def check_network(network, namespace: Mapping | None = None) -> None:
    """Raise :class:`GeNNUnsupportedError` naming every problem :func:`find_problems` finds."""
    problems = find_problems(network, namespace)
    if problems:
        raise GeNNUnsupportedError("Brian2GeNN 1.7 cannot generate this network: " + "; ".join(problems))


def check_model(model, record_v: Sequence[int] = (), use_gpu: bool = False,
                record: Mapping[str, Sequence[int]] | None = None) -> list[str]:
    """Build ``model`` (any :class:`neurodyn.Model`) on the runtime device, without compiling,
    with the monitors :func:`neurodyn.simulate` would add for ``record_v`` / ``record``, and
    :func:`check_network` it; return the caveats that do not stop generation
    (:func:`schedule_notes`, and :func:`gpu_notes` for a GPU build)."""
    from neurodyn.simulation import add_state_monitors
    from neurodyn.targets import plan_for, target_device

    with plan_for("genn"), target_device("numpy", model.dt):
        built = model.build()
        add_state_monitors(built, {**({"v": record_v} if len(record_v) else {}), **dict(record or {})})
        with built.resolving():
            check_network(built.network, built.namespace)
        return schedule_notes(built.network) + (gpu_notes(built.network) if use_gpu else [])


def schedule_notes(network) -> list[str]:
    """Objects moved out of their default scheduling slot: GeNN ignores such moves and runs its
    fixed order (synapse dynamics, spike delivery, neuron update with threshold and reset)."""
    notes = []
    for obj in all_objects(network):
        default = next((when for kind, when in _DEFAULT_WHEN.items() if type(obj) is kind), None)
        if default is not None and obj.when != default:
            notes.append(f"{obj.name} runs in slot '{obj.when}' (default '{default}'); GeNN keeps its fixed order")
    return notes


def gpu_notes(network) -> list[str]:
    """What may differ on a GPU build: Brian2GeNN's spike-monitor template copies the spikes back
    from the GPU each step but not the neuron variables a SpikeMonitor records with them (read
    from the template; not checked on a GPU here). Exact in CPU-only builds (tested)."""
    return [f"{obj.name} records {', '.join(sorted(set(obj.record_variables) - {'i', 't'}))} at each spike; on a "
            f"GPU these values are read from the host copy, which Brian2GeNN does not refresh (may be stale)"
            for obj in all_objects(network)
            if isinstance(obj, SpikeMonitor) and set(obj.record_variables) - {"i", "t"}]


def _object_problems(obj, namespace: Mapping) -> Iterable[str]:
    if isinstance(obj, SpatialNeuron):
        yield f"{obj.name}: multicompartment neurons (SpatialNeuron) are not supported"
        return
    if not isinstance(obj, SUPPORTED_TYPES):
        yield f"{obj.name}: objects of type {type(obj).__name__} are not supported (e.g. network_operation)"
        return
    if isinstance(obj, SubexpressionUpdater) and not isinstance(obj.group, NeuronGroup):
        yield f"{obj.name}: 'constant over dt' subexpressions are supported in NeuronGroups only"
    if isinstance(obj, (NeuronGroup, PoissonGroup)):
        yield from _group_problems(obj, namespace)
    if isinstance(obj, Synapses):
        yield from _synapses_problems(obj, namespace)
    if isinstance(obj, SpikeMonitor) and obj.when not in ("thresholds", "end"):
        yield f"{obj.name}: a SpikeMonitor must record in slot 'thresholds' or 'end', not '{obj.when}'"
    if isinstance(obj, StateMonitor):
        yield from _state_monitor_problems(obj)
    if isinstance(obj, PoissonInput) and obj.when != "synapses":
        yield f"{obj.name}: PoissonInput must stay in slot 'synapses', not '{obj.when}'"
    if isinstance(obj, CodeRunner) and "_run_regularly" in obj.name:
        yield from _run_regularly_problems(obj)
    elif not isinstance(obj, (StateMonitor, CodeRunner)) and obj.clock.name != "defaultclock":
        yield (f"{obj.name}: uses its own clock (dt={obj.clock.dt}); GeNN runs every object on one clock "
               f"(defaultclock)")
    if getattr(obj, "_linked_variables", None):
        yield f"{obj.name}: linked variables ({', '.join(sorted(obj._linked_variables))}) are not supported"


def _group_problems(group, namespace: Mapping) -> Iterable[str]:
    custom = sorted(set(group.events) - {"spike"})
    if custom:
        yield f"{group.name}: custom events ({', '.join(custom)}) are not supported, only the spike threshold"
    texts = [str(group.events.get("spike", "") or "")]
    texts += [str(code) for code in getattr(group, "event_codes", {}).values()]
    texts += [str(eq.expr) for eq in getattr(group, "equations", {}).values() if eq.expr is not None]
    yield from _function_problems(group, texts, namespace)


def _synapses_problems(synapses: Synapses, namespace: Mapping) -> Iterable[str]:
    name = synapses.name
    if isinstance(synapses.source, Synapses) or isinstance(synapses.target, Synapses):
        yield f"{name}: Synapses cannot connect Synapses objects"
    extra = [p for p in synapses._synaptic_updaters if p not in ("pre", "post")]
    if extra:
        yield f"{name}: only one 'pre' and one 'post' pathway are supported, not {', '.join(extra)}"
    post_writes = []
    for pathway in synapses._pathways:
        if pathway.objname not in ("pre", "post"):
            continue
        own_side = "_presynaptic_idx" if pathway.objname == "pre" else "_postsynaptic_idx"
        side = "presynaptic" if pathway.objname == "pre" else "postsynaptic"
        used = get_identifiers(pathway.code)
        read_own = sorted(v for v in used if _index(synapses, v) == own_side)
        if read_own:
            yield (f"{name}: on_{pathway.objname} uses {side} variables ({', '.join(read_own)}); keep a synaptic "
                   f"copy instead (see neurodyn.models.eicil)")
        shared = sorted(v for v in used if v.endswith(("_pre", "_post")) and _index(synapses, v) == "0")
        if shared:
            yield (f"{name}: on_{pathway.objname} reads shared variables of a neuron group ({', '.join(shared)}); "
                   f"GeNN's code generator fails ('... already has a variable substitution'): declare them as "
                   f"'(shared, constant)' variables of the Synapses instead")
        subexpressions = sorted(v for v in used if isinstance(synapses.variables.get(v), Subexpression))
        if subexpressions:
            yield f"{name}: subexpressions ({', '.join(subexpressions)}) in synaptic statements are not supported"
        if pathway.objname == "pre":
            post_writes = list(_post_writes(synapses, pathway.code))
            yield from _pre_write_problems(name, post_writes)
        delay = pathway.variables["delay"]
        if not delay.scalar and np.any(np.asarray(delay.get_value()) != 0):
            yield (f"{name}: heterogeneous (per-synapse) delays on 'on_{pathway.objname}' are not supported; give one "
                   f"delay to Synapses(..., delay=...)")
    yield from _summed_problems(synapses, bool(post_writes))
    dynamics = [str(eq.expr) for eq in synapses.equations.values() if eq.type == DIFFERENTIAL_EQUATION]
    subexpressions = sorted({v for text in dynamics for v in get_identifiers(text)
                             if isinstance(synapses.variables.get(v), Subexpression)})
    if subexpressions:
        yield f"{name}: subexpressions ({', '.join(subexpressions)}) in synaptic equations are not supported"
    yield from _function_problems(synapses, [p.code for p in synapses._pathways] + dynamics, namespace)
    n_target = int(synapses.variables["N_post"].get_value())
    pairs = (synapses.variables["_synaptic_pre"].get_value().astype(np.int64) * n_target
             + synapses.variables["_synaptic_post"].get_value())
    if len(np.unique(pairs)) < len(pairs):
        yield f"{name}: several synapses connect the same pair of neurons; use one Synapses object per multapse"


def _index(group, name: str) -> str | None:
    variable = group.variables.get(name)
    if not isinstance(variable, ArrayVariable):
        return None
    return group.variables.indices[name]


def _post_writes(synapses: Synapses, code: str):
    """``(variable, operator)`` of every statement in ``code`` writing a postsynaptic variable."""
    for line in code.splitlines():
        if not line.strip() or line.strip().startswith("#"):
            continue
        var, op, _, _ = parse_statement(line)
        if _index(synapses, var) == "_postsynaptic_idx":
            yield var, op


def _pre_write_problems(name: str, writes: list[tuple[str, str]]) -> Iterable[str]:
    variables = sorted({var for var, _ in writes})
    if len(variables) > 1:
        yield f"{name}: on_pre writes several postsynaptic variables ({', '.join(variables)}); GeNN allows one"
    for var, op in writes:
        if op != "+=":
            yield (f"{name}: on_pre changes {var} with '{op}'; GeNN only supports '+=' on postsynaptic variables "
                   f"(write e.g. '{var} += -w' instead of '{var} -= w')")
    repeated = sorted({var for var, _ in writes if sum(w == var for w, _ in writes) > 1})
    if repeated:
        yield f"{name}: on_pre writes {', '.join(repeated)} more than once; GeNN allows one write"


def _summed_problems(synapses: Synapses, has_pre_write: bool) -> Iterable[str]:
    updaters = list(synapses.summed_updaters.values())
    name = synapses.name
    if len(updaters) > 1:
        yield f"{name}: {len(updaters)} summed variables; GeNN supports one per Synapses object"
    if updaters and has_pre_write:
        yield f"{name}: a summed variable cannot be combined with an on_pre write to a postsynaptic variable"
    for updater in updaters:
        if isinstance(updater.target, Subgroup):
            yield f"{name}: the summed variable {updater.target_varname} targets a Subgroup, which is not supported"
        elif updater.target is not synapses.target:
            yield (f"{name}: the summed variable {updater.target_varname} must target the Synapses' own "
                   f"postsynaptic group")


def _state_monitor_problems(monitor: StateMonitor) -> Iterable[str]:
    source = monitor.source
    for var in monitor.record_variables:
        if var in ("t", "dt"):
            yield f"{monitor.name}: recording the time '{var}' is not supported"
        elif isinstance(source.variables[var], Subexpression) and \
                {"t", "dt"} & _subexpression_identifiers(source, var):
            yield f"{monitor.name}: recording {var}, an expression of the time t or dt, is not supported"
    if monitor.clock.name != "defaultclock":
        yield from _multiple_of_dt(monitor.name, "a StateMonitor", monitor.clock.dt_, source.clock.dt_)


def _subexpression_identifiers(group, name: str) -> set[str]:
    """All names a subexpression depends on, through nested subexpressions."""
    found, stack = set(), [name]
    while stack:
        for identifier in get_identifiers(str(group.variables[stack.pop()].expr)):
            if identifier not in found:
                found.add(identifier)
                if isinstance(group.variables.get(identifier), Subexpression):
                    stack.append(identifier)
    return found


def _run_regularly_problems(runner) -> Iterable[str]:
    if runner.when != "start":
        yield f"{runner.name}: run_regularly operations must stay in slot 'start', not '{runner.when}'"
    yield from _multiple_of_dt(runner.name, "run_regularly", runner.clock.dt_, runner.group.clock.dt_)


def _multiple_of_dt(name: str, what: str, dt: float, group_dt: float) -> Iterable[str]:
    if dt < group_dt or abs(((dt + group_dt / 2) % group_dt) - group_dt / 2) > 1e-4 * group_dt:
        yield f"{name}: {what} needs a dt that is a multiple of its group's dt ({dt} s vs {group_dt} s)"


def _function_problems(group, texts: Iterable[str], namespace: Mapping) -> Iterable[str]:
    """Functions (e.g. TimedArray) in ``texts``, resolved in the group's own namespace or else in
    ``namespace`` (the run namespace), that have no GeNN implementation."""
    from neurodyn.targets import register_genn_device

    register_genn_device()
    from brian2genn.codeobject import GeNNCodeObject

    identifiers = set().union(*(get_identifiers(text) for text in texts)) if texts else set()
    for identifier in sorted(identifiers):
        try:
            value = group._resolve(identifier, run_namespace=dict(namespace))
        except (KeyError, ValueError):
            continue
        if isinstance(value, Function):
            try:
                value.implementations[GeNNCodeObject]
            except KeyError:
                yield (f"{group.name}: the function {identifier} ({type(value).__name__}) has no GeNN implementation "
                       f"(TimedArray works only inside run_regularly)")

"""A neurodyn model is a Brian2 script in a function.

::

    from brian2 import *
    import neurodyn

    @neurodyn.model
    def brunel_hakim(N=5000,         # number of neurons
                     J=0.1 * mV,     # inhibitory jump per spike
                     tau=20 * ms):   # membrane time constant
        group = NeuronGroup(N, "dV/dt = -V/tau : volt", threshold="V > 20*mV", reset="V = 10*mV")
        conn = Synapses(group, group, on_pre="V += -J", delay=2 * ms)
        conn.connect(p=0.2)

The keyword arguments are the parameters (:mod:`neurodyn.signature`); ``brunel_hakim(N=100)``
is a configured instance whose values are checked. :meth:`Model.build` runs the body and
collects what a Brian2 script's ``run()`` would: every Brian2 object bound to a local name
of the function (directly, in a list, tuple or dict, or in a ``Network``), or returned by
it. The function's globals and locals are the run namespace, so equations refer to
parameters and locals by name exactly as in the script.

Seeding: with parameter ``seed`` (added when the function does not declare it),
``brian2.seed(seed)`` is called before the body on the runtime and C++ standalone devices,
and a function that takes ``rng`` gets ``numpy.random.default_rng(seed)``. Brian2GeNN cannot
be seeded (see :func:`neurodyn.simulation.simulate`).

A model with helper methods is a subclass of :class:`Model` whose ``network(self, ...)``
method is the body; its signature gives the parameters the same way.
"""
from __future__ import annotations

import inspect
import logging
from contextlib import contextmanager
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Mapping, Sequence

import numpy as np
from brian2 import DimensionMismatchError, Equations, Network, NeuronGroup, Quantity, SpikeMonitor, StateMonitor, get_device, ms
from brian2 import seed as seed_brian2
from brian2.equations.equations import DIFFERENTIAL_EQUATION
from brian2.core.base import BrianObject
from brian2.devices.cpp_standalone.device import CPPStandaloneDevice
from brian2.devices.device import RuntimeDevice
from brian2.groups.subgroup import Subgroup

from neurodyn.errors import ModelDefinitionError, ParameterError
from neurodyn.name_guard import MISREAD_STATE_VARIABLES, check_group
from neurodyn.parameters import ParameterSpec, check_recorded_neurons
from neurodyn.signature import spec_from_function
from neurodyn.fast_standalone import FastStandaloneDevice

#: Brian2's default time step, used for models without a ``dt`` parameter.
DEFAULT_DT = 0.1 * ms


@dataclass
class BuiltNetwork:
    """The Brian2 objects of one model instance, as :func:`neurodyn.simulate` runs and reads them.

    Attributes
    ----------
    network : Network
        Every collected object plus one SpikeMonitor per population (a monitor the body made
        for the whole group is reused).
    populations : dict
        ``{name: NeuronGroup}`` in order of creation; the name is the group's own name when
        given, else its local variable name.
    spikes : dict
        ``{population: SpikeMonitor}`` (populations without a threshold have none).
    states : dict
        ``{key: (population, variable, StateMonitor)}`` of recorded state variables.
    namespace : dict
        What the run resolves external names in (the function's globals and locals).
    parameter_names : frozenset
        The model's parameters among those locals. A parameter that the body stores as a Brian2
        variable (``g : 1 (shared, constant)``) is both, which Brian2 reports as a resolution
        conflict at every run; :meth:`run` keeps those reports out (the internal variable, set
        from the parameter, is the one used), other conflicts are reported as usual.
    """

    network: Network
    populations: dict
    spikes: dict
    states: dict = field(default_factory=dict)
    namespace: dict = field(default_factory=dict)
    seeded: bool = True
    parameter_names: frozenset = frozenset()

    @property
    def neurons(self) -> NeuronGroup:
        """The first (for one-population networks: the) NeuronGroup."""
        return next(iter(self.populations.values()))

    def run(self, duration, **kwargs) -> None:
        """``Network.run`` with the model's namespace."""
        with self.resolving():
            self.network.run(duration, namespace=self.namespace, **kwargs)

    @contextmanager
    def resolving(self):
        """A block that resolves the network's names in :attr:`namespace` without Brian2's reports
        of conflicts with the model's own parameters (see :attr:`parameter_names`)."""
        conflicts = logging.getLogger(_RESOLUTION_CONFLICT_LOGGER)
        quiet = _ParameterConflicts(self.parameter_names)
        conflicts.addFilter(quiet)
        try:
            yield
        finally:
            conflicts.removeFilter(quiet)


#: Where Brian2 logs "'x' is an internal variable of group ..., but also exists in the run namespace".
_RESOLUTION_CONFLICT_LOGGER = "brian2.groups.group.Group.resolve.resolution_conflict"


class _ParameterConflicts(logging.Filter):
    """Drops Brian2's resolution-conflict reports about the model's own parameters."""

    def __init__(self, names):
        super().__init__()
        self.prefixes = tuple(f"'{name}' is an internal variable of group" for name in names)

    def filter(self, record: logging.LogRecord) -> bool:
        return not (self.prefixes and str(record.msg).startswith(self.prefixes))


class Model:
    """Base class of network models: checked parameter values plus the Brian2 body.

    Subclasses define ``network(self, **parameters)`` (its signature gives ``parameters``
    unless the class sets them) and may set ``name`` and override :meth:`validate` for checks
    that involve several parameters. :func:`model` makes such a class from a plain function.
    """

    name: ClassVar[str] = ""
    parameters: ClassVar[ParameterSpec]
    bounds: ClassVar[Mapping[str, tuple]] = {}
    choices: ClassVar[Mapping[str, tuple]] = {}
    docs: ClassVar[Mapping[str, str]] = {}
    #: The parameter that is the size of the model's one population, when it has one (``"N"``):
    #: recorded indices are then checked before anything is built (:meth:`check_record`).
    size_parameter: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "network" in cls.__dict__ and "parameters" not in cls.__dict__:
            body = cls.__dict__["network"]
            function = body.__func__ if isinstance(body, staticmethod) else body
            cls.parameters = spec_from_function(function, skip_first=not isinstance(body, staticmethod),
                                                bounds=cls.bounds, choices=cls.choices, docs=cls.docs)
        if not cls.__dict__.get("name"):
            cls.name = cls.__name__

    def __init__(self, **overrides):
        self.values = self.parameters.resolve(overrides)
        self.validate()

    def validate(self) -> None:
        """Cross-parameter checks; raise :class:`~neurodyn.errors.ParameterError`."""

    def network(self, **values) -> Any:
        raise NotImplementedError

    @property
    def record(self) -> dict:
        """Parameters as a flat record with unit-carrying names."""
        return self.parameters.to_record(self.values)

    @property
    def dt(self) -> Quantity:
        """The time step: the ``dt`` parameter, or Brian2's default 0.1 ms (a body may still set
        ``defaultclock.dt``; results carry the step actually used)."""
        dt = self.values.get("dt")
        return DEFAULT_DT if dt is None else dt

    def check_record(self, wanted: Mapping[str, Sequence[int]]) -> None:
        """Check the indices of ``wanted`` (``{variable: indices}``) against the population size
        when the class declares :attr:`size_parameter`; other models are checked once built."""
        if self.size_parameter is None:
            return
        for key, indices in wanted.items():
            try:
                check_recorded_neurons(indices, int(self.values[self.size_parameter]))
            except ParameterError as error:
                raise ParameterError(f"record {key!r}: {error}") from None

    @property
    def n_neurons(self) -> int | None:
        """The ``N`` parameter when the model has one (a hint before building; see
        :attr:`BuiltNetwork.populations` for the real sizes)."""
        return int(self.values["N"]) if "N" in self.values else None

    def build(self) -> BuiltNetwork:
        """Seed, run the body on the current device and collect its Brian2 objects."""
        body = self.network
        function = getattr(body, "__func__", body)
        wanted = set(inspect.signature(body).parameters)
        arguments = {name: value for name, value in self.values.items() if name in wanted}
        # neurodyn's standalone devices (value files among them) derive from FastStandaloneDevice; GeNN refuses seed()
        current = get_device()
        seeded = type(current) in (RuntimeDevice, CPPStandaloneDevice) or isinstance(current, FastStandaloneDevice)
        if seeded:
            # Brian2 seeds NumPy's legacy RandomState, which takes seeds below 2**32; a model that
            # allows larger seeds (for its own NumPy streams) gives Brian2 the seed modulo 2**32.
            seed_brian2(self.values["seed"] % 2**32)
        if "rng" in wanted:
            arguments["rng"] = np.random.default_rng(self.values["seed"])
        try:
            returned, local_names = call_collecting_locals(body, function.__code__, arguments)
        except DimensionMismatchError as error:
            from neurodyn.simulation import unit_error

            raise unit_error(self, error, _failing_line(error, function.__code__)) from error
        namespace = {**function.__globals__, **local_names}
        objects = collect_objects(local_names, returned)
        populations = name_populations(objects, local_names)
        if not populations:
            raise ModelDefinitionError(f"model {self.name}: its function built no NeuronGroup (a neurodyn model creates "
                                       f"its groups as a Brian2 script does, and keeps them in local variables)")
        for obj in objects:
            check_group(obj)
        spikes = {}
        for population, group in populations.items():
            if "spike" not in group.events:  # no threshold: a population without spikes
                continue
            spikes[population] = next((obj for obj in objects if _records_all_spikes(obj, group)), None)
            if spikes[population] is None:
                spikes[population] = SpikeMonitor(group)  # Brian2's own name: the code a script's monitor gets
                objects.append(spikes[population])
        states = {}
        for obj in objects:
            if isinstance(obj, StateMonitor) and obj.source in populations.values():
                population = next(name for name, group in populations.items() if group is obj.source)
                for variable in obj.record_variables:
                    states[state_key(population, variable, populations)] = (population, variable, obj)
        return BuiltNetwork(network=Network(*objects), populations=populations, spikes=spikes, states=states,
                            namespace=namespace, seeded=seeded, parameter_names=frozenset(arguments) - {"rng"})

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.record.items())
        return f"{type(self).__name__}({shown})"

    def _repr_html_(self) -> str:
        """A table in notebooks: each parameter's value beside its default and documentation."""
        table = self.parameters.frame().assign(value=[self.record[column] for column in self.parameters.frame()["column"]])
        return (f"<p><b>{type(self).__name__}</b> (model {self.name!r})</p>"
                + table[["parameter", "value", "default", "unit", "doc"]].to_html(index=False))


def model(function: Callable | None = None, *, name: str | None = None, bounds: Mapping[str, tuple] = None,
          choices: Mapping[str, tuple] = None, docs: Mapping[str, str] = None):
    """Make a :class:`Model` subclass from a Brian2 script written as a function.

    Usable bare (``@neurodyn.model``) or with options
    (``@neurodyn.model(bounds={"g": (0, None)}, choices={"pulse": ("alpha", "delta")})``).
    The class takes the function's name, module and docstring, so it pickles (study
    workers) and ``help()`` shows the script's documentation.
    """
    if function is None:
        return lambda f: model(f, name=name, bounds=bounds, choices=choices, docs=docs)
    if not callable(function) or not hasattr(function, "__code__"):
        raise ModelDefinitionError(f"@neurodyn.model decorates a function, got {function!r}")
    namespace = {"network": staticmethod(function), "name": name or function.__name__,
                 "bounds": dict(bounds or {}), "choices": dict(choices or {}), "docs": dict(docs or {}),
                 "__module__": function.__module__, "__qualname__": function.__qualname__,
                 "__doc__": function.__doc__, "function": staticmethod(function)}
    return type(function.__name__, (Model,), namespace)


def state_key(population: str, variable: str, populations: Mapping) -> str:
    """``"v"`` in a one-population network, ``"exc.v"`` otherwise."""
    return variable if len(populations) == 1 else f"{population}.{variable}"


def call_collecting_locals(body: Callable, code, arguments: Mapping[str, Any]) -> tuple[Any, dict]:
    """Call ``body(**arguments)`` and return its result and its local variables at return.

    The locals are taken from the frame of ``code`` as it returns, with a profile hook
    (:func:`sys.setprofile`) that chains to any profiler already installed.
    """
    captured = {}
    previous = sys.getprofile()

    def profiler(frame, event, arg):
        if event == "return" and frame.f_code is code and not captured:
            captured.update(frame.f_locals)
            captured.setdefault("__returned__", None)
        if previous is not None:
            previous(frame, event, arg)

    sys.setprofile(profiler)
    try:
        returned = body(**arguments)
    finally:
        sys.setprofile(previous)
    captured.pop("__returned__", None)
    return returned, captured


def collect_objects(local_names: Mapping[str, Any], returned: Any) -> list:
    """Brian2 objects among the locals and the returned value (one level into lists, tuples,
    sets, dicts and Networks), each once, in order of appearance; subgroups are left out
    (their group runs them)."""
    found, seen = [], set()

    def add(value):
        if isinstance(value, Network):
            for obj in value.objects:
                add(obj)
        elif isinstance(value, BrianObject) and not isinstance(value, Subgroup) and id(value) not in seen:
            seen.add(id(value))
            found.append(value)

    for value in [*local_names.values(), returned]:
        if isinstance(value, (list, tuple, set, frozenset)):
            for item in value:
                add(item)
        elif isinstance(value, dict):
            for item in value.values():
                add(item)
        else:
            add(value)
    return found


def name_populations(objects, local_names: Mapping[str, Any]) -> dict[str, NeuronGroup]:
    """``{name: group}`` for every NeuronGroup: its ``name=`` if given, else its local name."""
    by_id = {}
    for local, value in local_names.items():
        if isinstance(value, NeuronGroup):
            by_id.setdefault(id(value), local)
    populations = {}
    for obj in objects:
        if isinstance(obj, NeuronGroup):
            automatic = obj.name.startswith("neurongroup")
            populations[by_id.get(id(obj), obj.name) if automatic else obj.name] = obj
    return populations


def _failing_line(error: BaseException, code) -> str:
    """The source line of ``code`` (the model body) at which ``error`` was raised."""
    import linecache

    trace = error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code is code:
            return linecache.getline(code.co_filename, trace.tb_lineno).strip()
        trace = trace.tb_next
    return ""


def _records_all_spikes(obj, group) -> bool:
    return (isinstance(obj, SpikeMonitor) and obj.source is group and obj.event == "spike"
            and obj.record is True)


@dataclass(frozen=True)
class NeuronModel:
    """A reusable neuron type in Brian2 syntax, for code that builds many similar groups
    (:mod:`neurodyn.convert`): equations with units, threshold, reset, integration method.

    Parameters that vary between runs should be ``name : unit (shared, constant)`` or per-neuron
    ``(constant)`` variables rather than namespace constants, so compiled code is reused.
    Equations with the one name Brian2 mis-integrates (:mod:`neurodyn.name_guard`) are refused.
    """

    equations: str
    threshold: str | None = None
    reset: str | None = None
    method: str = "exact"

    def __post_init__(self):
        try:
            equations = Equations(self.equations)
        except (SyntaxError, ValueError, TypeError) as error:
            raise ModelDefinitionError(f"neuron equations: {error}") from error
        differential = {eq.varname for eq in equations.values() if eq.type == DIFFERENTIAL_EQUATION}
        for name, methods in MISREAD_STATE_VARIABLES.items():
            if name in differential and self.method in methods:
                raise ModelDefinitionError(f"neuron equations: a state variable named {name} is integrated wrongly "
                                           f"by Brian2 2.5.4's {self.method!r} method (see neurodyn.name_guard); "
                                           f"rename it")

    def build(self, n: int, name: str, values: Mapping[str, object] = None) -> NeuronGroup:
        """A :class:`NeuronGroup` of ``n`` neurons with variables set from ``values``."""
        group = NeuronGroup(n, self.equations, threshold=self.threshold, reset=self.reset,
                            method=self.method, name=name, namespace={})
        for variable, value in (values or {}).items():
            setattr(group, variable, value)
        return group

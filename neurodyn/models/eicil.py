"""EICIL-style excitatory/inhibitory (EI) neurons: one neuron, two thresholds, signed spikes.

Source: Z. Shao, X. Fang, Y. Li, C. Feng, J. Shen, Q. Xu, "EICIL: Joint Excitatory Inhibitory
Cycle Iteration Learning for Deep Spiking Neural Networks", NeurIPS 2023. Only the abstract
was available: one neuron integrates excitatory and inhibitory behaviours, and training
alternates ("cycles") between them. What follows is **neurodyn's reading**, not the paper's
equations.

Neuron (drive ``x`` in potential per second, so a non-leaky neuron fires at ``x/theta``)::

    dv/dt = x - v/tau               leaky;  dv/dt = x  without leak (tau -> infinity)
    v >= theta_e                ->  spike with sign s = +1, v -= theta_e
    v <= -theta_i  (inh. on)    ->  spike with sign s = -1, v += theta_i
    synapse, on a spike of j:       v_i += w_ij * s_j

This is models.md's ``dv/dt = (-v + R I_in)/tau`` with ``R I_in = x tau``. The reset is one
Brian2 statement block with arithmetic signs (``s = 2*int(v > 0) - 1``), so there is one
threshold condition and one reset and no custom event.

Cycle schedule: inhibitory spikes are allowed only in the first ``inh_duration`` of every
``period`` (phases counted in whole time steps, ``timestep(t, dt) % cycle_steps < inh_steps``);
outside, the neuron is purely excitatory and ``v`` may fall below ``-theta_i`` without
firing. The reading's "scaled" variant (inhibition weakened rather than switched off) is not
implemented.

How the sign reaches the synapse. The natural ``on_pre: v_post += w*s_pre`` is refused by
Brian2GeNN 1.7 ("references to pre-synaptic variables in on_pre statements"). Every synapse
therefore keeps a copy ``sgn`` of its presynaptic sign, refreshed once per step by a
clock-driven update that GeNN accepts (``dsgn/dt = (s_pre - sgn)/dt`` with Euler, which
SymPy reduces to ``sgn = s_pre``), and ``on_pre`` adds ``w*sgn``. The order within a step
makes this exact on every target: in Brian2 the reset, the copy and the spike monitor run
in the ``thresholds`` slot (orders 1, 2, 3) before delivery in the ``synapses`` slot; GeNN
runs synapse dynamics, then spike delivery, then the neuron update of the next step. The
price is one copy per synapse and step. Transmission has no delay: a delay would deliver
the sign of a later spike.

Global coupling (``K = N - 1``: every other neuron) goes through one shared signed field
(``coupling`` ``"field"``, the default except on GeNN; :func:`signed_field`): the spikes of a
step are summed once, ``S = sum_j s_j``, and every neuron takes ``v_i += w (S - s_i)`` (its own
sign only if it spiked), O(N) per step and N synapses instead of N(N-1). ``"pairwise"`` keeps
the N(N-1) sign synapses (the check, and the form GeNN builds).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from brian2 import (NeuronGroup, PoissonInput, Quantity, SpikeMonitor, Synapses, have_same_dimensions, linked_var, ms,
                    second)

from neurodyn.errors import ParameterError
from neurodyn.model import Model
from neurodyn.models.inhibitory import connect, field_synapses, fixed_in_degree, shared_field_chosen
from neurodyn.parameters import Parameter, ParameterSpec, check_time_grid
from neurodyn.results import SimulationResult

#: Orders inside Brian2's ``thresholds`` slot: threshold (0), reset, sign copy, spike monitor.
RESET_ORDER, SIGN_COPY_ORDER, SIGN_MONITOR_ORDER = 1, 2, 3

_COMMON_EQUATIONS = """
x : Hz (constant)
theta_e : 1 (shared, constant)
theta_i : 1 (shared, constant)
cycle_steps : integer (shared, constant)
inh_steps : integer (shared, constant)
inh_on = int(timestep(t, dt) % cycle_steps < inh_steps) : integer
s : 1
"""
LEAKY_EQUATIONS = "dv/dt = x - v/tau : 1\ntau : second (shared, constant)" + _COMMON_EQUATIONS
NON_LEAKY_EQUATIONS = "dv/dt = x : 1" + _COMMON_EQUATIONS
THRESHOLD = "v >= theta_e or (v <= -theta_i and inh_on == 1)"
RESET = "s = 2*int(v > 0) - 1\nv = v - theta_e*int(s > 0) + theta_i*int(s < 0)"
#: Variables of the shared signed field (:func:`signed_field`): every neuron reads the field's sum
#: of the step's signs as ``arrived``; ``own`` is the neuron's own sign in a step where it spiked,
#: else 0; ``w_field`` the recurrent weight.
SIGNED_FIELD_EQUATIONS = """
arrived : 1 (linked)
own : 1
w_field : 1 (shared, constant)
"""


def _check_time(name: str, value, allow_zero: bool = False) -> Quantity:
    if not isinstance(value, Quantity) or not have_same_dimensions(value, second):
        raise ParameterError(f"{name} needs a unit of time, e.g. 10*ms; got {value!r}")
    if not (float(value) > 0 or (allow_zero and float(value) == 0)):
        raise ParameterError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value}")
    return value


def _whole_steps(name: str, duration: Quantity, dt: Quantity) -> int:
    steps = float(duration / dt)
    if abs(steps - round(steps)) > 1e-6:
        raise ParameterError(f"{name} must be a whole number of time steps dt={dt}; got {duration}")
    return int(round(steps))


@dataclass(frozen=True)
class CycleSchedule:
    """When inhibitory (-1) spikes are allowed: the first ``inh_duration`` of every ``period``.

    ``CycleSchedule()`` (no period) keeps inhibition on all the time; ``inh_duration=0*ms``
    switches it off. Both durations must be whole numbers of the time step.
    """

    period: Quantity | None = None
    inh_duration: Quantity | None = None

    def __post_init__(self):
        if self.period is None:
            if self.inh_duration is not None:
                raise ParameterError("inh_duration needs a cycle period (give period too)")
            return
        _check_time("period", self.period)
        _check_time("inh_duration", self.inh_duration, allow_zero=True)
        if float(self.inh_duration) > float(self.period):
            raise ParameterError(f"inh_duration ({self.inh_duration}) must not exceed the period ({self.period})")

    def steps(self, dt: Quantity) -> tuple[int, int]:
        """``(cycle_steps, inh_steps)``: inhibition is on at step n iff ``n % cycle_steps < inh_steps``."""
        if self.period is None:
            return 1, 1
        return _whole_steps("period", self.period, dt), _whole_steps("inh_duration", self.inh_duration, dt)

    def inhibition_on(self, t: np.ndarray, dt: float) -> np.ndarray:
        """Whether inhibitory spikes are allowed at times ``t`` (s, on the grid of ``dt`` s)."""
        cycle_steps, inh_steps = self.steps(dt * second)
        return np.rint(np.asarray(t) / dt).astype(np.int64) % cycle_steps < inh_steps


@dataclass(frozen=True)
class EINeuron:
    """An EI neuron type: thresholds ``theta_e``, ``theta_i`` (> 0), leak ``tau`` (None: none).

    Equations in the module docstring. Build groups with :meth:`build`, connect them with
    :func:`sign_synapses` and record signed spikes with :func:`sign_monitor`; these three
    together give the ordering that makes the sign exact (module docstring).

    >>> from brian2 import ms, Hz
    >>> neuron = EINeuron(theta_e=1.0, theta_i=0.5, tau=20 * ms)
    >>> group = neuron.build(10, "layer1", dt=0.1 * ms, values={"x": 80 * Hz})  # doctest: +SKIP
    """

    theta_e: float = 1.0
    theta_i: float = 1.0
    tau: Quantity | None = None
    schedule: CycleSchedule = CycleSchedule()

    def __post_init__(self):
        for name in ("theta_e", "theta_i"):
            if not float(getattr(self, name)) > 0:
                raise ParameterError(f"{name} must be > 0, got {getattr(self, name)}")
        if self.tau is not None:
            _check_time("tau", self.tau)

    def build(self, n: int, name: str, dt: Quantity, values: dict | None = None,
              shared_field: bool = False) -> NeuronGroup:
        """``n`` EI neurons; ``values`` sets further variables (``x``, ``v``) after the parameters;
        ``shared_field`` adds the variables of :func:`signed_field` and records the own sign at reset.

        Without leak ``v += x*dt`` (Euler) is exact for constant ``x`` (Brian2's ``exact``
        refuses ``dv/dt = x``)."""
        cycle_steps, inh_steps = self.schedule.steps(dt)
        parameters = {"theta_e": float(self.theta_e), "theta_i": float(self.theta_i),
                      "cycle_steps": cycle_steps, "inh_steps": inh_steps}
        if self.tau is not None:
            parameters["tau"] = self.tau
        equations = (NON_LEAKY_EQUATIONS if self.tau is None else LEAKY_EQUATIONS) + (
            SIGNED_FIELD_EQUATIONS if shared_field else "")
        group = NeuronGroup(n, equations, threshold=THRESHOLD, reset=RESET + ("\nown = s" if shared_field else ""),
                            method="euler" if self.tau is None else "exact", name=name, namespace={})
        for variable, value in {**parameters, **(values or {})}.items():
            setattr(group, variable, value)
        resetter = group.resetter["spike"]
        resetter.when, resetter.order = "thresholds", RESET_ORDER
        return group


def sign_synapses(source: NeuronGroup, target: NeuronGroup, connections: tuple[np.ndarray, np.ndarray] | None,
                  w, name: str) -> Synapses:
    """Synapses applying ``v_post += w * s_pre`` for every spike of ``source`` (no delay).

    ``connections``: index arrays ``(i, j)`` or ``None`` for all-to-all; ``w``: a number or
    one weight per synapse. ``s_pre`` is read through the per-step copy ``sgn`` (module
    docstring), so the code generates for Brian2GeNN.
    """
    synapses = Synapses(source, target, model="w : 1 (constant)\ndsgn/dt = (s_pre - sgn)/dt : 1 (clock-driven)",
                        on_pre="v_post += w * sgn", method="euler", name=name, namespace={})
    connect(synapses, connections)
    synapses.w = w
    synapses.state_updater.when, synapses.state_updater.order = "thresholds", SIGN_COPY_ORDER
    return synapses


def signed_field(neurons: NeuronGroup, w: float, name: str) -> Synapses:
    """All-to-all signed coupling without autapses through one shared field, for a group built
    with ``shared_field=True``: N synapses add each spike's sign to ``arrivals`` of a one-neuron
    group ``{name}_field`` (contained in the returned synapses, so it runs with them and is no
    population; ``arrivals_post += s_pre``, in the ``synapses`` slot like :func:`sign_synapses`'
    delivery); after the synapses every neuron adds ``w_field * (arrived - own)`` and clears
    ``own`` (one pass over N), then the field clears ``arrivals``. Same dynamics as
    :func:`sign_synapses` with ``K = N - 1``: the sum of the step's ``w * s_j`` becomes one product
    ``w * (S - s_i)``, which may differ in the last bit (tested: identical spikes)."""
    synapses, field = field_synapses(neurons, "arrivals : 1", "arrivals_post += s_pre", name)
    neurons.arrived = linked_var(field, "arrivals")
    neurons.w_field = w
    neurons.run_regularly("v += w_field * (arrived - own)\nown = 0", when="after_synapses", order=0,
                          name=f"{name}_kicks")
    field.run_regularly("arrivals = 0", when="after_synapses", order=1, name=f"{name}_field_clear")
    return synapses


def sign_monitor(group: NeuronGroup, name: str) -> SpikeMonitor:
    """SpikeMonitor recording each spike's sign ``s`` (after the reset has set it)."""
    return SpikeMonitor(group, variables=["s"], when="thresholds", order=SIGN_MONITOR_ORDER, name=name)


def spikes_of_sign(result: SimulationResult, sign: int) -> SimulationResult:
    """The spikes of one sign (+1 or -1) of an EI network's result, for any analysis function."""
    if sign not in (1, -1):
        raise ParameterError(f"sign must be +1 or -1, got {sign}")
    return result.select_spikes(spike_signs(result) == sign)


def sign_summary(result: SimulationResult, t_start: float | None = None) -> dict[str, float]:
    """Mean rates of +1 and -1 spikes per neuron from ``t_start`` (s) on, and their balance.

    Returns ``rate_plus_hz``, ``rate_minus_hz`` and ``minus_plus_ratio`` (number of -1
    spikes / number of +1 spikes; NaN without +1 spikes).
    """
    t0 = result.t_start if t_start is None else t_start
    signs = spike_signs(result)
    after = result.spike_t >= t0
    n_plus = int(np.sum(after & (signs > 0)))
    n_minus = int(np.sum(after & (signs < 0)))
    norm = result.n_neurons * (result.t_stop - t0)
    return {"rate_plus_hz": n_plus / norm, "rate_minus_hz": n_minus / norm,
            "minus_plus_ratio": n_minus / n_plus if n_plus else float("nan")}


def spike_signs(result: SimulationResult) -> np.ndarray:
    """The sign (+1 / -1) of every spike of an EI network's result, in ``spike_i`` order."""
    if "s" not in result.spike_values:
        raise ParameterError("this result has no spike signs: simulate an EI network (its monitor records 's')")
    return result.spike_values["s"]


PARAMETERS = ParameterSpec((
    Parameter("N", 200, "number of EI neurons", kind=int, minimum=2),
    Parameter("K", 20, "in-degree: recurrent inputs per neuron (fixed, no autapses; 0: uncoupled)",
              kind=int, minimum=0),
    Parameter("w", -0.1, "recurrent weight: a spike of sign s moves the target's v by w*s (< 0: opposing)"),
    Parameter("theta_e", 1.0, "excitatory threshold (> 0): v >= theta_e emits +1", minimum=0.0),
    Parameter("theta_i", 1.0, "inhibitory threshold (> 0): v <= -theta_i emits -1", minimum=0.0),
    Parameter("tau", 20 * ms, "membrane time constant; unset: non-leaky integrator", unit=ms,
              display_unit="ms", optional=True),
    Parameter("x_mean_hz", 0.0, "mean constant drive x (potential per second)"),
    Parameter("x_std_hz", 0.0, "standard deviation of the drive across neurons", minimum=0.0),
    Parameter("n_in", 100, "external Poisson inputs per neuron", kind=int, minimum=0),
    Parameter("rate_in_hz", 10.0, "rate of each external Poisson input", minimum=0.0),
    Parameter("w_in", 0.2, "jump of v per external spike (magnitude)", minimum=0.0),
    Parameter("inh_in_frac", 0.5, "share of the external inputs that are negative (0 to 1)", minimum=0.0),
    Parameter("cycle_period", None, "cycle period of the inhibition schedule; unset: inhibition always on",
              unit=ms, display_unit="ms", optional=True),
    Parameter("inh_duration", None, "inhibitory spikes allowed in the first inh_duration of each cycle",
              unit=ms, display_unit="ms", optional=True, minimum=0.0),
    Parameter("dt", 0.1 * ms, "integration time step", unit=ms, display_unit="ms"),
    Parameter("seed", 0, "seed of drive, initial state, connectivity and Poisson input", kind=int, minimum=0,
              maximum=2**32 - 1),
    Parameter("coupling", "auto", "K = N-1: field (one shared signed field) or pairwise (N(N-1) synapses); "
              "auto: field except on GeNN", kind=str, choices=("auto", "field", "pairwise")),
))


class EINetwork(Model):
    """A recurrent network of EI neurons with signed recurrent and external input.

    Each neuron receives ``K`` recurrent inputs (random, fixed in-degree, no autapses) of
    weight ``w`` times the sign of the presynaptic spike; a constant drive
    ``x_i ~ Normal(x_mean_hz, x_std_hz)``; and ``n_in`` external Poisson inputs of rate
    ``rate_in_hz`` (Brian2 ``PoissonInput``), a share ``inh_in_frac`` of them moving ``v``
    by ``-w_in`` per spike, the others by ``+w_in``. Initial potentials are uniform in
    ``[-theta_i, theta_e)``. Drive, initial state and connectivity come from NumPy with
    ``seed``, the same on every target; the Poisson input comes from Brian2's generator,
    seeded with ``seed`` on runtime and C++ standalone targets (GeNN uses its own).

    Its spike monitor records each spike's sign ``s``: ``simulate(...)`` returns it in
    ``result.spike_values['s']`` (an ``s`` column of the spikes frame); see :func:`spikes_of_sign`
    and :func:`sign_summary`.
    """

    name = "eicil"
    size_parameter = "N"
    parameters = PARAMETERS

    def validate(self) -> None:
        v = self.values
        if v["K"] > v["N"] - 1:
            raise ParameterError(f"K must be <= N - 1 (no autapses); got K={v['K']}, N={v['N']}")
        if v["coupling"] == "field" and not self.is_global:
            raise ParameterError(f'coupling="field" needs global coupling (K = N - 1); got K={v["K"]}, N={v["N"]}')
        if not 0 <= v["inh_in_frac"] <= 1:
            raise ParameterError(f"inh_in_frac must lie in [0, 1], got {v['inh_in_frac']}")
        self.neuron_type().schedule.steps(v["dt"])  # checks thresholds, tau and the schedule
        check_time_grid(v, time_constants=("tau",))

    @property
    def is_global(self) -> bool:
        """All-to-all recurrent coupling without autapses (``K = N - 1``)."""
        return self.values["K"] == self.values["N"] - 1

    def uses_shared_field(self) -> bool:
        """Whether the recurrent coupling goes through :func:`signed_field` (module docstring)."""
        return shared_field_chosen(self.values["coupling"], self.is_global)

    def neuron_type(self) -> EINeuron:
        v = self.values
        return EINeuron(theta_e=v["theta_e"], theta_i=v["theta_i"], tau=v["tau"],
                        schedule=CycleSchedule(v["cycle_period"], v["inh_duration"]))

    def _streams(self) -> list[np.random.Generator]:
        """Independent generators for drive, initial state and connectivity."""
        return [np.random.default_rng(s) for s in np.random.SeedSequence(self.values["seed"]).spawn(3)]

    def drives(self) -> np.ndarray:
        """Constant drive ``x_i`` of every neuron (Hz, i.e. potential per second)."""
        v = self.values
        return v["x_mean_hz"] + v["x_std_hz"] * self._streams()[0].standard_normal(v["N"])

    def initial_potentials(self) -> np.ndarray:
        v = self.values
        return -v["theta_i"] + (v["theta_e"] + v["theta_i"]) * self._streams()[1].random(v["N"])

    def connectivity(self) -> tuple[np.ndarray, np.ndarray]:
        return fixed_in_degree(self.values["N"], self.values["K"], self._streams()[2])

    def _poisson_inputs(self, neurons: NeuronGroup) -> list[PoissonInput]:
        """External drive: ``n_in`` Poisson inputs, ``inh_in_frac`` of them negative."""
        v = self.values
        if v["rate_in_hz"] == 0 or v["w_in"] == 0:
            return []
        n_negative = int(round(v["n_in"] * v["inh_in_frac"]))
        inputs = ((v["n_in"] - n_negative, v["w_in"]), (n_negative, -v["w_in"]))
        return [PoissonInput(neurons, "v", n, v["rate_in_hz"] / second, weight=weight)
                for n, weight in inputs if n > 0]

    def network(self):
        v = self.values
        field = v["K"] > 0 and self.uses_shared_field()
        neurons = self.neuron_type().build(v["N"], "neurons", v["dt"],
                                           {"x": self.drives() / second, "v": self.initial_potentials()},
                                           shared_field=field)
        spikes = sign_monitor(neurons, "spikes")
        poisson = self._poisson_inputs(neurons)  # Brian2's generator: seeded by neurodyn with `seed` (not on GeNN)
        recurrent = None
        if field:
            recurrent = signed_field(neurons, v["w"], "recurrent")
        elif v["K"] > 0:
            recurrent = sign_synapses(neurons, neurons, self.connectivity(), v["w"], "recurrent")
        return neurons, spikes, poisson, recurrent

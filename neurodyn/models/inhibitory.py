"""Delayed inhibitory network of LIF neurons with heterogeneous excitabilities.

Luccioli, Angulo-Garcia & Torcini, Phys. Rev. E 99, 052412 (2019); Angulo-Garcia,
Luccioli, Olmi & Torcini, New J. Phys. 19, 053011 (2017).

Dimensionless LIF, time in units of the membrane time constant ``tau_m``::

    tau_m dv_i/dt = I_i - v_i - g E_i(t)        v_i >= 1  ->  spike, v_i <- 0
    E_i(t) = (1/K) sum_j C_ij sum_n p(t - t_j^n - tau_d)
    p(t)   = alpha^2 t exp(-alpha t)             (alpha pulse, unit area; t in units of tau_m)

The alpha field is linear, so it is integrated exactly with two variables (``alpha`` is
written into the equations as a number, not declared as a variable: SymPy's exact
solution for a symbolic alpha divides by ``alpha - 1`` and gives NaN at alpha = 1, where
the pulse and membrane time scales meet; runtime code is recompiled per alpha value)::

    tau_m dx/dt = alpha (y - x)                  x is the field E_i
    tau_m dy/dt = -alpha y                       a spike arriving after tau_d: y += alpha/K

With ``pulse="delta"`` each arriving spike lowers v by g/K at once. Coupling is global
(``K`` unset or ``K = N``: all-to-all, autapses included, so every neuron sees the same
field, held once and delivered in O(N) per step: :meth:`InhibitoryNetwork.shared_field`) or
sparse (fixed in-degree ``K < N`` drawn without replacement and without autapses).
Excitabilities ``I_i`` are uniform in ``[I_l, I_u]``: i.i.d. random (``I_sampling="random"``) or
evenly spaced quantiles ``I_l + (I_u-I_l)(k+1/2)/N`` (``"even"``), or any array given as
``excitabilities``. Initial potentials are uniform in [0, 1). All random draws use NumPy with
``seed``, so every target builds the same network.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from brian2 import NeuronGroup, SpikeMonitor, Synapses, get_device, linked_var, ms

from neurodyn.errors import ParameterError
from neurodyn.model import Model
from neurodyn.parameters import check_time_grid, real_array
from neurodyn.targets import planned_target
from neurodyn.theory.heterogeneity import even_excitabilities
from neurodyn.theory.meanfield import MeanFieldSolution, global_mean_field, sparse_mean_field


#: Membrane of the alpha-pulse shared field (:meth:`InhibitoryNetwork.shared_field`): each step
#: ``v`` takes its exact LIF step and subtracts the field's ``drive``, read as ``field_drive``.
SHARED_FIELD_MEMBRANE = """
        v : 1
        I_ext : 1 (constant)
        field_drive : 1 (linked)
        tau_m : second (shared, constant)
        """
#: Exact step of ``v`` in the alpha-pulse shared field (``exp(-dt/tau_m)`` is loop-invariant:
#: Brian2 computes it once per step).
SHARED_FIELD_STEP = "v = I_ext + (v - I_ext) * exp(-dt / tau_m) - field_drive"


def neuron_equations(pulse: str, alpha: float, shared_field: bool = False) -> str:
    """LIF equations; for alpha pulses with the exactly integrated field (``alpha`` written in as a
    number, see the module docstring), or, with ``shared_field``, :data:`SHARED_FIELD_MEMBRANE`
    (the field lives once, in :func:`field_equations`). ``g`` and ``tau_m`` are group constants,
    so compiled code is reused across their values."""
    if pulse == "delta":
        return """
        dv/dt = (I_ext - v) / tau_m : 1
        I_ext : 1 (constant)
        tau_m : second (shared, constant)
        """ + ("field_drop : 1 (linked)" if shared_field else "")
    if shared_field:
        return SHARED_FIELD_MEMBRANE
    return f"""
        dv/dt = (I_ext - v - g*x) / tau_m : 1
        dx/dt = {alpha!r} * (y - x) / tau_m : 1
        dy/dt = -{alpha!r} * y / tau_m : 1
        I_ext : 1 (constant)
        g : 1 (shared, constant)
        tau_m : second (shared, constant)
        """


def field_equations(pulse: str, alpha: float) -> str:
    """The one-neuron shared field: for alpha pulses ``x, y`` (integrated exactly) and ``drive``,
    the term ``g (x_weight x + y_weight y)`` every membrane subtracts in a step
    (:func:`field_weights`); for delta pulses ``drop``, the sum of the step's kicks."""
    if pulse == "delta":
        return "drop : 1"
    return f"""
        dx/dt = {alpha!r} * (y - x) / tau_m : 1
        dy/dt = -{alpha!r} * y / tau_m : 1
        drive : 1
        g : 1 (shared, constant)
        x_weight : 1 (shared, constant)
        y_weight : 1 (shared, constant)
        tau_m : second (shared, constant)
        """


def field_weights(alpha: float, dt, tau_m) -> tuple[float, float]:
    """``(A, B)`` of the exact step of the alpha-pulse LIF over ``h = dt/tau_m``::

        v(t+h) = e^-h v + (1 - e^-h) I - g (A x + B y),
        A = (e^-alpha h - e^-h) / (1 - alpha),
        B = alpha [e^-h - e^-alpha h (1 - (1 - alpha) h)] / (1 - alpha)^2

    (``A = h e^-h``, ``B = h^2 e^-h / 2`` at alpha = 1), read from the matrix exponential of the
    linear system (v, x, y, I) with g = 1 (SciPy's ``expm``: no cancellation near alpha = 1).
    Values, not code: they reach a compiled program through value files with ``dt`` and ``tau_m``."""
    from scipy.linalg import expm

    h = float(dt / tau_m)
    system = np.array([[-1.0, -1.0, 0.0, 1.0], [0.0, -alpha, alpha, 0.0], [0.0, 0.0, -alpha, 0.0], [0.0] * 4])
    step = expm(system * h)
    return -step[0, 1], -step[0, 2]


def field_synapses(neurons: NeuronGroup, field_model: str, on_pre: str, name: str,
                   **options) -> tuple[Synapses, NeuronGroup]:
    """Synapses ``name`` from every neuron of ``neurons`` to a one-neuron group ``{name}_field``
    with equations ``field_model`` (integrated exactly): the shared field of a global network. The
    synapses contain the field, so it is built and run with them and is no population of the
    model. ``options`` (``model``, ``delay``) go to :class:`~brian2.Synapses`."""
    field = NeuronGroup(1, field_model, method="exact", name=f"{name}_field", namespace={})
    synapses = Synapses(neurons, field, on_pre=on_pre, name=name, namespace={}, **options)
    synapses.connect(i=np.arange(len(neurons), dtype=np.int32), j=np.zeros(len(neurons), dtype=np.int32))
    synapses.contained_objects.append(field)
    return synapses, field


def connect(synapses: Synapses, connections: tuple[np.ndarray, np.ndarray] | None) -> None:
    """Connect ``synapses`` all-to-all (``connections`` is ``None``) or from ``i[k]`` to ``j[k]``."""
    if connections is None:
        synapses.connect()
    else:
        i, j = connections
        synapses.connect(i=np.asarray(i, dtype=np.int32), j=np.asarray(j, dtype=np.int32))


def shared_field_chosen(choice: str, is_global: bool) -> bool:
    """Whether a globally coupled network is built with one shared field: ``coupling`` ``"field"``,
    or ``"auto"`` unless the network is built for GeNN; never for non-global coupling. ``"field"``
    for GeNN raises :class:`ParameterError` (Brian2GeNN has no linked variables)."""
    if not is_global or choice == "pairwise":
        return False
    for_genn = planned_target() == "genn" or type(get_device()).__name__ == "GeNNDevice"
    if choice == "field" and for_genn:
        raise ParameterError('coupling="field" needs linked variables, which Brian2GeNN does not support; '
                             'use coupling="pairwise" (or "auto") on GeNN')
    return not for_genn


def fixed_in_degree(n: int, k: int, rng: np.random.Generator, chunk: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Random connectivity where every neuron receives exactly ``k`` inputs, no autapses.

    Returns presynaptic and postsynaptic indices (``i``, ``j``), sorted by ``i`` and then by
    ``j``. Each row's sources are the ``k`` smallest of ``n`` uniform keys (self excluded),
    which is a uniform sample without replacement, computed in chunks of rows to bound memory.

    The order by presynaptic neuron matters for speed, not for the dynamics: a spike's
    synapses are then contiguous in Brian2's synapse arrays, and propagation reads them in
    sequence. Sorted by ``j`` instead, the N = 10,000, K = 1,000 network ran 5.7 times slower in
    C++ standalone (6.58 s vs 1.15 s for 1 s of biology, same spikes).
    """
    sources = []
    for first in range(0, n, chunk):
        rows = np.arange(first, min(first + chunk, n))
        keys = rng.random((rows.size, n))
        keys[np.arange(rows.size), rows] = np.inf
        sources.append(np.sort(np.argpartition(keys, k - 1, axis=1)[:, :k], axis=1))
    i = np.concatenate(sources).ravel()
    j = np.repeat(np.arange(n), k)
    by_source = np.argsort(i.astype(np.int32), kind="stable")  # radix sort; keeps j ascending per source
    return i[by_source], j[by_source]


class InhibitoryNetwork(Model):
    """The delayed inhibitory LIF network (see the module docstring for the equations).

    Parameters (all keyword; strings such as ``"2ms"`` are accepted): ``N``, ``K``, ``g``,
    ``I_l``, ``I_u``, ``I_sampling``, ``pulse``, ``alpha``, ``tau_d``, ``tau_m``, ``dt``,
    ``seed``; ``excitabilities`` optionally gives the array of ``I_i`` directly.

    >>> from brian2 import second
    >>> from neurodyn import InhibitoryNetwork, simulate
    >>> result = simulate(InhibitoryNetwork(N=50, g=2), 0.2 * second, target="numpy", progress=False)
    >>> result.n_neurons, len(result.spike_t) > 0
    (50, True)
    """

    name = "inhibitory"
    size_parameter = "N"
    bounds = {"N": (1, None), "K": (1, None), "g": (0.0, None), "alpha": (0.0, None), "tau_d": (0.0, None),
              "seed": (0, None)}
    choices = {"I_sampling": ("random", "even", "given"), "pulse": ("alpha", "delta"),
               "coupling": ("auto", "field", "pairwise")}

    def network(self, N=400,              # number of neurons
                K: int | None = None,     # in-degree; unset or N: global all-to-all coupling
                g=1.0,                    # inhibitory coupling strength (>= 0)
                I_l=1.0,                  # lowest excitability (I > 1: fires when alone)
                I_u=1.5,                  # highest excitability
                I_sampling="random",      # excitabilities i.i.d. uniform, or evenly spaced (given: excitabilities=)
                pulse="alpha",            # post-synaptic pulse shape
                alpha=20.0,               # alpha-pulse rate, in units of 1/tau_m
                tau_d=1 * ms,             # synaptic delay
                tau_m=10 * ms,            # membrane time constant
                dt=0.1 * ms,              # integration time step
                seed=0,                   # seed of excitabilities, initial state and connectivity
                coupling="auto"):         # global: shared field, or N^2 pairwise synapses; auto: field except on GeNN
        neurons = NeuronGroup(N, neuron_equations(pulse, alpha, self.uses_shared_field()), threshold="v >= 1",
                              reset="v = 0", method="exact", name="neurons", namespace={})
        neurons.I_ext = self.excitabilities()
        neurons.v = self.initial_potentials()
        neurons.tau_m = tau_m
        if pulse == "alpha" and not self.uses_shared_field():
            neurons.g = g
        inhibition = self.coupling(neurons)
        spikes = SpikeMonitor(neurons, name="spikes")
        return neurons, inhibition, spikes

    def coupling(self, neurons: NeuronGroup) -> Synapses:
        """The inhibitory synapses, delay ``tau_d``: a spike arriving at neuron i raises its pulse
        variable by ``kick = alpha/K`` (alpha pulses) or lowers ``v`` by ``kick = g/K`` (delta).

        Sparse coupling: fixed in-degree ``K`` (:func:`fixed_in_degree`). Global coupling (``K``
        unset or ``N``, autapses included) is delivered through one shared field (``coupling``
        ``"field"``, the default on runtime and C++ standalone), :meth:`shared_field`.

        ``coupling="pairwise"`` builds the N^2 all-to-all synapses instead (the check; and the
        form used on GeNN, which supports neither linked variables nor run_regularly outside slot
        'start'). There the kick is a constant of the synapses: GeNN cannot generate on_pre code that
        reads a neuron group's shared variable (``kick_post``); the delta form is written
        ``v_post += -kick`` (GeNN accepts only ``+=``).
        """
        v = self.values
        alpha_pulse = v["pulse"] == "alpha"
        if self.uses_shared_field():
            return self.shared_field(neurons)
        synapses = Synapses(neurons, neurons, model="kick : 1 (shared, constant)",
                            on_pre="y_post += kick" if alpha_pulse else "v_post += -kick",
                            delay=v["tau_d"], name="inhibition", namespace={})
        connect(synapses, self.connectivity())
        synapses.kick = self.kick
        return synapses

    def shared_field(self, neurons: NeuronGroup) -> Synapses:
        """Global coupling through one field, held once in a one-neuron group ``inhibition_field``
        (contained in the returned synapses, so it runs with them and is no population).

        N synapses (``inhibition``, delay ``tau_d``) take every spike to the field, which adds
        ``kick`` per arrival, in synapse order: the additions the pairwise network makes on each
        neuron. Alpha pulses: the field holds ``x, y`` (Brian2's exact update) and, at the start
        of each step, ``drive = g (A x + B y)`` (:func:`field_weights`); every neuron then takes
        the exact step ``v <- I + (v - I) e^-dt/tau_m - drive`` (:data:`SHARED_FIELD_STEP`, reading
        ``drive`` through the linked variable ``field_drive``): by linearity the ``v`` of the joint
        exact update of ``v, x, y``, one pass over N per step (profiled at N = 10^4, 0.5 s, C++
        standalone: 12.7 ms, against 23 ms for Brian2's exact LIF update plus a second pass
        subtracting ``drive``); ``A, B`` are computed for the model's ``dt``. Delta pulses: the
        field sums the step's kicks in ``drop``; after the synapses every neuron takes
        ``v -= drop``, then ``drop`` is cleared. Per step O(N), per spike O(1), N synapses;
        rounding may differ from the pairwise network in the last bits (tested: identical spikes).
        """
        v = self.values
        alpha_pulse = v["pulse"] == "alpha"
        synapses, field = field_synapses(neurons, field_equations(v["pulse"], v["alpha"]),
                                         "y_post += kick" if alpha_pulse else "drop_post += kick", "inhibition",
                                         model="kick : 1 (shared, constant)", delay=v["tau_d"])
        synapses.kick = self.kick
        if alpha_pulse:
            field.g, field.tau_m = v["g"], v["tau_m"]
            field.x_weight, field.y_weight = field_weights(v["alpha"], v["dt"], v["tau_m"])
            field.run_regularly("drive = g * (x_weight * x + y_weight * y)", when="groups", order=-1,
                                name="inhibition_field_drive")
            neurons.field_drive = linked_var(field, "drive")
            neurons.run_regularly(SHARED_FIELD_STEP, when="groups", name="neurons_membrane")
        else:
            neurons.field_drop = linked_var(field, "drop")
            neurons.run_regularly("v -= field_drop", when="after_synapses", name="inhibition_kicks")
            field.run_regularly("drop = 0", when="after_synapses", order=1, name="inhibition_field_clear")
        return synapses

    @property
    def kick(self) -> float:
        """The jump of a neuron's pulse variable per arriving spike: ``alpha/K`` (alpha pulses) or
        of its ``v``, ``g/K`` (delta)."""
        v = self.values
        return (v["alpha"] if v["pulse"] == "alpha" else v["g"]) / self.in_degree

    def uses_shared_field(self) -> bool:
        """Whether global coupling goes through the shared field (see :meth:`coupling`)."""
        return shared_field_chosen(self.values["coupling"], self.is_global)

    def __init__(self, excitabilities: Sequence[float] | None = None, **overrides):
        self._given_excitabilities = None if excitabilities is None else real_array("excitabilities", excitabilities)
        super().__init__(**overrides)

    def validate(self) -> None:
        v = self.values
        if v["K"] is not None and v["K"] > v["N"]:
            raise ParameterError(f"K must be <= N (in-degree cannot exceed the network size); got K={v['K']}, N={v['N']}")
        if v["coupling"] == "field" and not self.is_global:
            raise ParameterError(f'coupling="field" needs global coupling (K unset or K = N); '
                                 f'got K={v["K"]}, N={v["N"]}')
        if v["pulse"] == "alpha" and not v["alpha"] > 0:
            raise ParameterError(f"alpha must be > 0 for alpha pulses, got {v['alpha']}")
        if v["I_l"] > v["I_u"]:
            raise ParameterError(f"I_l must be <= I_u; got I_l={v['I_l']}, I_u={v['I_u']}")
        check_time_grid(v, delays=("tau_d",), time_constants=("tau_m",))
        given = self._given_excitabilities
        if given is None and v["I_sampling"] == "given":
            raise ParameterError("I_sampling='given' needs the array: pass excitabilities=[...]")
        if given is not None:
            if given.shape != (v["N"],):
                raise ParameterError(f"excitabilities must have shape ({v['N']},), got {given.shape}")
            if not np.all(np.isfinite(given)):
                raise ParameterError("excitabilities contain NaN or infinite values")
            # the record then describes the array (its range), not the unused defaults
            v.update(I_sampling="given", I_l=float(given.min()), I_u=float(given.max()))

    @property
    def is_global(self) -> bool:
        return self.values["K"] in (None, self.values["N"])

    @property
    def in_degree(self) -> int:
        return self.values["N"] if self.is_global else self.values["K"]

    @property
    def n_synapses(self) -> int:
        """Synapses the network builds for the target in use: ``N`` with the shared field,
        ``N * K`` otherwise."""
        return self.values["N"] if self.uses_shared_field() else self.values["N"] * self.in_degree

    def _streams(self) -> list[np.random.Generator]:
        """Independent generators for excitabilities, initial state and connectivity."""
        return [np.random.default_rng(s) for s in np.random.SeedSequence(self.values["seed"]).spawn(3)]

    def excitabilities(self) -> np.ndarray:
        """The excitabilities ``I_i`` (dimensionless)."""
        if self._given_excitabilities is not None:
            return self._given_excitabilities
        v = self.values
        if v["I_sampling"] == "even":
            return even_excitabilities(v["N"], v["I_l"], v["I_u"])
        return v["I_l"] + (v["I_u"] - v["I_l"]) * self._streams()[0].random(v["N"])

    def initial_potentials(self) -> np.ndarray:
        """Initial membrane potentials, uniform in [0, 1)."""
        return self._streams()[1].random(self.values["N"])

    def connectivity(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Presynaptic and postsynaptic indices for sparse coupling; ``None`` for global."""
        if self.is_global:
            return None
        return fixed_in_degree(self.values["N"], self.values["K"], self._streams()[2])

    def theory(self) -> MeanFieldSolution:
        """Mean-field prediction, rate in Hz (``mean_rate_hz``) and per tau_m (``rate_per_tau_m``):
        exact asynchronous theory on this network's excitabilities for global coupling; diffusion
        approximation over U[I_l, I_u] for sparse coupling."""
        v = self.values
        if self.is_global:
            return global_mean_field(v["g"], excitabilities=self.excitabilities(), tau_m=v["tau_m"])
        return sparse_mean_field(v["g"], v["K"], v["I_l"], v["I_u"], tau_m=v["tau_m"])

    theory_label = "mean-field theory (valid in the asynchronous state)"

    def theory_observables(self) -> dict[str, float]:
        """:meth:`theory` as summary columns: ``n_active_frac`` and ``mean_rate_hz`` (Hz)."""
        return self.theory().observables()

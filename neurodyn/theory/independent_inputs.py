"""Sparse mean field with independent, self-consistent input trains (dynamical mean field).

Lerchner, Ursta, Hertz, Ahmadi, Ruffiot & Enemark, Neural Comput. 18, 634 (2006); Dummer, Wieland &
Lindner, Front. Comput. Neurosci. 8:104 (2014). In the mean-field limit of a sparse network
(K / N -> 0) the K inputs of a neuron are independent spike trains with the statistics of the
population's own output: its rate distribution *and* its temporal structure (bursts). The network's
model neurons (time in units of tau_m)::

    dv_i/dt = I_i - v_i - g x_i,   dx_i/dt = alpha (y_i - x_i),   dy_i/dt = -alpha y_i
    v_i >= 1 -> spike, v_i <- 0;   each input spike: y_i += alpha / K

are therefore driven, instead of by each other, by spike trains from a *pool*, iterated to a fixed
point:

- generation 0: the pool holds N Poisson trains at given rates (default: each neuron's rate in the
  diffusion approximation, :func:`neurodyn.theory.sparse.quenched_sparse_mean_field` without the
  quenched term);
- generation n + 1: N model neurons (excitabilities evenly spaced in [I_l, I_u], as
  ``I_sampling="even"``) each receive K distinct pool trains (fixed in-degree without autapses,
  as the network), each circularly shifted by its own uniform random time in [0, W): the shift
  removes all correlations between inputs (and between neurons) and keeps each train's own
  intervals; a neuron's K inputs thus carry the quenched spread of its presynaptic rates. The
  neurons run ``transient`` tau_m (dropped) and then the window W, in Brian2;
- their trains in W replace the pool's, each slot with probability ``mixing`` (damping: without
  it the strong inhibition makes the iteration swing between too many and too few spikes; halved
  at a point each time its rate overshoots);
- a generation is self-consistent when its output has its input pool's mean rate R and active
  fraction n_A (share of trains with a spike in W, as the simulation's ``n_active_frac``) within
  twice the standard error of the difference (rate: std of the N neurons' rates / sqrt(N), as
  each neuron draws its own inputs; n_A: binomial sqrt(n_A (1 - n_A) / N), at least 1/N). Stop
  when every point has run ``averaged`` generations since its first self-consistent one, or
  after ``max_generations``; the result is the mean over the generations from the first
  self-consistent one on (without one: the last ``averaged``).

Not included, by construction: shared inputs and correlations (finite K / N), delays (irrelevant for
independent inputs). The synaptic delay tau_d therefore does not enter. Several (g, K) points run in
one Brian2 network (the coupling is carried by the synaptic weights, ``y += g alpha / K`` with
``g x`` read as ``x``), so a sweep costs one run per generation.
"""
from __future__ import annotations

import gc
import logging
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from brian2 import Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, Synapses, ms, second

from neurodyn.analysis.irregularity import irregularity, mean_irregularity
from neurodyn.errors import ParameterError
from neurodyn.models.inhibitory import fixed_in_degree, neuron_equations
from neurodyn.targets import RUNTIME_TARGETS, target_device
from neurodyn.theory.heterogeneity import even_excitabilities
from neurodyn.theory.meanfield import tau_m_seconds
from neurodyn.theory.sparse import RateDistribution, quenched_sparse_mean_field, siegert_rates

MIN_MIXING = 1 / 16
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndependentInputState(RateDistribution):
    """A fixed point (or the last generation) of :func:`independent_input_mean_fields`.

    Besides the fields of :class:`RateDistribution` (``input_mean_std``: std over neurons of the
    mean rate of their K inputs, per tau_m): the sampling errors ``rate_error`` (per tau_m) and
    ``n_active_error``, the mean CV of the interspike intervals ``cv_mean`` (neurons with >= 3
    spikes), the number of generations run, whether a self-consistent generation was reached, and the
    ``history`` of (R per tau_m, n_A) per generation (generation 0 is the Poisson pool)."""

    rate_error: float = math.nan
    n_active_error: float = math.nan
    cv_mean: float = math.nan
    generations: int = 0
    converged: bool = False
    history: tuple = ()


def diffusion_rates(g: float, K: int, excitabilities: np.ndarray) -> np.ndarray:
    """Each neuron's rate (per tau_m) in the diffusion approximation: Siegert rate at mean
    ``I - g R`` and noise ``g sqrt(R / K)``, R self-consistent over U[min I, max I]."""
    R = quenched_sparse_mean_field(g, K, float(excitabilities.min()), float(excitabilities.max()),
                                   quenched=False).rate_per_tau_m
    return siegert_rates(excitabilities - g * R, g * math.sqrt(R / K))


def poisson_trains(rates: np.ndarray, window_steps: int, dt: float, rng: np.random.Generator) -> list[np.ndarray]:
    """One Poisson train per rate (per tau_m) on the step grid of width ``dt`` (tau_m): the spike
    steps in [0, window_steps), at most one per step (probability ``1 - exp(-rate dt)``)."""
    p = -np.expm1(-np.asarray(rates, dtype=float) * dt)
    return [np.flatnonzero(rng.random(window_steps) < pi) for pi in p]


def shifted_inputs(pool: Sequence[np.ndarray], sources: np.ndarray, window_steps: int, run_steps: int,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Spike steps of every input ``s`` (train ``pool[sources[s]]``), circularly shifted by its
    own uniform random step in [0, window_steps) and repeated to cover [0, run_steps):
    input step u carries a spike where the train has one at step ``(u + shift) mod window_steps``.
    Returns (input index, step) of all input spikes."""
    shifts = rng.integers(0, window_steps, size=len(sources))
    repeats = -(-run_steps // window_steps)
    indices, steps = [], []
    for s, (source, shift) in enumerate(zip(sources, shifts)):
        base = (pool[source] - shift) % window_steps
        tiled = (base[None, :] + window_steps * np.arange(repeats)[:, None]).ravel()
        tiled = tiled[tiled < run_steps]
        steps.append(tiled)
        indices.append(np.full(tiled.size, s, dtype=np.int64))
    return np.concatenate(indices), np.concatenate(steps)


def _check(points, N, I_l, I_u, alpha, window, transient, dt, mixing, max_generations, averaged, target):
    if not points:
        raise ParameterError("points must hold at least one (g, K)")
    for g, K in points:
        if not (g >= 0 and K >= 1 and K == int(K)):
            raise ParameterError(f"each point needs g >= 0 and an integer K >= 1; got g={g}, K={K}")
        if K >= N:
            raise ParameterError(f"K must be < N (K distinct trains other than the neuron's own); got K={K}, N={N}")
    if not (I_l <= I_u and alpha > 0 and dt > 0 and window >= dt and transient >= 0):
        raise ParameterError(f"need I_l <= I_u, alpha > 0, dt > 0, window >= dt, transient >= 0; got I_l={I_l}, "
                             f"I_u={I_u}, alpha={alpha}, window={window}, transient={transient}, dt={dt}")
    if not 0 < mixing <= 1:
        raise ParameterError(f"mixing must be in (0, 1], got {mixing}")
    if not (max_generations >= 1 and averaged >= 1):
        raise ParameterError(f"max_generations and averaged must be >= 1; got {max_generations}, {averaged}")
    if target not in RUNTIME_TARGETS:
        raise ParameterError(f"target must be one of {', '.join(RUNTIME_TARGETS)}, got {target!r}")


def independent_input_mean_fields(points: Sequence[tuple[float, int]], I_l: float = 1.0, I_u: float = 1.5,
                                  N: int = 400, alpha: float = 20.0, window: float = 200.0, transient: float = 20.0,
                                  dt: float = 0.01, initial_rates=None, mixing: float = 0.5,
                                  max_generations: int = 10, averaged: int = 3, seed: int = 0,
                                  target: str = "numpy", tau_m=10 * ms) -> list[IndependentInputState]:
    """The self-consistent independent-input mean field (module docstring) at each (g, K) of ``points``.

    ``N`` model neurons per point; ``window``, ``transient`` and ``dt`` in tau_m (default: the
    2 s window of the studies, 0.2 s transient, dt = 0.1 ms at tau_m = 10 ms); ``initial_rates``
    (per tau_m, a number or one per neuron) replaces the diffusion rates of generation 0;
    ``mixing`` is the share of pool slots replaced per generation (halved, down to
    ``MIN_MIXING``, at a point whenever its rate overshoots: two changes of opposite sign, both
    beyond twice their standard error); the
    returned values are the means over the averaged generations (module docstring), their errors the
    sampling error combined with the standard error over those generations (``converged``:
    a self-consistent generation was reached);
    ``target`` ``"numpy"`` or ``"cython"``. ``tau_m`` only converts to Hz and sets Brian2's clock.
    All random draws (Poisson pool, in-degrees, shifts, mixing, initial potentials) come from
    ``seed``. Returns one :class:`IndependentInputState` per point, in order.
    """
    points = [(float(g), int(K)) for g, K in points]
    _check(points, N, I_l, I_u, alpha, window, transient, dt, mixing, max_generations, averaged, target)
    tau = tau_m_seconds(tau_m)
    rng = np.random.default_rng(seed)
    I = even_excitabilities(N, I_l, I_u)
    window_steps, transient_steps = int(round(window / dt)), int(round(transient / dt))
    run_steps = window_steps + transient_steps
    if initial_rates is None:
        start = [diffusion_rates(g, K, I) for g, K in points]
    else:
        start = [np.broadcast_to(np.asarray(initial_rates, dtype=float), (N,)) for _ in points]
        if not all(np.all(rates >= 0) for rates in start):
            raise ParameterError("initial_rates must be >= 0")
    pools = [poisson_trains(rates, window_steps, dt, rng) for rates in start]
    history = [[_pool_summary(pool, window)] for pool in pools]
    runs = [[] for _ in points]  # summaries of every generation, per point
    settled = [None] * len(points)  # per point: index in runs of the first self-consistent generation
    shares = [mixing] * len(points)
    for generation in range(1, max_generations + 1):
        inputs = [_pool_summary(pool, window) for pool in pools]
        trains, input_means = _generation(points, pools, I, alpha, window_steps, transient_steps, dt, tau, target, rng)
        for p, new in enumerate(trains):
            runs[p].append(_summary(new, window_steps, dt, tau))
            history[p].append((runs[p][-1]["rate"], runs[p][-1]["n_A"]))
            if settled[p] is None and _self_consistent(inputs[p], runs[p][-1]):
                settled[p] = len(runs[p]) - 1
            if len(runs[p]) >= 3 and _swings(runs[p][-3:]):
                shares[p] = max(shares[p] / 2, MIN_MIXING)
            replace = rng.random(N) < shares[p]
            pools[p] = [fresh if r else old for fresh, old, r in zip(new, pools[p], replace)]
        log.info("generation %d: self-consistent at %d of %d points", generation,
                 sum(first is not None for first in settled), len(points))
        if all(first is not None and len(run) - first >= averaged for first, run in zip(settled, runs)):
            break
    return [_state(g, K, run[-averaged:] if first is None else run[first:], m, tau, first is not None, h, len(run))
            for (g, K), run, first, m, h in zip(points, runs, settled, input_means, history)]


def _self_consistent(pool: tuple[float, float], output: dict) -> bool:
    """Whether a generation's output has its input pool's rate and n_A, within twice the
    standard error of the difference (each side's error taken as the output's)."""
    rate, n_A = pool
    return (abs(output["rate"] - rate) <= 2 * math.sqrt(2) * output["rate_error"]
            and abs(output["n_A"] - n_A) <= 2 * math.sqrt(2) * max(output["n_A_error"], 1 / output["N"]))


def _swings(last) -> bool:
    """Whether the rate's last two changes have opposite signs and both exceed twice the standard
    error of a difference (the iteration overshoots, beyond sampling noise)."""
    (a, b, c), noise = (summary["rate"] for summary in last), 2 * math.sqrt(2) * last[-1]["rate_error"]
    return (c - b) * (b - a) < 0 and min(abs(c - b), abs(b - a)) > noise


def _state(g, K, last, input_means, tau, converged, history, generations) -> IndependentInputState:
    """The state from the last generations: means; errors combine the sampling error and the
    spread over those generations (standard error of their mean)."""
    def mean(key):
        return float(np.mean([summary[key] for summary in last]))

    def error(key, sampling):
        values = [summary[key] for summary in last]
        spread = np.std(values, ddof=1) / math.sqrt(len(values)) if len(values) > 1 else 0.0
        return float(math.hypot(mean(sampling), spread))

    return IndependentInputState(g=g, K=K, rate_per_tau_m=mean("rate"), rate_variance=mean("rate_variance"),
                                 n_active_frac=mean("n_A"), input_mean_std=float(np.std(input_means)), tau_m=tau,
                                 rate_error=error("rate", "rate_error"), n_active_error=error("n_A", "n_A_error"),
                                 cv_mean=mean("cv_mean"), generations=generations, converged=converged,
                                 history=tuple(history))


def independent_input_mean_field(g: float, K: int, **options) -> IndependentInputState:
    """:func:`independent_input_mean_fields` at one point (g, K)."""
    return independent_input_mean_fields([(g, K)], **options)[0]


def _generation(points, pools, I, alpha, window_steps, transient_steps, dt, tau, target, rng):
    """One generation: every point's N model neurons driven by shifted pool trains, in one Brian2
    network. Returns, per point, the N recorded trains (steps within the window) and the mean
    pool rate (per tau_m) of each neuron's K inputs."""
    N = len(I)
    run_steps = window_steps + transient_steps
    all_indices, all_steps, targets, weights, input_means = [], [], [], [], []
    offset = 0
    for p, ((g, K), pool) in enumerate(zip(points, pools)):
        sources, post = fixed_in_degree(N, K, rng)
        indices, steps = shifted_inputs(pool, sources, window_steps, run_steps, rng)
        all_indices.append(indices + offset)
        all_steps.append(steps)
        targets.append(post + p * N)
        weights.append(np.full(sources.size, g * alpha / K))
        rates = np.array([train.size for train in pool]) / (window_steps * dt)
        input_means.append(np.bincount(post, weights=rates[sources], minlength=N) / K)
        offset += sources.size
    with target_device(target, dt * tau * second):
        neurons = NeuronGroup(len(points) * N, neuron_equations("alpha", alpha), threshold="v >= 1", reset="v = 0",
                              method="exact", namespace={})
        neurons.I_ext = np.tile(I, len(points))
        neurons.v = rng.random(len(points) * N)
        neurons.tau_m = tau * second
        neurons.g = 1.0  # the coupling g is in the weights
        step = dt * tau * second
        generator = SpikeGeneratorGroup(offset, np.concatenate(all_indices), np.concatenate(all_steps) * step)
        synapses = Synapses(generator, neurons, model="w : 1 (constant)", on_pre="y_post += w", namespace={})
        synapses.connect(i=np.arange(offset, dtype=np.int32), j=np.concatenate(targets).astype(np.int32))
        synapses.w = np.concatenate(weights)
        monitor = SpikeMonitor(neurons)
        Network(neurons, generator, synapses, monitor).run(run_steps * step, namespace={})
        spike_i = np.asarray(monitor.i[:])
        spike_step = np.rint(np.asarray(monitor.t[:] / second) / (dt * tau)).astype(np.int64) - transient_steps
        del neurons, generator, synapses, monitor
    gc.collect()  # Brian2 objects hold reference cycles: free this generation's network now
    kept = spike_step >= 0
    spike_i, spike_step = spike_i[kept], spike_step[kept]
    order = np.lexsort((spike_step, spike_i))
    spike_i, spike_step = spike_i[order], spike_step[order]
    bounds = np.searchsorted(spike_i, np.arange(len(points) * N + 1))
    trains = [[spike_step[bounds[p * N + n]:bounds[p * N + n + 1]] for n in range(N)] for p in range(len(points))]
    return trains, input_means


def _pool_summary(pool, window) -> tuple[float, float]:
    """(R per tau_m, n_A) of a pool of trains over ``window`` tau_m."""
    counts = np.array([train.size for train in pool])
    return float(counts.mean() / window), float(np.mean(counts > 0))


def _summary(trains, window_steps, dt, tau) -> dict:
    """Rate (per tau_m), across-neuron rate variance, n_A, their sampling errors and the mean CV."""
    N = len(trains)
    window = window_steps * dt
    counts = np.array([train.size for train in trains])
    rates = counts / window
    steps = np.concatenate(trains) if counts.sum() else np.zeros(0, dtype=np.int64)
    n_A = float(np.mean(counts > 0))
    owner = np.repeat(np.arange(N), counts)
    cv = mean_irregularity(irregularity(owner, steps * dt * tau, n_neurons=N, t_stop=window * tau))["cv_mean"]
    return {"N": N, "rate": float(rates.mean()), "rate_variance": float(rates.var()), "n_A": n_A,
            "rate_error": float(rates.std(ddof=1) / math.sqrt(N)),
            "n_A_error": math.sqrt(n_A * (1 - n_A) / N), "cv_mean": cv}

"""The onset of collective oscillations located from chi over N, by bisection in g.

:func:`synchrony_point` runs one globally coupled :class:`~neurodyn.InhibitoryNetwork` (evenly
spaced excitabilities, shared-field coupling) and measures chi of the potentials of all neurons,
sampled every ``sample_dt``, with its block error, and the peak frequency of the population mean
potential. :func:`locate_onset` judges each coupling g by the finite-size scaling of chi over the
sizes (:func:`neurodyn.analysis.finite_size.chi_scaling`: synchronous where the fitted exponent
lies above -1/4) and bisects the bracket [asynchronous g, synchronous g]
geometrically; the onset is the final bracket.

On the Cython runtime target the network compiles once: g, tau_m and the excitabilities are
group variables and the delay a synapse variable, so only ``alpha`` (written into the equations)
and the pulse shape select the compiled code; a study over g, tau_d, N and the spread reruns it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from brian2 import NeuronGroup, StateMonitor, Synapses, ms, second
from scipy.signal import welch

from neurodyn.analysis import chi_from_spikes
from neurodyn.analysis.finite_size import chi_scaling, chi_with_error
from neurodyn.errors import ParameterError
from neurodyn.models.inhibitory import InhibitoryNetwork
from neurodyn.studies.store import write_parquet_atomically
from neurodyn.targets import target_device
from neurodyn.theory.meanfield import global_mean_field


def synchrony_point(g: float, n: int, *, tau_d, I_l: float, I_u: float, alpha: float = 20.0,
                    duration=2 * second, t_start=0.5 * second, sample_dt=0.5 * ms, target: str = "cython",
                    seed: int = 0, blocks: int = 5, f_min_hz: float = 20.0,
                    record_neurons: int | None = None, K: int | None = None, dt=0.1 * ms) -> dict:
    """One run: ``chi``, ``chi_err`` (:func:`~neurodyn.analysis.finite_size.chi_with_error` over
    ``[t_start, duration)``), ``freq_hz`` (Welch peak of the population mean potential above
    ``f_min_hz``, 2 Hz resolution or the window's), ``chi_spikes`` (:func:`~neurodyn.analysis.chi_from_spikes`,
    the old studies' measure), ``rate_hz`` (mean rate) and the parameters.

    With ``record_neurons`` below ``n`` only that many evenly spaced neurons are recorded, and the
    population mean potential comes from a summed variable over all neurons (N synapses into one
    meter neuron, sampled at the same steps), for networks too large for a full record;
    ``chi_spikes`` is then not computed (NaN). With ``K`` the coupling is sparse (fixed
    in-degree K) and the run starts from the package's default state (the start in the global
    mean field's asynchronous state does not apply). ``dt`` is the integration step: spikes and
    resets fall on its grid, so neurons of nearly equal drive that cross in the same step leave it
    with the same potential, and the shared field's fluctuations bring them there: at tau_d = 5 ms,
    I in [1.4, 1.6], g = 0.19, N = 25600 the rate fluctuation sqrt(N) std/mean is 9.9 at
    dt = 0.1 ms, 5.2 at 0.05 ms, against 4.4-4.7 at N = 1600 (README, ``onset``)."""
    if not t_start < duration:
        raise ParameterError(f"t_start must be before the end of the run; got t_start={t_start}, duration={duration}")
    model = InhibitoryNetwork(N=n, K=K, g=g, alpha=alpha, tau_d=tau_d, I_l=I_l, I_u=I_u, I_sampling="even",
                              seed=seed, dt=dt)
    with target_device(target, model.dt):
        built = model.build()
        if model.is_global:
            start_asynchronous(built.neurons, built.network["inhibition"].target, model, np.random.default_rng(seed))
        sample = record_neurons is not None and record_neurons < n
        recorded = np.unique(np.linspace(0, n - 1, record_neurons).round().astype(int)) if sample else True
        monitor = StateMonitor(built.neurons, "v", record=recorded, dt=sample_dt)
        built.network.add(monitor)
        if sample:
            meter = NeuronGroup(1, "vbar : 1", name="meter")
            summed = Synapses(built.neurons, meter, f"vbar_post = v_pre / {n} : 1 (summed)", name="mean_potential")
            summed.connect(i=np.arange(n, dtype=np.int32), j=np.zeros(n, dtype=np.int32))
            # the sum runs in the 'groups' slot before the neurons move: at 'end' it holds the
            # potentials the neuron monitor recorded at 'start' of the same step
            mean_monitor = StateMonitor(meter, "vbar", record=0, dt=sample_dt, when="end")
            built.network.add(meter, summed, mean_monitor)
        built.run(duration)
        keep = np.asarray(monitor.t_[:]) >= float(t_start)
        v = np.asarray(monitor.v_[:])[:, keep]
        population_mean = np.asarray(mean_monitor.vbar_[0])[keep] if sample else v.mean(axis=0)
        spikes = built.spikes["neurons"]
        spike_i, spike_t = np.asarray(spikes.i[:]), np.asarray(spikes.t_[:])
    chi, chi_err = chi_with_error(v, blocks, population_mean)
    fs = 1.0 / float(sample_dt)
    freq, psd = welch(population_mean, fs=fs, nperseg=min(v.shape[1] // 3, int(fs / 2.0)))
    band = freq >= f_min_hz
    return {"g": g, "N": n, "tau_d_ms": float(tau_d / ms), "I_l": I_l, "I_u": I_u, "chi": chi, "chi_err": chi_err,
            "freq_hz": float(freq[band][np.argmax(psd[band])]),
            "chi_spikes": chi_from_spikes(spike_i, spike_t, n_neurons=n, t_start=float(t_start),
                                          t_stop=float(duration)) if not sample else float("nan"),
            "rate_hz": spike_i.size / (n * float(duration / second))}


def start_asynchronous(neurons, field, model: InhibitoryNetwork, rng: np.random.Generator) -> None:
    """Start in the mean field's asynchronous state: field ``x = y = R`` (in ``field``, the group
    the inhibitory synapses feed: the shared field's one-neuron group, or the neurons of the
    pairwise network) and every neuron at a uniformly random phase of its free orbit,
    ``v = mu (1 - e^{-theta T})``, ``mu = I - g R`` (silent neurons at their fixed point
    ``v = mu``), so that the window measures the stationary state rather than the relaxation from
    the package's default start (v uniform, no field), which decays only by dephasing. (It did
    not change chi sqrt(N) = 0.77 / 0.82 / 0.89 at N = 400 / 1600 / 6400, I in [1.4, 1.6],
    tau_d = 0.1 tau_m, g = 0.3.)"""
    g, excitabilities = model.values["g"], model.excitabilities()
    rate = global_mean_field(g, excitabilities=excitabilities).rate_per_tau_m
    drive = excitabilities - g * rate
    above = drive > 1
    phase = rng.random(drive.size)
    period = np.log(np.where(above, drive, 2.0) / (np.where(above, drive, 2.0) - 1.0))
    neurons.v = np.where(above, drive * -np.expm1(-phase * period), drive)
    field.x = rate
    field.y = rate


class StoredRuns:
    """:func:`synchrony_point` runs kept in a Parquet file, keyed by all their parameters, so that
    an interrupted or repeated study reruns nothing (the file is rewritten atomically after each run).

    ``fixed``: ``duration_s``, ``t_start_s``, ``target`` and optionally ``record_neurons`` and
    ``dt_ms`` (the time step; 0.1 ms where absent), the same for every run of the study; ``K`` (sparse in-degree, ``None``: global) is given per run."""

    def __init__(self, path, **fixed):
        self.path, self.fixed = Path(path), fixed
        self.rows = pd.read_parquet(self.path).to_dict("records") if self.path.exists() else []
        self.index = {self.key(row): row for row in self.rows if all(k in row for k in self.fixed)}

    def key(self, row) -> tuple:
        names = ("g", "N", "tau_d_ms", "I_l", "I_u", *sorted(self.fixed))
        k = row.get("K")
        degree = None if k is None or (isinstance(k, float) and np.isnan(k)) else int(k)
        return tuple(row[k] if isinstance(row[k], str) else round(float(row[k]), 9) for k in names) + (degree,)

    def measure(self, g: float, n: int, tau_d_ms: float, I_l: float, I_u: float, K: int | None = None) -> dict:
        wanted = {"g": g, "N": n, "tau_d_ms": tau_d_ms, "I_l": I_l, "I_u": I_u, "K": K, **self.fixed}
        found = self.index.get(self.key(wanted))
        if found is not None:
            return found
        options = {k: v for k, v in self.fixed.items() if k in ("target", "record_neurons")}
        if "dt_ms" in self.fixed:
            options["dt"] = self.fixed["dt_ms"] * ms
        row = {**synchrony_point(g, n, tau_d=tau_d_ms * ms, I_l=I_l, I_u=I_u, K=K,
                                 duration=self.fixed["duration_s"] * second, t_start=self.fixed["t_start_s"] * second,
                                 **options), **wanted}
        self.rows.append(row)
        self.index[self.key(row)] = row
        write_parquet_atomically(pd.DataFrame(self.rows), self.path)
        return row


@dataclass(frozen=True)
class Onset:
    """The onset bracket: ``g_async`` judged asynchronous, ``g_sync`` synchronous (``g_sync >
    g_async``); ``rows`` holds every run with its g's fitted exponent, error and verdict."""

    g_async: float
    g_sync: float
    rows: pd.DataFrame

    @property
    def g_c(self) -> float:
        """Geometric middle of the bracket."""
        return float(np.sqrt(self.g_async * self.g_sync))

    def frequency_hz(self) -> float:
        """Peak frequency at the smallest synchronous g, largest N."""
        at = self.rows[self.rows["g"] == self.g_sync]
        return float(at.loc[at["N"].idxmax(), "freq_hz"])


def judge(runs: Sequence[dict]) -> dict:
    """The scaling verdict of the runs of one g over its sizes: exponent, error, synchronous."""
    fit = chi_scaling([r["N"] for r in runs], [r["chi"] for r in runs], [r["chi_err"] for r in runs])
    return {"exponent": fit.exponent, "exponent_err": fit.error, "synchronous": fit.is_synchronous()}


def locate_onset(measure: Callable[[float, int], dict], g_low: float, g_high: float, sizes: Sequence[int],
                 steps: int = 3, widen: int = 2, log: Callable[[str], None] | None = None) -> Onset:
    """Bisect g (geometrically) between an asynchronous and a synchronous coupling.

    ``measure(g, n)`` returns a run's dict (as :func:`synchrony_point`); every g is run at every
    size and judged by :func:`judge`. A start bracket that does not hold (``g_low`` synchronous or
    ``g_high`` asynchronous) is widened by a factor 2 at that end up to ``widen`` times; then
    ``steps`` bisections follow. Raises :class:`ParameterError` when no bracket is found.
    """
    if not 0 < g_low < g_high:
        raise ParameterError(f"need 0 < g_low < g_high, got {g_low}, {g_high}")
    if len(set(sizes)) < 2:
        raise ParameterError(f"need at least two sizes, got {list(sizes)}")
    rows, known = [], {}

    def verdict(g):
        if g in known:
            return known[g]
        runs = [measure(g, n) for n in sizes]
        judged = judge(runs)
        rows.extend({**r, **judged} for r in runs)
        if log:
            log(f"g={g:.4g}: exponent {judged['exponent']:.3f} +- {judged['exponent_err']:.3f} -> "
                f"{'synchronous' if judged['synchronous'] else 'asynchronous'}")
        known[g] = judged["synchronous"]
        return known[g]

    for _ in range(widen + 1):
        if not verdict(g_low):
            break
        g_low, g_high = g_low / 2, g_low
    else:
        raise ParameterError(f"synchronous down to g={g_low * 2:.4g}: no asynchronous end found")
    for _ in range(widen + 1):
        if verdict(g_high):
            break
        g_low, g_high = g_high, g_high * 2
    else:
        raise ParameterError(f"asynchronous up to g={g_high / 2:.4g}: no synchronous end found")
    for _ in range(steps):
        middle = float(np.sqrt(g_low * g_high))
        g_low, g_high = (g_low, middle) if verdict(middle) else (middle, g_high)
    return Onset(g_async=g_low, g_sync=g_high, rows=pd.DataFrame(rows))

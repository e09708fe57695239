"""neurodyn.analysis against Elephant on a large population: 10^4 neurons, 10^7 spikes.

The spikes are synthetic and seeded (80 % Poisson neurons with log-normal rates, 20 %
bursting neurons), in time order with int32 indices, as Brian2's SpikeMonitor gives them.
Timed from these flat arrays:

* neurodyn: the full ``summarize`` (rates, CV/CV2/LV, bursts, chi, Kuramoto r, count
  correlation, spectrum), and separately the quantities Elephant also computes;
* Elephant 1.1.1: the same quantities, the user's way -- one ``neo.SpikeTrain`` per neuron,
  then ``isi``, ``cv`` (of the intervals), ``cv2``, ``lv``, ``mean_firing_rate`` per train
  and ``time_histogram`` of the population. With ``--elephant-neurons K`` only K neurons go
  through Elephant and its times are extrapolated linearly to all (said in the output).

neurodyn's times are the best of ``--repeats`` runs (default 3; the median is printed
too), as ``timeit`` reports, because a shared machine adds noise of up to 2x to runs of
a second; Elephant runs once (tens of seconds, where such noise averages out).
Peak memory: ``tracemalloc`` peak of one more ``summarize`` run (memory it allocates
above its input) and the process's peak resident set (``ru_maxrss``) before Elephant.

    python benchmarks/bench_analysis.py [--quick] [--repeats R] [--elephant-neurons K]

``--quick`` uses 10^6 spikes. Targets: ``summarize`` < 10 s, >= 20x faster than Elephant
on the shared quantities, peak memory < 4 GB.
"""
from __future__ import annotations

import argparse
import resource
import time
import tracemalloc
import warnings

import numpy as np

from neurodyn.analysis import irregularity, neuron_rates, population_rate, spike_trains, summarize

BIN_WIDTH = 1e-3
MEAN_RATE_HZ = 20.0


def synthetic_population(n_neurons: int, n_spikes: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, float]:
    """Time-ordered (i, t) of about ``n_spikes`` spikes and the duration (s), at 20 Hz on average."""
    rng = np.random.default_rng(seed)
    duration = n_spikes / (n_neurons * MEAN_RATE_HZ)
    rates = rng.lognormal(0.0, 0.5, n_neurons)
    rates *= MEAN_RATE_HZ / rates.mean()
    bursting = rng.random(n_neurons) < 0.2
    # Poisson neurons: uniform times; bursting neurons: Poisson onsets of 4 spikes 4 ms apart
    counts = np.where(bursting, rng.poisson(rates * duration / 4), rng.poisson(rates * duration))
    neuron = np.repeat(np.arange(n_neurons), counts)
    t = rng.uniform(0, duration, counts.sum())
    in_burst = bursting[neuron]
    burst_i = np.repeat(neuron[in_burst], 4)
    burst_t = (np.repeat(t[in_burst], 4) + np.tile(np.arange(4) * 4e-3, in_burst.sum())) % duration
    neuron, t = np.concatenate([neuron[~in_burst], burst_i]), np.concatenate([t[~in_burst], burst_t])
    order = np.argsort(t, kind="stable")
    return neuron[order].astype(np.int32), t[order], duration


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - started


def neurodyn_shared_quantities(i, t, n_neurons, duration):
    """Sorting, per-neuron rates, population rate, CV/CV2/LV; returns times and results."""
    trains, t_sort = timed(spike_trains, i, t, n_neurons=n_neurons, t_stop=duration)
    started = time.perf_counter()
    rates = neuron_rates(trains)["rate_hz"].to_numpy()
    pop_rate = population_rate(trains, bin_width=BIN_WIDTH)["pop_rate_hz"].to_numpy()
    t_rates = time.perf_counter() - started
    table, t_irregularity = timed(irregularity, trains)
    return {"prepare": t_sort, "rates": t_rates, "irregularity": t_irregularity}, \
        (rates, pop_rate, table[["cv", "cv2", "lv"]].to_numpy())


def elephant_shared_quantities(i, t, n_neurons, duration, neurons):
    """The same through Elephant for ``neurons``; returns times and results."""
    import neo
    import quantities as pq
    from elephant import statistics

    started = time.perf_counter()
    order = np.lexsort((t, i))
    bounds = np.searchsorted(i[order], np.arange(n_neurons + 1))
    sorted_t = t[order]
    trains = [neo.SpikeTrain(sorted_t[bounds[k]:bounds[k + 1]], units=pq.s, t_start=0 * pq.s,
                             t_stop=duration * pq.s) for k in neurons]
    t_prepare = time.perf_counter() - started

    started = time.perf_counter()
    rates = np.array([float(statistics.mean_firing_rate(train).rescale(pq.Hz)) for train in trains])
    histogram = statistics.time_histogram(trains, bin_size=BIN_WIDTH * pq.s, output="rate")
    pop_rate = np.asarray(histogram.rescale(pq.Hz)).ravel()
    t_rates = time.perf_counter() - started

    started = time.perf_counter()
    irregular = np.full((len(trains), 3), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for row, train in enumerate(trains):
            intervals = statistics.isi(train).magnitude
            if len(intervals) >= 2:
                irregular[row] = statistics.cv(intervals), statistics.cv2(intervals), statistics.lv(intervals)
    t_irregularity = time.perf_counter() - started
    return {"prepare": t_prepare, "rates": t_rates, "irregularity": t_irregularity}, (rates, pop_rate, irregular)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10^6 spikes instead of 10^7")
    parser.add_argument("--neurons", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3, help="neurodyn runs; the best is reported")
    parser.add_argument("--elephant-neurons", type=int, default=None,
                        help="run Elephant on this many neurons only and extrapolate (default: all)")
    args = parser.parse_args()
    n_spikes = 10**6 if args.quick else 10**7
    n = args.neurons

    i, t, duration = synthetic_population(n, n_spikes)
    print(f"{len(t):,} spikes of {n:,} neurons over {duration:g} s (time-ordered, as from Brian2)\n")

    summarize_runs, shared_runs = [], []
    for _ in range(args.repeats):
        row, seconds = timed(summarize, i, t, n_neurons=n, t_stop=duration)
        summarize_runs.append(seconds)
        times, ours_values = neurodyn_shared_quantities(i, t, n, duration)
        shared_runs.append(times)
    ours = {name: min(run[name] for run in shared_runs) for name in shared_runs[0]}
    tracemalloc.start()
    summarize(i, t, n_neurons=n, t_stop=duration)
    summarize_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    process_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024   # Linux: KiB

    k = n if args.elephant_neurons is None else min(args.elephant_neurons, n)
    subset = np.arange(n) if k == n else np.sort(np.random.default_rng(1).choice(n, k, replace=False))
    theirs, theirs_values = elephant_shared_quantities(i, t, n, duration, subset)
    scale = n / k
    theirs = {name: seconds * scale for name, seconds in theirs.items()}

    if k == n:
        rates, pop_rate, irregular = ours_values
        e_rates, e_pop_rate, e_irregular = theirs_values
        agreement = max(np.max(np.abs(rates - e_rates)), np.max(np.abs(pop_rate - e_pop_rate[:len(pop_rate)])),
                        np.nanmax(np.abs(irregular - e_irregular)))
        same_nan = np.array_equal(np.isnan(irregular), np.isnan(e_irregular))
        print(f"results agree with Elephant: max |difference| = {agreement:.1e}, NaN pattern equal: {same_nan}")
    else:
        print(f"Elephant ran on {k:,} of {n:,} neurons; its times are extrapolated x{scale:g}")

    print(f"\nneurodyn: best of {args.repeats} runs; Elephant: one run")
    print(f"{'quantity':<42}{'neurodyn s':>12}{'Elephant s':>12}{'speed-up':>10}")
    labels = {"prepare": "sort / build one SpikeTrain per neuron", "rates": "rates (per neuron + population)",
              "irregularity": "CV, CV2, LV per neuron"}
    for name, label in labels.items():
        print(f"{label:<42}{ours[name]:>12.3f}{theirs[name]:>12.3f}{theirs[name] / ours[name]:>9.0f}x")
    total_ours, total_theirs = sum(ours.values()), sum(theirs.values())
    print(f"{'total, shared quantities':<42}{total_ours:>12.3f}{total_theirs:>12.3f}{total_theirs / total_ours:>9.0f}x")
    print(f"{'summarize (all observables, one row)':<42}{min(summarize_runs):>12.3f}{'-':>12}{'-':>10}")
    print(f"median of the runs: shared quantities {np.median([sum(run.values()) for run in shared_runs]):.3f} s, "
          f"summarize {np.median(summarize_runs):.3f} s")
    print(f"\npeak memory: summarize allocates {summarize_peak / 2**30:.2f} GiB (tracemalloc); "
          f"process peak RSS {process_peak / 2**30:.2f} GiB before Elephant")
    print("\nsummary row:")
    print(row.T.to_string(header=False))


if __name__ == "__main__":
    main()

"""neurodyn's overhead over the same network written directly in plain Brian2 (C++ standalone).

Both versions get identical excitabilities, initial potentials and connectivity, run for
1 s of biology, and alternate ``--repeats`` times in one process; the best time of each
is compared. Case ``brunel_hakim`` is a user model: Brian2's Brunel & Hakim (1999) example
(N = 5000, noise and random connectivity, same seed) as a plain script and as the neurodyn
model :mod:`neurodyn.models.examples.brunel_hakim`. Printed: the C++ simulation-loop time (Brian2's ``device._last_run_time``)
and the whole call (code generation + compilation + run), and their ratios. The target is a run-time overhead of at
most 5 %. The suite (bench_network.py) compares the two on its own workloads as well.

    python benchmarks/bench_overhead.py [--quick] [--repeats 5] [--cases global sparse brunel_hakim]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from brian2 import defaultclock, device, second, set_device

from neurodyn import InhibitoryNetwork, simulate
from neurodyn.models.examples.brunel_hakim import brunel_hakim

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plain_brian2 import plain_brunel_hakim, plain_network  # noqa: E402

CASES = {
    # the pairwise N^2 form: the construction the plain script builds (the default shared field is
    # another algorithm, compared with it in bench_scaling.py)
    "global": ("global N=1000 (pairwise)", InhibitoryNetwork, dict(N=1000, coupling="pairwise")),
    "sparse": ("sparse N=10000 K=1000", InhibitoryNetwork, dict(N=10000, K=1000)),
    "brunel_hakim": ("Brunel-Hakim N=5000 (user model)", brunel_hakim, dict(N=5000, seed=1)),
}


def plain_brian2(model, duration, build_dir: Path) -> tuple[float, float, int]:
    """The network as a user would write it in a Brian2 script; returns (run_s, call_s, spikes)."""
    p = model.values
    set_device("cpp_standalone", directory=str(build_dir), build_on_run=True)
    defaultclock.dt = model.dt
    started = time.perf_counter()
    if isinstance(model, InhibitoryNetwork):
        network, spikes = plain_network(model.excitabilities(), model.initial_potentials(), model.connectivity(),
                                        g=p["g"], alpha=p["alpha"], tau_m=p["tau_m"], tau_d=p["tau_d"],
                                        in_degree=model.in_degree)
    else:
        network, spikes = plain_brunel_hakim(p["N"], p["seed"])
    network.run(duration)
    call_s = time.perf_counter() - started
    result = (device._last_run_time, call_s, int(spikes.num_spikes))
    device.reinit()
    set_device("runtime")
    return result


def with_neurodyn(model, duration, build_dir: Path) -> tuple[float, float, int]:
    started = time.perf_counter()
    result = simulate(model, duration, target="cpp_standalone", build_dir=build_dir, progress=False)
    return result.timings["run_s"], time.perf_counter() - started, len(result.spike_t)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the chosen cases' first, 0.5 s (default: global)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    args = parser.parse_args()
    duration = 0.5 * second if args.quick else 1 * second
    cases = args.cases[:1] if args.quick else args.cases
    rows = []
    for case in cases:
        label, model_class, params = CASES[case]
        model = model_class(**params)
        best = {"plain": (np.inf, np.inf, 0), "neurodyn": (np.inf, np.inf, 0)}
        for _ in range(args.repeats):
            for name, runner in (("plain", plain_brian2), ("neurodyn", with_neurodyn)):
                with tempfile.TemporaryDirectory(prefix=f"overhead_{name}_") as build_dir:
                    measured = runner(model, duration, Path(build_dir))
                    best[name] = (min(best[name][0], measured[0]), min(best[name][1], measured[1]), measured[2])
        (plain_run, plain_call, plain_spikes), (nd_run, nd_call, nd_spikes) = best["plain"], best["neurodyn"]
        rows.append({"case": label, "spikes_plain": plain_spikes, "spikes_neurodyn": nd_spikes,
                     "run_s_plain": plain_run, "run_s_neurodyn": nd_run,
                     "run_overhead_pct": 100 * (nd_run / plain_run - 1),
                     "call_s_plain": plain_call, "call_s_neurodyn": nd_call,
                     "call_overhead_pct": 100 * (nd_call / plain_call - 1)})
        print(f"{label}: run overhead {rows[-1]['run_overhead_pct']:+.1f} %, "
              f"whole call {rows[-1]['call_overhead_pct']:+.1f} %", flush=True)
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.round(3).to_string(index=False))
    worst = table["run_overhead_pct"].max()
    print(f"worst run-time overhead: {worst:+.1f} % (target <= 5 %): {'OK' if worst <= 5 else 'MISSED'}")


if __name__ == "__main__":
    main()

"""Throughput and per-point overhead of the study engine.

1. Throughput: the same 16-point study (global inhibitory network, N = 400, 10 s per point,
   about 2 s of computing each; Cython, compiled code already cached for every worker slot)
   run with 1 and with 2 local worker processes; printed: wall times and their ratio (target
   >= 1.8 on 2 free cores). Each run also starts its worker processes (a few seconds: Python
   and Brian2 imports), a fixed cost that shorter points would not amortise.
2. Overhead: studies of n and 3n points (``--points n``) of 10 s each, 1 worker. Simulation
   time is the time spent inside :func:`neurodyn.simulate` (``simulate_s``); the engine's
   overhead is everything else the driver waited for: sending the point, analysis
   (``summarize``), building and storing the row, reading the dataset back. The difference
   between the two studies gives the per-point overhead without the one-off start of the
   worker process, which is printed apart. Printed: overhead per point and as % of the
   simulation time of a point (target < 5 %).

    python benchmarks/bench_study.py [--quick]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from brian2 import ms, second

from neurodyn import InhibitoryNetwork
from neurodyn.studies import Study, product

FIXED = dict(N=400, alpha=2, tau_d=0.1 * ms, I_sampling="even")


def timed_run(study: Study, out: Path, workers: int):
    started = time.perf_counter()
    frame = study.run(out, workers=workers, progress=False, print_table=False)
    return time.perf_counter() - started, frame


def throughput(root: Path, quick: bool) -> None:
    g_values = np.geomspace(0.5, 30, 8 if quick else 16).round(3)
    study = Study("throughput", InhibitoryNetwork, product(g=g_values), duration=(2 if quick else 10) * second,
                  fixed=FIXED)
    timed_run(study.replace(seed=99), root / "warm", workers=2)  # compile once into both worker slots
    one, _ = timed_run(study, root / "one", workers=1)
    two, _ = timed_run(study, root / "two", workers=2)
    print(f"throughput, {len(g_values)} points x {float(study.duration):g} s: 1 worker {one:.1f} s, "
          f"2 workers {two:.1f} s, speed-up {one / two:.2f}x (target >= 1.8x)")


def overhead(root: Path, quick: bool, n_points: int) -> None:
    """Per-point overhead from two studies of n and 3n points (the one-off worker start cancels)."""
    duration = (2 if quick else 10) * second
    measured = []
    for n in (n_points, 3 * n_points):
        study = Study("overhead", InhibitoryNetwork, product(g=np.linspace(1, 5, n).round(3)), duration=duration,
                      fixed=FIXED)
        total, frame = timed_run(study, root / f"overhead{n}", workers=1)
        measured.append((n, total, frame["simulate_s"].sum(), (frame["wall_s"] - frame["simulate_s"]).sum()))
    (n1, total1, sim1, _), (n2, total2, sim2, in_worker2) = measured
    per_point = ((total2 - sim2) - (total1 - sim1)) / (n2 - n1)
    sim_per_point = sim2 / n2
    print(f"overhead, {float(duration):g}-s runs, 1 worker: {n1} points {total1:.1f} s wall ({sim1:.1f} s simulating), "
          f"{n2} points {total2:.1f} s wall ({sim2:.1f} s simulating)")
    print(f"  engine overhead per point {per_point:.3f} s = {100 * per_point / sim_per_point:.1f} % of the "
          f"{sim_per_point:.2f} s simulation (target < 5 %); analysis and row in the worker alone: "
          f"{100 * in_worker2 / sim2:.1f} %; one-off start of the worker and study: "
          f"{(total1 - sim1) - n1 * per_point:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 points of 2 s, and 2-s overhead runs")
    parser.add_argument("--points", type=int, default=4, help="points of the overhead study (default 4)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        throughput(Path(root), args.quick)
        overhead(Path(root), args.quick, args.points)


if __name__ == "__main__":
    main()

"""A C++ standalone study compiled once per network structure, against a fresh build per point.

One run, side by side (1 worker each, in an empty build directory):

1. compile once: a 16-point study of the global inhibitory network (``g`` varies, every point
   its own seed; N = 50000 with the shared field, excitabilities in [0.8, 1.05] so that a fifth
   of the neurons fire, 10 s per point: a point's loop, about 10 s, is long against its fixed
   costs) on ``cpp_standalone`` with ``compile_once=True`` (the default).
2. fresh builds: the first ``--fresh-points`` points with ``compile_once=False`` (Brian2's own
   device, one compilation per point); their rows are compared with the compile-once rows.

Printed per study: builds, total wall time, the sum of its points' run times (``run_s``: Brian2's
``std::clock()`` of the simulation loop, i.e. CPU seconds) and the ratio (target <= 1.3x); and
the same ratio in CPU time (driver, workers, compilers and programs: ``getrusage``), which is what
the wall ratio is on a free core, apart from machine load (the load average is printed).

    nice -n 10 python benchmarks/bench_compile_once.py [--points 16] [--duration 10] [--neurons 50000] [--fresh-points 1]
"""
from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
from brian2 import ms, second

from neurodyn import InhibitoryNetwork
from neurodyn.studies import Study, product

COMPARED = ["seed", "n_spikes", "mean_rate_hz", "n_active_frac", "chi_spikes"]


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (workers, make, compilers, programs)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measured_run(study: Study, out: Path):
    """Wall seconds, CPU seconds and the rows of ``study`` run with one worker."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    frame = study.run(out, workers=1, progress=False, print_table=False)
    if not (frame["status"] == "ok").all():
        raise SystemExit(f"failed points:\n{frame['error'].dropna().to_string()}")
    return time.perf_counter() - wall, cpu_seconds() - cpu, frame


def report(name: str, wall: float, cpu: float, frame) -> None:
    run_sum = frame["run_s"].sum()
    builds = int(frame["program_built"].sum()) if "program_built" in frame else len(frame)
    print(f"{name}: {len(frame)} points, {builds} build(s); wall {wall:.1f} s, sum of run times {run_sum:.1f} s: "
          f"{wall / run_sum:.2f}x (target <= 1.3x); CPU {cpu:.1f} s: {cpu / run_sum:.2f}x; "
          f"{wall / len(frame):.1f} s wall per point")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=16, help="points of the study (default 16)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of biology per point (default 10)")
    parser.add_argument("--neurons", type=int, default=50000, help="network size N (default 50000)")
    parser.add_argument("--fresh-points", type=int, default=1, help="points run with fresh builds (default 1)")
    args = parser.parse_args()
    g_values = np.linspace(0.5, 8, args.points).round(4)
    study = Study("compile_once", InhibitoryNetwork, product(g=g_values), duration=args.duration * second,
                  target="cpp_standalone", seed=5, fixed=dict(N=args.neurons, alpha=2, tau_d=0.5 * ms, I_l=0.8, I_u=1.05))
    fresh_study = study.replace(grid=product(g=g_values[:args.fresh_points]), compile_once=False)
    print(f"{args.points} points x {args.duration:g} s, N = {args.neurons}, 1 worker; load average at start "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as root:
        os.environ["NEURODYN_BUILD_DIR"] = str(Path(root) / "builds")  # no program compiled before (workers inherit it)
        once = measured_run(study, Path(root) / "once")
        fresh = measured_run(fresh_study, Path(root) / "fresh")
    report("compile once", *once)
    report("fresh builds", *fresh)
    rows_once = once[2].set_index("point_key").loc[fresh[2]["point_key"], COMPARED]
    same = rows_once.reset_index(drop=True).equals(fresh[2][COMPARED].reset_index(drop=True))
    print(f"per point: fresh {fresh[0] / len(fresh[2]):.1f} s vs compile once {once[0] / len(once[2]):.1f} s wall; "
          f"rows of the fresh points equal to the compile-once rows: {same}; load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

"""A C++ standalone study compiled once per network structure, against a fresh build per point.

One run, side by side (1 worker each, in an empty build directory):

1. compile once: a 16-point study of the global inhibitory network (``g`` varies, every
   point its own seed; N = 4000 with the N^2 pairwise synapses, 20 s per point, so that a
   point's run, about 10 s, is long against the fixed costs) on ``cpp_standalone`` with
   ``compile_once=True`` (the default).
   Printed: its total wall time (worker start, one compilation, every point's code generation,
   run and analysis, storage), the sum of its points' run times (``run_s``: the compiled
   simulation loop) and their ratio (target <= 1.3x), and the number of builds.
2. fresh builds: the first ``--fresh-points`` points of the same study with ``compile_once=False``
   (Brian2's own device, one compilation per point). Printed: wall time per point against the
   compile-once study's, and the rows of those points compared with the compile-once rows.

    nice -n 10 python benchmarks/bench_compile_once.py [--points 16] [--duration 20] [--neurons 4000] [--fresh-points 2]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from brian2 import ms, second

from neurodyn import InhibitoryNetwork
from neurodyn.studies import Study, product

COMPARED = ["point_key", "seed", "n_spikes", "mean_rate_hz", "n_active_frac", "chi_spikes"]


def timed_run(study: Study, out: Path):
    started = time.perf_counter()
    frame = study.run(out, workers=1, progress=False, print_table=False)
    return time.perf_counter() - started, frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=16, help="points of the study (default 16)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of biology per point (default 20)")
    parser.add_argument("--neurons", type=int, default=4000, help="network size N (default 4000)")
    parser.add_argument("--fresh-points", type=int, default=2, help="points run with fresh builds (default 2)")
    args = parser.parse_args()
    study = Study("compile_once", InhibitoryNetwork, product(g=np.linspace(0.5, 8, args.points).round(4)),
                  duration=args.duration * second, target="cpp_standalone", seed=5,
                  fixed=dict(N=args.neurons, alpha=2, tau_d=0.5 * ms, coupling="pairwise"))
    with tempfile.TemporaryDirectory() as root:
        os.environ["NEURODYN_BUILD_DIR"] = str(Path(root) / "builds")  # no program compiled before (workers inherit it)
        once_s, once = timed_run(study, Path(root) / "once")
        first = study.replace(grid=product(g=np.linspace(0.5, 8, args.points).round(4)[:args.fresh_points]),
                              compile_once=False)
        fresh_s, fresh = timed_run(first, Path(root) / "fresh")
    if not (once["status"] == "ok").all() or not (fresh["status"] == "ok").all():
        raise SystemExit(f"failed points:\n{once['error'].dropna().to_string()}\n{fresh['error'].dropna().to_string()}")
    run_sum = once["run_s"].sum()
    print(f"compile once, {len(once)} points x {args.duration:g} s, N = {args.neurons}, 1 worker: "
          f"{int(once['program_built'].sum())} build(s) for {once['program_key'].nunique()} structure(s), total wall {once_s:.1f} s, sum of run times {run_sum:.1f} s, "
          f"ratio {once_s / run_sum:.2f}x (target <= 1.3x)")
    same = (once.set_index("point_key").loc[fresh["point_key"], COMPARED[1:]].reset_index()
            .equals(fresh[COMPARED].reset_index(drop=True)))
    per_fresh, per_once = fresh_s / len(fresh), once_s / len(once)
    print(f"fresh builds, first {len(fresh)} points: {per_fresh:.1f} s per point (sum of their run times "
          f"{fresh['run_s'].sum():.1f} s) vs {per_once:.1f} s per point compiled once: {per_fresh / per_once:.2f}x; "
          f"all {len(once)} at that rate {per_fresh * len(once):.0f} s vs {once_s:.0f} s; rows equal to the compile-once rows: {same}")


if __name__ == "__main__":
    main()

"""Scaling of the delayed inhibitory network with N: cost per simulated second, peak memory and
build time, C++ standalone, one process per point.

Workload: workload.py's network (LIF, I uniform in [1.2, 1.6], g = 1, alpha pulses with
alpha = 20, tau_d = 1.5 ms, dt = 0.1 ms, every spike recorded), with

* global coupling through neurodyn's shared field (``coupling="field"``): N = 10^3 ... 10^6;
* neurodyn's pairwise N^2 network (``coupling="pairwise"``) and the same network in plain
  Brian2 (plain_brian2.py, all-to-all ``Synapses``), where memory allows (N <= 10^4);
* sparse coupling K = 1,000, neurodyn and plain Brian2 (plain_brian2.py, the same connectivity
  arrays): N = 10^4, 10^5;
* NEST 3.10, 1 thread (nest_contender.py in NEST's own environment, nest_env.py; skipped with
  the reason where it cannot be installed): all-to-all (``all_to_all`` with autapses) N = 10^3,
  10^4 and sparse K = 1,000 on neurodyn's connectivity, N = 10^4, 10^5. NEST's ``run_s`` is
  ``nest.Run``, its ``build_s`` node creation, connection and ``Prepare``.

neurodyn's points run on its C++ standalone device (Brian2's, with neurodyn's thresholder, network
loop, array allocation and spike queue: ``neurodyn.fast_standalone``), plain Brian2's on Brian2's
``cpp_standalone``.
Per point: ``run_s`` (the compiled loop, best of ``--repeats`` runs of the standalone binary,
default 3; NEST once; cost per simulated second = run_s / duration),
``build_s`` (code generation, compilation, synapse creation: wall time minus run_s) and peak
RSS in MB (the largest of the point's process, its compiler and its simulation binary:
``resource.getrusage``). Points whose estimated memory (24 bytes per synapse) exceeds what
``/proc/meminfo`` reports available are skipped with a printed reason. Global networks run at
the same N as the shared field, and plain Brian2 sparse against neurodyn sparse, are checked
for identical spikes; NEST's spike counts are printed beside (same network, its own
arithmetic). The ratios of the issue are printed side by side from the one run. Writes ``OUT/scaling.csv``
and a log-log figure ``OUT/scaling.png`` with the fitted exponents of run_s against N (least
squares in log-log over the points with N >= 10^4, or over all where fewer than two are).

    python benchmarks/bench_scaling.py [--quick] [--out results/scaling]

``--quick``: field N = 10^3, 10^4, 10^5; plain Brian2 N = 10^3, 10^4; sparse (neurodyn,
Brian2, NEST) N = 10^4; NEST all-to-all N = 10^3; 0.5 s of biology (full: 1 s and the sizes of ``FULL``).
``--no-nest`` leaves NEST out; ``--only sparse`` (comma-separated words) runs only the
contenders whose names contain one of them.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from contenders import rerun_standalone  # noqa: E402
from nest_env import nest_python  # noqa: E402
from workload import Workload  # noqa: E402

BYTES_PER_SYNAPSE = 24
FIELD, PAIRWISE, PLAIN, SPARSE = "neurodyn field", "neurodyn pairwise", "Brian2 all-to-all", "neurodyn sparse K=1000"
PLAIN_SPARSE, NEST_GLOBAL, NEST_SPARSE = "Brian2 sparse K=1000", "NEST all-to-all", "NEST sparse K=1000"
NEST_CONTENDERS = (NEST_GLOBAL, NEST_SPARSE)
SPARSE_CONTENDERS = (SPARSE, PLAIN_SPARSE, NEST_SPARSE)
FULL = {FIELD: [10**3, 10**4, 10**5, 10**6], PAIRWISE: [10**3, 10**4], PLAIN: [10**3, 10**4], SPARSE: [10**4, 10**5],
        PLAIN_SPARSE: [10**4, 10**5], NEST_GLOBAL: [10**3, 10**4], NEST_SPARSE: [10**4, 10**5]}
QUICK = {FIELD: [10**3, 10**4, 10**5], PLAIN: [10**3, 10**4], SPARSE: [10**4], PLAIN_SPARSE: [10**4],
         NEST_GLOBAL: [10**3], NEST_SPARSE: [10**4]}


def synapse_count(contender: str, n: int) -> int:
    return n if contender == FIELD else n * 1000 if contender in SPARSE_CONTENDERS else n * n


def workload_of(contender: str, n: int, duration_ms: float) -> Workload:
    return Workload(f"N={n}", N=n, K=1000 if contender in SPARSE_CONTENDERS else n, duration_ms=duration_ms)


def available_bytes() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


def point(contender: str, n: int, duration_ms: float, spikes_path: str, repeats: int) -> dict:
    """Build and run one point in this process (called through ``--point``); a standalone binary
    then runs ``repeats - 1`` more times and the best loop time is kept."""
    import shutil
    import tempfile

    from brian2 import ms

    from neurodyn import InhibitoryNetwork, simulate
    from neurodyn.targets import build_root

    work = workload_of(contender, n, duration_ms)
    parameters = work.neurodyn_parameters()
    if contender not in SPARSE_CONTENDERS:
        parameters.update(K=None, coupling="field" if contender == FIELD else "pairwise")
    model = InhibitoryNetwork(**parameters)
    build_dir = Path(tempfile.mkdtemp(prefix="scaling_", dir=build_root()))
    started = time.perf_counter()
    if contender in (PLAIN, PLAIN_SPARSE):
        spike_i, spike_t, run_s = plain_standalone(model, work, build_dir)
    else:
        result = simulate(model, duration_ms * ms, target="cpp_standalone", build_dir=build_dir, keep_build=True,
                          progress=False)
        spike_i, spike_t, run_s = result.spike_i, result.spike_t, result.timings["run_s"]
    total = time.perf_counter() - started
    np.savez(spikes_path, i=np.asarray(spike_i), t=np.asarray(spike_t))
    best, binary_peak_mb = rerun_standalone(build_dir, repeats - 1)
    shutil.rmtree(build_dir, ignore_errors=True)
    peak_kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return {"run_s": min(run_s, best), "build_s": total - run_s, "peak_mb": max(peak_kb / 1024, binary_peak_mb),
            "spikes": int(len(spike_i))}


def plain_standalone(model, work: Workload, build_dir: Path):
    """The same network in plain Brian2 standalone (plain_brian2.plain_network: ``connect()`` for
    global coupling, else the model's connectivity arrays), built in ``build_dir``."""
    from brian2 import defaultclock, device, ms, set_device
    from plain_brian2 import plain_network

    set_device("cpp_standalone", directory=str(build_dir), build_on_run=True)
    defaultclock.dt = work.dt_ms * ms
    network, spikes = plain_network(model.excitabilities(), model.initial_potentials(), model.connectivity(),
                                    g=work.g, alpha=work.alpha, tau_m=work.tau_m_ms * ms, tau_d=work.tau_d_ms * ms,
                                    in_degree=work.K)
    network.run(work.duration_ms * ms)
    return spikes.i[:], np.asarray(spikes.t[:] / ms) / 1e3, device._last_run_time


def nest_command(nest: Path, contender: str, n: int, duration_ms: float, out: Path) -> list[str]:
    """The NEST process of one point: the network's excitabilities, initial potentials and (sparse)
    connectivity drawn by neurodyn into an ``.npz``, run by nest_contender.py with 1 thread."""
    from neurodyn import InhibitoryNetwork

    work = workload_of(contender, n, duration_ms)
    parameters = work.neurodyn_parameters()
    if contender == NEST_GLOBAL:
        parameters.update(K=None)
    model = InhibitoryNetwork(**parameters)
    arrays = {"I": model.excitabilities(), "v0": model.initial_potentials()}
    if contender == NEST_SPARSE:
        arrays["pre"], arrays["post"] = (a.astype(np.int32) for a in model.connectivity())
    path = out / f"arrays-{contender.replace(' ', '_')}-{n}.npz"
    np.savez(path, **arrays)
    return [str(nest), str(HERE / "nest_contender.py"), "--threads", "1", "--workload", work.to_json(),
            "--arrays", str(path)]


def run_point(contender: str, n: int, duration_ms: float, out: Path, timeout_s: float, repeats: int,
              nest: Path | None = None) -> dict | None:
    need = synapse_count(contender, n) * BYTES_PER_SYNAPSE
    if need > available_bytes():
        print(f"{contender} N={n}: skipped (needs ~{need / 2**30:.1f} GiB, "
              f"{available_bytes() / 2**30:.1f} GiB available)")
        return None
    spikes_path = out / f"spikes-{contender.replace(' ', '_')}-{n}.npz"
    if contender in NEST_CONTENDERS:
        command = nest_command(nest, contender, n, duration_ms, out)
        spikes_path = None
    else:
        command = [sys.executable, __file__, "--point", json.dumps([contender, n, duration_ms, str(spikes_path), repeats])]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        print(f"{contender} N={n}: timed out after {timeout_s:.0f} s")
        return None
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        print(f"{contender} N={n}: failed\n{done.stderr[-2000:]}")
        return None
    measured = json.loads(lines[-1][len("RESULT "):])
    measured.setdefault("spikes", measured.pop("n_spikes", None))
    row = {"contender": contender, "N": n, "synapses": synapse_count(contender, n), "duration_s": duration_ms / 1e3,
           **measured, "spikes_file": spikes_path and str(spikes_path)}
    row["cost_per_bio_s"] = row["run_s"] / row["duration_s"]
    print(f"{contender:24s} N={n:>8d}  run {row['run_s']:8.3f} s  build {row['build_s']:6.1f} s  "
          f"peak {row['peak_mb']:7.0f} MB  spikes {row['spikes']}", flush=True)
    return row


def same_spikes(a: str, b: str) -> bool:
    with np.load(a) as x, np.load(b) as y:
        ox, oy = np.lexsort((x["t"], x["i"])), np.lexsort((y["t"], y["i"]))
        return (len(ox) == len(oy) and np.array_equal(x["i"][ox], y["i"][oy])
                and np.allclose(x["t"][ox], y["t"][oy], rtol=0, atol=1e-9))


def exponent(rows, contender: str) -> tuple[float, int] | None:
    """Least-squares slope of log run_s against log N over the points with N >= 10^4 (over all
    points where fewer than two are that large), and the smallest N it used."""
    points = sorted((r["N"], r["run_s"]) for r in rows if r["contender"] == contender)
    large = [p for p in points if p[0] >= 10**4]
    points = large if len(large) >= 2 else points
    if len(points) < 2:
        return None
    n, run_s = np.array(points, dtype=float).T
    return float(np.polyfit(np.log10(n), np.log10(run_s), 1)[0]), int(n[0])


def print_ratios(rows) -> None:
    """neurodyn's speed against NEST (global: the shared field; sparse) and against plain Brian2
    sparse, run s over run s, each pair from this one run (issue 14's targets: sparse N = 10^4,
    >= 0.95x Brian2 standalone, >= 8x NEST)."""
    by = {(r["contender"], r["N"]): r for r in rows}
    for mine, other, target in ((SPARSE, PLAIN_SPARSE, 0.95), (SPARSE, NEST_SPARSE, 8.0), (FIELD, NEST_GLOBAL, None)):
        for (contender, n), r in sorted(by.items(), key=lambda item: item[0][1]):
            if contender != other or (mine, n) not in by:
                continue
            ref = by[mine, n]
            ratio = r["run_s"] / ref["run_s"]
            verdict = "met" if target is not None and ratio >= target else "MISSED"
            goal = "" if target is None or n != 10**4 else f" (target >= {target:g}x: {verdict})"
            same = (f"identical spikes: {same_spikes(r['spikes_file'], ref['spikes_file'])}" if r["spikes_file"]
                    else f"spikes {r['spikes']} vs {ref['spikes']}")
            print(f"N={n}: {mine} is {ratio:.2f}x {other} (run s {ref['run_s']:.3f} vs {r['run_s']:.3f}; "
                  f"build s {ref['build_s']:.1f} vs {r['build_s']:.1f}); {same}{goal}")


def print_field_ratios(rows) -> None:
    """The shared field against the pairwise and plain Brian2 all-to-all networks of the same N,
    and its cost per simulated second at N = 10^5 (issue 14's targets: >= 100x plain Brian2 at
    N = 10^4; 1 s of biology at N = 10^5 in under 60 s)."""
    field = {r["N"]: r for r in rows if r["contender"] == FIELD}
    for r in rows:
        if r["contender"] in (PAIRWISE, PLAIN) and r["N"] in field:
            ref = field[r["N"]]
            ratio = r["run_s"] / ref["run_s"]
            goal = (f" (target >= 100x: {'met' if ratio >= 100 else 'MISSED'})"
                    if r["contender"] == PLAIN and r["N"] == 10**4 else "")
            print(f"N={r['N']}: neurodyn field is {ratio:.0f}x faster than {r['contender']} "
                  f"(run s), {(r['run_s'] + r['build_s']) / (ref['run_s'] + ref['build_s']):.1f}x in total; "
                  f"identical spikes: {same_spikes(r['spikes_file'], ref['spikes_file'])}{goal}")
    if 10**5 in field:
        cost = field[10**5]["cost_per_bio_s"]
        print(f"N=100000: neurodyn field {cost:.2f} s per simulated s "
              f"(target < 60 s: {'met' if cost < 60 else 'MISSED'})")


def figure(rows, exponents: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.5))
    for contender in dict.fromkeys(r["contender"] for r in rows):
        mine = sorted((r["N"], r["cost_per_bio_s"]) for r in rows if r["contender"] == contender)
        fit = exponents.get(contender)
        label = contender + ("" if fit is None else f" (exponent {fit[0]:.2f} from N={fit[1]})")
        ax.loglog(*zip(*mine), "o-", label=label)
    ax.set_xlabel("N (neurons)")
    ax.set_ylabel("run s per simulated s (1 thread; C++ standalone or NEST)")
    ax.set_title("Delayed inhibitory network: cost against N")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("results/scaling"))
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per point")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each standalone binary (best loop time kept)")
    parser.add_argument("--no-nest", action="store_true", help="leave NEST out")
    parser.add_argument("--only", help="comma-separated words: run only the contenders whose names contain one")
    parser.add_argument("--point", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.point:
        print("RESULT " + json.dumps(point(*json.loads(args.point))))
        return
    import pandas as pd

    args.out.mkdir(parents=True, exist_ok=True)
    sizes, duration_ms = (QUICK, 500.0) if args.quick else (FULL, 1000.0)
    nest = None
    if not args.no_nest:
        nest, status = nest_python()
        print(status)
    if args.only:
        words = args.only.split(",")
        sizes = {contender: ns for contender, ns in sizes.items() if any(w in contender for w in words)}
    if nest is None:
        sizes = {contender: ns for contender, ns in sizes.items() if contender not in NEST_CONTENDERS}
    rows = [row for contender, ns in sizes.items() for n in ns
            if (row := run_point(contender, n, duration_ms, args.out, args.timeout, args.repeats, nest)) is not None]
    print_field_ratios(rows)
    print_ratios(rows)
    exponents = {c: exponent(rows, c) for c in dict.fromkeys(r["contender"] for r in rows)}
    for contender, fit in exponents.items():
        if fit is not None:
            largest = max(r["N"] for r in rows if r["contender"] == contender)
            goal = (f" (target <= 1.1 from 10^4 to 10^6: {'met' if fit[0] <= 1.1 else 'MISSED'})"
                    if contender == FIELD and fit[1] == 10**4 and largest >= 10**6 else "")
            print(f"exponent of run s against N (N >= {fit[1]}), {contender}: {fit[0]:.2f}{goal}")
    pd.DataFrame(rows).drop(columns="spikes_file").to_csv(args.out / "scaling.csv", index=False)
    figure(rows, exponents, args.out / "scaling.png")
    print(f"wrote {args.out / 'scaling.csv'} and {args.out / 'scaling.png'}")


if __name__ == "__main__":
    main()

"""One contender of the benchmark suite on one workload, in a process of its own.

    python benchmarks/contenders.py CONTENDER --workload JSON --arrays FILE.npz
                                    [--repeats R] [--build-dir DIR]

prints one line ``RESULT {json}`` with ``build_s``, ``run_s``, ``n_spikes`` and
``peak_mb``. ``run_s`` is the simulation loop alone; ``build_s`` is everything else of the
call (building objects, code generation, compilation, loading, reading results back).
Compiled loops that are cheap to repeat are repeated and the best loop time is kept:
a standalone binary runs ``R`` more times after the build's own run, the Numba kernel ``R``
times after its JIT compilation; Brian2 runtime runs once. ``peak_mb`` is the peak
resident memory of this process and, for standalone, of the simulation binary (the
compiler is not counted). The NEST contender is nest_contender.py (its own environment).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import Workload, load_arrays  # noqa: E402


def peak_self_mb() -> float:
    """Peak resident memory of this process image (MB): ``VmHWM`` of ``/proc/self/status``.

    Not ``ru_maxrss``, which Linux carries over from the parent across fork and exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status (peak memory is measured on Linux only)")


def rerun_standalone(directory: Path, times: int) -> tuple[float, float]:
    """Run a compiled Brian2 standalone project ``times`` more times; return its best loop
    time (s, from ``results/last_run_info.txt``) and the binary's peak memory (MB; its
    ``ru_maxrss``, which is at least this process's size at the fork, so use it in
    ``max(peak_self_mb(), ...)``)."""
    best, peak = np.inf, 0.0
    for _ in range(times):
        process = subprocess.Popen(["./main"], cwd=directory, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            raise RuntimeError(f"standalone binary in {directory} failed with exit code {process.returncode}")
        best = min(best, float((directory / "results" / "last_run_info.txt").read_text().split()[0]))
        peak = max(peak, usage.ru_maxrss / 1024)
    return best, peak


def neurodyn_run(workload: Workload, arrays: dict, target: str, threads: int, repeats: int, build_dir: Path):
    """neurodyn's ``simulate`` on the suite's arrays (its own generators drew them)."""
    from brian2 import BrianLogger, get_device, ms

    from neurodyn import InhibitoryNetwork, simulate

    class GivenNetwork(InhibitoryNetwork):
        """The workload network with initial state and connectivity handed over as arrays."""

        def initial_potentials(self):
            return arrays["v0"]

        def connectivity(self):
            return arrays["pre"], arrays["post"]

    BrianLogger.log_level_error()
    started = time.perf_counter()
    model = GivenNetwork(excitabilities=arrays["I"], **workload.neurodyn_parameters())
    standalone = target == "cpp_standalone"
    options = dict(build_dir=build_dir, threads=threads) if standalone else {}
    result = simulate(model, workload.duration_ms * ms, target=target, progress=False, **options)
    total = time.perf_counter() - started
    run_s = result.timings["run_s"] if standalone else get_device()._last_run_time
    build_s, peak = total - run_s, peak_self_mb()
    if standalone:
        best, binary_peak = rerun_standalone(build_dir, repeats)
        run_s, peak = min(run_s, best), max(peak, binary_peak)
    return dict(build_s=build_s, run_s=run_s, n_spikes=len(result.spike_t), peak_mb=peak)


def brian2_run(workload: Workload, arrays: dict, target: str, repeats: int, build_dir: Path):
    """The network hand-written in plain Brian2 (plain_brian2.py)."""
    from brian2 import BrianLogger, defaultclock, device, get_device, ms, prefs, set_device

    from plain_brian2 import plain_network

    BrianLogger.log_level_error()
    standalone = target == "cpp_standalone"
    if standalone:
        set_device("cpp_standalone", directory=str(build_dir), build_on_run=True)
    else:
        prefs.codegen.target = target
    defaultclock.dt = workload.dt_ms * ms
    started = time.perf_counter()
    network, spikes = plain_network(arrays["I"], arrays["v0"], (arrays["pre"], arrays["post"]), g=workload.g,
                                    alpha=workload.alpha, tau_m=workload.tau_m_ms * ms,
                                    tau_d=workload.tau_d_ms * ms, in_degree=workload.K)
    network.run(workload.duration_ms * ms)
    n_spikes = int(spikes.num_spikes)
    total = time.perf_counter() - started
    run_s = (device if standalone else get_device())._last_run_time
    build_s, peak = total - run_s, peak_self_mb()
    if standalone:
        best, binary_peak = rerun_standalone(build_dir, repeats)
        run_s, peak = min(run_s, best), max(peak, binary_peak)
    return dict(build_s=build_s, run_s=run_s, n_spikes=n_spikes, peak_mb=peak)


def numba_run(workload: Workload, arrays: dict, repeats: int):
    """The hand-written Numba kernel (numba_kernel.py); build = CSR + propagator + JIT."""
    import numba_kernel

    started = time.perf_counter()
    indptr, targets = numba_kernel.csr_by_source(arrays["pre"], arrays["post"], workload.N)
    P = numba_kernel.propagator(workload.g, workload.alpha, workload.tau_m_ms, workload.dt_ms)
    kick = workload.alpha / workload.K
    numba_kernel._simulate(P, arrays["I"], arrays["v0"].copy(), indptr, targets, kick, 0, workload.delay_steps)
    build_s = time.perf_counter() - started
    run_s = np.inf
    for _ in range(repeats):
        started = time.perf_counter()
        spike_i, _ = numba_kernel._simulate(P, arrays["I"], arrays["v0"].copy(), indptr, targets, kick,
                                            workload.steps, workload.delay_steps)
        run_s = min(run_s, time.perf_counter() - started)
    return dict(build_s=build_s, run_s=run_s, n_spikes=len(spike_i), peak_mb=peak_self_mb())


CONTENDERS = {
    "neurodyn cython": lambda w, a, r, d: neurodyn_run(w, a, "cython", 1, r, d),
    "neurodyn standalone 1 thread": lambda w, a, r, d: neurodyn_run(w, a, "cpp_standalone", 1, r, d),
    "neurodyn standalone 2 threads": lambda w, a, r, d: neurodyn_run(w, a, "cpp_standalone", 2, r, d),
    "Brian2 standalone": lambda w, a, r, d: brian2_run(w, a, "cpp_standalone", r, d),
    "Brian2 cython": lambda w, a, r, d: brian2_run(w, a, "cython", r, d),
    "Numba": lambda w, a, r, d: numba_run(w, a, r),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("contender", choices=list(CONTENDERS))
    parser.add_argument("--workload", required=True, help="Workload as JSON")
    parser.add_argument("--arrays", required=True, type=Path)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--build-dir", type=Path, default=None, help="standalone build directory")
    args = parser.parse_args()
    build_dir = args.build_dir or Path(tempfile.mkdtemp(prefix="bench_"))
    measured = CONTENDERS[args.contender](Workload.from_json(args.workload), load_arrays(args.arrays),
                                          max(args.repeats, 1), build_dir)
    print("RESULT " + json.dumps(measured), flush=True)


if __name__ == "__main__":
    main()

"""GeNN code generation time per model and, with GeNN, GeNN CPU-only vs C++ standalone.

1. Code generation (no GeNN needed): wall time of :func:`neurodyn.genn.generate` (compatibility
   check + Brian2GeNN project generation) for each model family.
2. Only when GeNN is found (``GENN_PATH``): the reference network (the README's main job: 1000
   globally coupled inhibitory neurons, g=5, alpha=2, tau_d=0.1 ms, even excitabilities) run
   with ``target="genn"`` in GeNN's single-threaded CPU-only mode and with ``cpp_standalone``
   (one thread); printed: simulation-loop time of each (from the programs' own timers; GeNN's
   runner uses ``std::clock``, i.e. CPU time, Brian2's standalone wall time), the whole call
   (generation + compilation + run), spike counts, and the ratios.

Published anchor, reported there and not measured here: Stimberg, Goodman & Nowotny,
"Brian2GeNN: accelerating spiking neural network simulations with graphics hardware",
Sci. Rep. 10, 410 (2020), doi:10.1038/s41598-019-54957-7: "two non-trivial models from the
literature can run tens to hundreds of times faster than on CPU" with Brian2GeNN on GPUs
(abstract). GeNN's CPU-only mode measured
here is the correctness path of this machine type (no GPU), not that GPU speed-up.

    python benchmarks/bench_genn.py [--quick] [--duration 3]
"""
from __future__ import annotations

import argparse
import tempfile
import time

import pandas as pd
from brian2 import BrianLogger, ms, second

from neurodyn import InhibitoryNetwork, simulate
from neurodyn.genn import generate
from neurodyn.models.eicil import EINetwork
from neurodyn.targets import genn_path

REFERENCE = dict(N=1000, g=5, alpha=2, tau_d=0.1 * ms, I_sampling="even")
GENERATION_CASES = {
    "inhibitory global alpha N=1000": lambda: InhibitoryNetwork(**REFERENCE),
    "inhibitory sparse delta N=10000 K=1000": lambda: InhibitoryNetwork(N=10000, K=1000, g=5, pulse="delta"),
    "eicil N=1000 K=100": lambda: EINetwork(N=1000, K=100, cycle_period=20 * ms, inh_duration=5 * ms),
}


def generation_times(duration, quick: bool) -> pd.DataFrame:
    rows = []
    cases = dict(list(GENERATION_CASES.items())[:1]) if quick else GENERATION_CASES
    for label, make in cases.items():
        model = make()
        with tempfile.TemporaryDirectory(prefix="genn_bench_") as directory:
            started = time.perf_counter()
            generate(model, duration, directory, use_gpu=True)
            rows.append({"model": label, "generation_s": time.perf_counter() - started})
        print(f"generated {label}: {rows[-1]['generation_s']:.2f} s", flush=True)
    return pd.DataFrame(rows)


def genn_vs_standalone(duration) -> pd.DataFrame:
    model = InhibitoryNetwork(**REFERENCE)
    rows = []
    for target, options in (("cpp_standalone", {}), ("genn", {"use_gpu": False})):
        started = time.perf_counter()
        result = simulate(model, duration, target=target, progress=False, **options)
        rows.append({"target": target + (" (CPU-only)" if target == "genn" else ""),
                     "run_s": result.timings["run_s"], "call_s": time.perf_counter() - started,
                     "spikes": len(result.spike_t)})
        print(f"{rows[-1]['target']}: loop {rows[-1]['run_s']:.2f} s, call {rows[-1]['call_s']:.1f} s", flush=True)
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the reference model's generation, 0.5 s")
    parser.add_argument("--duration", type=float, default=3.0, help="biological seconds (default 3, as make demo)")
    args = parser.parse_args()
    BrianLogger.log_level_error()
    duration = (0.5 if args.quick else args.duration) * second
    print(generation_times(duration, args.quick).to_string(index=False, float_format="%.2f"))
    if genn_path() is None:
        print("GeNN not found (GENN_PATH unset): GeNN CPU-only vs C++ standalone not measured")
        return
    table = genn_vs_standalone(duration)
    print(table.to_string(index=False, float_format="%.2f"))
    standalone, genn = table.iloc[0], table.iloc[1]
    print(f"GeNN CPU-only / C++ standalone: simulation loop {genn.run_s / standalone.run_s:.2f}x, "
          f"whole call {genn.call_s / standalone.call_s:.2f}x; same spike count: {genn.spikes == standalone.spikes}")
    print("Published, not measured here (Stimberg, Goodman & Nowotny, Sci. Rep. 10, 410, 2020): two models from "
          "the literature ran tens to hundreds of times faster with Brian2GeNN on GPUs than on CPU.")


if __name__ == "__main__":
    main()

"""Inference speed of the hybrid digits LMU (data/digits_lmu.npz): Brian2 beside PyTorch.

All held-out sequences (360 digits, 64 steps) run as parallel copies in one Brian2 run, on
cython and cpp_standalone: sequences per second of the whole call (build, code generation from
cache, run, read-back; best of ``--repeats`` after one warm-up that fills the compile cache)
and, for cpp_standalone, of the compiled loop alone. Beside it, measured in the same process,
the PyTorch forward pass of the same hybrid (float64, the reference; float32, as trained) on
one CPU thread, whole batch. The last lines print the ratios Brian2 / PyTorch. Both compute
identical spike counts (tests/test_lmu_network.py).

    python benchmarks/bench_lmu.py [--quick] [--repeats 3]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from neurodyn.lmu.datasets import sequential_digits
from neurodyn.lmu.network import run_lmu
from neurodyn.lmu.readers import read_lmu_npz
from neurodyn.lmu.torch_lmu import LMUModule, torch

TARGETS = ("cython", "cpp_standalone")


def best_of(repeats: int, call) -> tuple[float, object]:
    results = []
    for _ in range(repeats):
        started = time.perf_counter()
        value = call()
        results.append((time.perf_counter() - started, value))
    return min(results, key=lambda r: r[0])


def main(argv=None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 sequences, 1 repeat")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--weights", default="data/digits_lmu.npz")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    weights = read_lmu_npz(args.weights)
    _, x_test, _, y_test = sequential_digits()
    repeats = args.repeats
    if args.quick:
        x_test, y_test, repeats = x_test[:60], y_test[:60], 1
    n = len(x_test)
    rows = []
    for target in TARGETS:
        run_lmu(weights, x_test, "hybrid", target=target)  # warm-up: fills the compile cache
        seconds, run = best_of(repeats, lambda: run_lmu(weights, x_test, "hybrid", target=target))
        rows.append({"implementation": f"Brian2 {target}", "seconds": seconds, "sequences_per_s": n / seconds,
                     "loop_sequences_per_s": n / run.run_seconds if run.run_seconds > 0 else np.nan,
                     "accuracy": run.accuracy(y_test)})
    for dtype in (torch.float64, torch.float32):
        module = LMUModule.from_weights(weights, dtype)
        inputs = torch.as_tensor(x_test, dtype=dtype)
        with torch.no_grad():
            module(inputs, "hybrid", weights.dt, weights.amplitude)  # warm-up
            seconds, scores = best_of(repeats, lambda: module(inputs, "hybrid", weights.dt, weights.amplitude))
        rows.append({"implementation": f"PyTorch CPU 1 thread {str(dtype).split('.')[-1]}", "seconds": seconds,
                     "sequences_per_s": n / seconds, "loop_sequences_per_s": np.nan,
                     "accuracy": float(np.mean(scores.numpy().argmax(1) == y_test))})
    table = pd.DataFrame(rows)
    print(f"hybrid LMU, {n} sequences of {x_test.shape[1]} steps, d = {weights.order}, {weights.n_hidden} hidden units")
    print(table.to_string(index=False, float_format=lambda value: f"{value:.4g}"))
    reference = table.loc[table.implementation == "PyTorch CPU 1 thread float64", "sequences_per_s"].iloc[0]
    for row in table.itertuples():
        if row.implementation.startswith("Brian2"):
            print(f"ratio {row.implementation} / PyTorch float64: {row.sequences_per_s / reference:.3g} "
                  f"(whole call)" + (f", {row.loop_sequences_per_s / reference:.3g} (compiled loop alone)"
                                     if np.isfinite(row.loop_sequences_per_s) else ""))
    return table


if __name__ == "__main__":
    main()

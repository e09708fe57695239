"""Spiking inference speed of the digits MLP over the held-out split (360 images).

All images run as parallel copies of the network in one Brian2 run (block-diagonal
synapses). For each input encoding and target the script prints samples per second of the
whole call (build, code generation from cache, run, read-back; best of ``--repeats`` after
one warm-up that fills the compile cache) and, for cpp_standalone, of the compiled
simulation loop alone. The last line compares the batched run with one run per image
(cython, ``--single`` images), the ratio that batching buys.

    python benchmarks/bench_convert.py [--quick] [--repeats 3] [--steps 50]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from neurodyn.convert import convert, read_npz, run_converted
from neurodyn.convert.datasets import digits_split

ENCODINGS = {"constant current": "current", "Poisson": "poisson"}
TARGETS = ("cython", "cpp_standalone")


def timed(net, x, steps, target):
    started = time.perf_counter()
    run = run_converted(net, x, steps, target=target)
    return time.perf_counter() - started, run


def main(argv=None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 images, 1 repeat, 5 single runs")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--single", type=int, default=20, help="images run one per run for the batching ratio")
    args = parser.parse_args(argv)
    ann = read_npz("data/digits_mlp.npz")
    x_train, x_test, _, y_test = digits_split()
    repeats, single = args.repeats, args.single
    if args.quick:
        x_test, y_test, repeats, single = x_test[:60], y_test[:60], 1, 5
    rows = []
    for label, encoding in ENCODINGS.items():
        net = convert(ann, x_train, encoding=encoding)
        for target in TARGETS:
            timed(net, x_test, args.steps, target)  # warm-up: fills the compile cache
            best, run = min((timed(net, x_test, args.steps, target) for _ in range(repeats)), key=lambda r: r[0])
            rows.append({"encoding": label, "target": target, "samples": len(x_test), "T": args.steps,
                         "accuracy": run.accuracy(y_test, args.steps), "call_s": best,
                         "samples_per_s": len(x_test) / best,
                         "loop_samples_per_s": len(x_test) / run.run_seconds if run.run_seconds > 0 else np.nan})
            print(f"{label:16s} {target:15s} {rows[-1]['samples_per_s']:9.0f} samples/s (whole call {best:.2f} s, "
                  f"accuracy {rows[-1]['accuracy']:.4f})"
                  + (f", loop alone {rows[-1]['loop_samples_per_s']:.0f} samples/s" if target != "cython" else ""),
                  flush=True)
    net = convert(ann, x_train)
    started = time.perf_counter()
    for image in x_test[:single]:
        run_converted(net, image[None, :], args.steps, target="cython")
    per_image = single / (time.perf_counter() - started)
    batched = rows[0]["samples_per_s"]
    print(f"one run per image (cython, constant current): {per_image:.0f} samples/s; "
          f"batched is {batched / per_image:.0f}x faster")
    return pd.DataFrame(rows)


if __name__ == "__main__":
    main()

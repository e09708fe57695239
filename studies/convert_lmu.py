"""Import the trained digits LMUs (studies/train_lmu.py) into Brian2 and compare them as the paper does.

Voelker, Rasmussen & Eliasmith 2020 (hybrid LMU, arXiv:2002.03553): accuracy, bits per
activity, significant bits per weight multiplication and synaptic operations of the hybrid
(linear memory, quantized hidden units) beside the non-spiking LMU and a fully spiking version
(integrate-and-fire hidden units), each run in one batched Brian2 run over the 360 held-out
sequential digits (64 steps of one pixel) and in PyTorch (float64) on the same sequences.

Quantization levels: the hybrid's weights run at other ``dt`` (quanta per step
``dt * relu(z) / amplitude``), and, where ``studies/train_lmu.py --levels`` stored them,
hybrids trained at that ``dt``.

    python studies/train_lmu.py                    # writes data/digits_lmu*.npz (shipped: the hybrid)
    python studies/convert_lmu.py [--quick] [--target cython] [--out results/convert_lmu]

Writes convert_lmu.csv (one row per network, mode and dt), levels.png, and prints the table.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from neurodyn.lmu.datasets import sequential_digits
from neurodyn.lmu.evaluate import evaluate_lmu
from neurodyn.lmu.readers import read_lmu_npz

LEVELS = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 64.0)
COLUMNS = ["network", "mode", "dt", "brian2_accuracy", "torch_accuracy", "counts_equal", "bits_per_activity",
           "significant_bits_per_multiplication", "quanta_per_unit_step", "synops_per_inference",
           "memory_macs_per_inference", "wall_s"]


def plot_levels(table: pd.DataFrame):
    """Accuracy (top) and bits per activity (bottom) over the quantization level dt; one legend
    below both axes (the same colours and markers in both), so it hides no curve."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (top, bottom) = plt.subplots(2, 1, figsize=(6, 7), sharex=True, layout="constrained")
    for network, marker in (("hybrid (trained at dt = 4)", "o"), ("hybrid (trained at this dt)", "s")):
        rows = table[(table.network == network)].sort_values("dt")
        if len(rows):
            line, = top.plot(rows.dt, rows.brian2_accuracy, marker=marker, label=f"{network}, Brian2")
            bottom.plot(rows.dt, rows.bits_per_activity, marker=marker, color=line.get_color())
    ann = table[table.network == "LMU (non-spiking)"]
    if len(ann):
        top.axhline(ann.brian2_accuracy.iloc[0], color="k", ls="--", label="non-spiking LMU")
    spiking = table[table["mode"] == "spiking"]
    if len(spiking):
        top.plot(spiking.dt, spiking.brian2_accuracy, "r^", label="spiking (IF)")
    bottom.axhline(4, color="grey", ls=":", label="4 bits")
    top.set_ylabel("test accuracy")
    bottom.set_ylabel("bits per activity")
    bottom.set_xlabel("dt (quanta per step = dt relu(z) / amplitude)")
    bottom.set_xscale("log", base=2)
    handles, labels = top.get_legend_handles_labels()
    more_handles, more_labels = bottom.get_legend_handles_labels()
    figure.legend(handles + more_handles, labels + more_labels, loc="outside lower center", ncol=2, fontsize=7)
    figure.suptitle("Hybrid LMU on sequential 8x8 digits (360 test sequences)", fontsize=9)
    return figure


def main(argv=None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="data")
    parser.add_argument("--levels-dir", default="results/lmu_levels")
    parser.add_argument("--target", default="cython")
    parser.add_argument("--quick", action="store_true", help="first 60 test sequences, levels 1, 4, 16")
    parser.add_argument("--out", default="results/convert_lmu")
    args = parser.parse_args(argv)
    data = Path(args.data_dir)
    _, x_test, _, y_test = sequential_digits()
    levels = (1.0, 4.0, 16.0) if args.quick else LEVELS
    if args.quick:
        x_test, y_test = x_test[:60], y_test[:60]
    hybrid = read_lmu_npz(data / "digits_lmu.npz")
    runs = [("LMU (non-spiking)", data / "digits_lmu_ann.npz", "ann", None),
            ("hybrid weights, no quantization", data / "digits_lmu.npz", "ann", None),
            ("spiking (IF)", data / "digits_lmu_if.npz", "spiking", None)]
    runs += [("hybrid (trained at dt = 4)", data / "digits_lmu.npz", "hybrid", level) for level in levels]
    runs += [("hybrid (trained at this dt)", path, "hybrid", None)
             for path in sorted(Path(args.levels_dir).glob("digits_lmu_dt*.npz"))]
    rows = []
    for number, (network, path, mode, level) in enumerate(runs, 1):
        if not path.exists():
            print(f"[{number}/{len(runs)}] {network}: {path} not found (run studies/train_lmu.py), skipped")
            continue
        weights = hybrid.with_quantization(level) if level is not None else read_lmu_npz(path)
        row = {"network": network, **evaluate_lmu(weights, x_test, y_test, mode, target=args.target)}
        rows.append(row)
        print(f"[{number}/{len(runs)}] {network}, {mode}, dt = {weights.dt:g}: Brian2 {row['brian2_accuracy']:.4f}, "
              f"PyTorch {row['torch_accuracy']:.4f}, bits/activity {row['bits_per_activity']:.3g}, "
              f"{row['wall_s']:.1f} s", flush=True)
    table = pd.DataFrame(rows)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "convert_lmu.csv", index=False)
    plot_levels(table).savefig(out / "levels.png", dpi=120)
    print(table[COLUMNS].to_string(index=False, float_format=lambda value: f"{value:.4g}"))
    print(f"{len(x_test)} test sequences per run on {args.target} -> {out}")
    return table


if __name__ == "__main__":
    main()

"""Accuracy, latency and activity of a converted network on a labelled data set.

One Brian2 run of ``max(steps)`` steps over the whole batch gives every row: the readout
and the spike counts are read at each requested ``T``.
"""
from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pandas as pd

from neurodyn.convert.conversion import ConvertedNetwork
from neurodyn.convert.layers import ConversionError
from neurodyn.convert.simulate import run_converted
from neurodyn.convert.spiking_network import check_labels

#: Columns of :func:`evaluate`'s frame, after the conversion choices (``ConvertedNetwork.describe``).
COLUMNS = ("T", "n_samples", "ann_accuracy", "snn_accuracy", "spikes_per_neuron_per_step", "bits_per_activity",
           "synops_per_inference", "wall_s")


def evaluate(net: ConvertedNetwork, x: np.ndarray, labels: np.ndarray, steps: Sequence[int], target: str = "cython",
             seed: int | None = 0, progress: bool = False, **device_options) -> pd.DataFrame:
    """One row per ``T`` in ``steps``: ANN and spiking accuracy on ``(x, labels)`` and activity
    (:meth:`SpikingRun.activity`). ``wall_s`` is the wall time of the whole batched run
    (build, compile, simulate, read back) for ``max(steps)`` steps."""
    steps = sorted({int(t) for t in steps})
    labels = np.asarray(labels)
    if not steps or steps[0] < 1:
        raise ConversionError(f"T values must be >= 1, got {steps}")
    labels = check_labels(labels, len(np.atleast_2d(x)), net.ann.n_out)
    ann_accuracy = float(np.mean(net.ann.predict(x) == labels))
    started = time.perf_counter()
    run = run_converted(net, x, steps[-1], target=target, seed=seed, progress=progress, **device_options)
    wall = time.perf_counter() - started
    rows = [{**net.describe(), "T": t, "n_samples": len(labels), "ann_accuracy": ann_accuracy,
             "snn_accuracy": run.accuracy(labels, t), **run.activity(t), "wall_s": wall} for t in steps]
    return pd.DataFrame(rows)


def configuration_label(row) -> str:
    """A short legend label of one conversion (a frame row); its ``configuration`` if it has one."""
    if isinstance(row.get("configuration"), str):
        return row["configuration"]
    label = f"{row['neuron']}, {row['encoding']} input, {row['readout']} readout"
    label += ", not normalised" if pd.isna(row["percentile"]) else f", {row['percentile']:g}th percentile"
    return label + (f", dt={row['dt_s']:g} s, amplitude={row['amplitude']:g}" if row["neuron"] == "quantized" else "")


#: The accuracy panel shows SNN - ANN accuracy down to this many percentage points; lower values
#: (short T, where a spiking network has not settled) sit on the bottom edge as open triangles.
ACCURACY_GAP_FLOOR = -12.0


def plot_accuracy_vs_T(frame: pd.DataFrame, title: str | None = None):
    """Spiking minus ANN accuracy (percentage points) vs T above spikes per neuron and step, one
    line per conversion in ``frame`` (rows of :func:`evaluate`, possibly concatenated; a
    ``configuration`` column, if present, names the lines; a ``network`` column compares each
    line with its own network's ANN). The ANN itself is the zero line; gaps below
    ``ACCURACY_GAP_FLOOR`` are drawn on the bottom edge; lines are dodged by 2 % in T apart so
    that equal values do not hide each other. The legend sits beside the axes, so it
    hides no curve, and lists each ANN's accuracy."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_acc, ax_act) = plt.subplots(2, 1, sharex=True, figsize=(11, 6.5), layout="constrained",
                                         gridspec_kw={"height_ratios": [2, 1]})
    labels = frame.apply(configuration_label, axis=1)
    groups = list(frame.groupby(labels, sort=False))
    for number, (label, rows) in enumerate(groups):
        steps = rows["T"].to_numpy() * 10 ** (0.01 * (number - (len(groups) - 1) / 2))  # dodged: equal values stay apart
        gap = 100 * (rows["snn_accuracy"] - rows["ann_accuracy"]).to_numpy()
        line, = ax_acc.plot(steps, np.maximum(gap, ACCURACY_GAP_FLOOR), "o-", ms=3, lw=1, label=label)
        below = gap < ACCURACY_GAP_FLOOR
        ax_acc.plot(steps[below], np.full(below.sum(), ACCURACY_GAP_FLOOR), "v", mfc="none", ms=7,
                    color=line.get_color())
        ax_act.plot(steps, rows["spikes_per_neuron_per_step"], "o-", ms=3, lw=1, color=line.get_color())
    networks = frame.groupby("network", sort=False) if "network" in frame.columns else [("", frame)]
    anns = ", ".join(f"{name} {rows['ann_accuracy'].iloc[0]:.4f}".strip() for name, rows in networks)
    ax_acc.axhline(0.0, color="k", ls="--", lw=1, label=f"ANN ({anns})")
    ax_acc.set_ylim(ACCURACY_GAP_FLOOR - 1, None)
    ax_acc.set_ylabel(f"SNN - ANN accuracy (points; open triangles: below {ACCURACY_GAP_FLOOR:g})", fontsize=9)
    ax_acc.grid(alpha=0.3)
    fig.legend(*ax_acc.get_legend_handles_labels(), loc="outside right upper", fontsize=8)
    ax_act.set_ylabel("spikes / neuron / step")
    ax_act.set_xlabel("simulated steps T")
    ax_act.set_xscale("log")
    ax_acc.set_title(title or f"spiking accuracy vs T ({frame['n_samples'].iloc[0]} samples)")
    return fig

"""Convert the digits MLP and CNN (studies/train_digits.py) into spiking networks and compare them.

Rueckauer et al. 2017 (IF neurons, reset by subtraction, 99.9-percentile normalisation) and
Voelker, Rasmussen & Eliasmith 2020 (quantized multi-bit neurons, arXiv:2002.03553) on the
held-out split of scikit-learn's digits: every configuration infers all 360 test images in
one batched Brian2 run; accuracy, spikes per neuron and step, bits per activity and synaptic
operations are read at each T.

    python studies/train_digits.py               # writes data/digits_mlp.npz (shipped)
    python studies/convert_digits.py [--quick] [--target cython] [--out results/convert_digits]

Writes convert_digits.parquet (one row per configuration and T) and accuracy_vs_T.png.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from brian2 import ms, second

from neurodyn.convert import convert, evaluate, plot_accuracy_vs_T, read_npz
from neurodyn.convert.datasets import digits_split

STEPS = (1, 2, 3, 5, 10, 20, 50, 100, 200)
#: (label, network, conversion options): IF variants, the quantized neuron from 1-bit to
#: multi-bit, the CNN (convolution and pooling as sparse / folded dense layers), and EI output
#: neurons whose signed counts carry negative logits.
CONFIGURATIONS = (
    ("MLP, IF, constant current, membrane readout", "mlp", dict(encoding="current", readout="potential")),
    ("MLP, IF, constant current, spike-count readout", "mlp", dict(encoding="current", readout="spikes")),
    ("MLP, IF, Poisson input", "mlp", dict(encoding="poisson")),
    ("MLP, quantized, normalised, dt = 1 s", "mlp", dict(neuron="quantized", dt=1 * second)),
    ("MLP, quantized, raw activations, dt = 0.1 s", "mlp", dict(neuron="quantized", percentile=None, dt=100 * ms)),
    ("MLP, quantized, raw activations, dt = 1 s", "mlp", dict(neuron="quantized", percentile=None, dt=1 * second)),
    ("MLP, quantized encoder + neuron, dt = 1 s", "mlp", dict(neuron="quantized", encoding="quantized",
                                                              percentile=None, dt=1 * second)),
    ("CNN, IF, constant current, spike-count readout", "cnn", dict(encoding="current", readout="spikes")),
    ("MLP, EI output (signed counts), spike-count readout", "mlp", dict(neuron="ei", readout="spikes")),
)


def main(argv=None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="data", help="where digits_mlp.npz and digits_cnn.npz are")
    parser.add_argument("--target", default="cython")
    parser.add_argument("--quick", action="store_true", help="first 60 test images, three configurations")
    parser.add_argument("--out", default="results/convert_digits")
    args = parser.parse_args(argv)
    networks = {name: read_npz(Path(args.data_dir) / f"digits_{name}.npz") for name in ("mlp", "cnn")}
    x_train, x_test, _, y_test = digits_split()
    configurations = (CONFIGURATIONS[0], CONFIGURATIONS[5], CONFIGURATIONS[7]) if args.quick else CONFIGURATIONS
    if args.quick:
        x_test, y_test = x_test[:60], y_test[:60]
    frames = []
    for number, (label, network, options) in enumerate(configurations, 1):
        net = convert(networks[network], x_train, **options)
        frame = evaluate(net, x_test, y_test, STEPS, target=args.target).assign(configuration=label, network=network)
        frames.append(frame)
        best = frame.loc[frame["T"] == 50].iloc[0]
        print(f"[{number}/{len(configurations)}] {label}: accuracy {best.snn_accuracy:.4f} at T=50 "
              f"(ANN {best.ann_accuracy:.4f}), {frame['wall_s'].iloc[0]:.1f} s", flush=True)
    table = pd.concat(frames, ignore_index=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table.to_parquet(out / "convert_digits.parquet")
    figure = plot_accuracy_vs_T(table, title=f"digits MLP 64-64-10 and CNN, {len(y_test)} held-out images")
    figure.savefig(out / "accuracy_vs_T.png", dpi=120)
    columns = ["configuration", "T", "snn_accuracy", "spikes_per_neuron_per_step", "bits_per_activity",
               "synops_per_inference"]
    shown = table.loc[table["T"].isin([5, 10, 20, 50, 200]), columns]
    print(shown.to_string(index=False, float_format="{:.4g}".format))
    ann = table.groupby("network")["ann_accuracy"].first()
    print(f"ANN accuracy: MLP {ann['mlp']:.4f}, CNN {ann['cnn']:.4f}; table and figure in {out}")
    return table


if __name__ == "__main__":
    main()

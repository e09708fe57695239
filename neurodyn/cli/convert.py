"""``neurodyn convert WEIGHTS``: run a trained ANN as a spiking network and report accuracy vs T."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from neurodyn.cli.options import parse_time
from neurodyn.convert.conversion import ENCODINGS, NEURONS, READOUTS, convert
from neurodyn.convert.evaluate import evaluate, plot_accuracy_vs_T
from neurodyn.convert.layers import ConversionError
from neurodyn.convert.readers import import_torch, read_npz, read_torch
from neurodyn.targets import TARGETS

from neurodyn.lmu import cli as lmu_cli  # hybrid LMU files (.npz with lmu_order)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "convert", help="run a trained ANN as a spiking network",
        description="Convert a trained ANN (.npz layout of neurodyn.convert.readers, or a PyTorch state_dict "
                    "saved with torch.save as .pt) into a spiking Brian2 network, run the data set's test "
                    "samples in one batched run and write convert.parquet (accuracy, spikes per neuron and "
                    "step, bits per activity, synaptic operations, per T) and accuracy_vs_T.png into --out.")
    parser.add_argument("weights", help="trained weights: .npz or .pt (state_dict)")
    parser.add_argument("--data", default="digits",
                        help="'digits' (scikit-learn's bundled digits, the example split) or an .npz with x_test, "
                             "y_test and x_calibration (default digits)")
    parser.add_argument("--neuron", default="if", choices=NEURONS,
                        help="if: integrate-and-fire; quantized: multi-bit; ei: EI neurons (signed spikes) for "
                             "linear layers, IF for ReLU layers (default if)")
    parser.add_argument("--encoding", default="current", choices=ENCODINGS)
    parser.add_argument("--readout", default="potential", choices=READOUTS)
    parser.add_argument("--percentile", default="99.9",
                        help="activation percentile for normalisation, or 'none' (default 99.9)")
    parser.add_argument("--dt", default="1ms", help="time step, e.g. 1ms (quantized neuron: sets the quantum)")
    parser.add_argument("--amplitude", type=float, default=1.0, help="quantized neuron amplitude (default 1)")
    parser.add_argument("--T", dest="steps", default="5,10,20,50,100", help="steps at which to report (default "
                                                                             "5,10,20,50,100)")
    parser.add_argument("--samples", type=int, default=None, help="use only the first N test samples")
    parser.add_argument("--target", default="cython", choices=TARGETS)
    parser.add_argument("--seed", type=int, default=0, help="seed of Poisson input")
    parser.add_argument("--out", default="results/convert", help="output directory (default results/convert)")
    parser.add_argument("--quiet", action="store_true", help="no progress report")
    lmu_cli.add_arguments(parser)
    parser.set_defaults(handler=handle)


def load_network(path: Path):
    if path.suffix == ".pt":
        torch = import_torch()
        try:
            state = torch.load(path, weights_only=True)
        except Exception as error:  # torch raises many kinds for malformed files
            raise ConversionError(f"{path}: not a readable PyTorch state_dict ({type(error).__name__})") from None
        return read_torch(state)
    return read_npz(path)


def load_data(name: str):
    """``(x_calibration, x_test, y_test)``."""
    if name == "digits":
        from neurodyn.convert.datasets import digits_split

        x_train, x_test, _, y_test = digits_split()
        return x_train, x_test, y_test
    try:
        with np.load(name, allow_pickle=False) as archive:
            return archive["x_calibration"], archive["x_test"], archive["y_test"]
    except FileNotFoundError:
        raise ConversionError(f"--data {name}: no such file") from None
    except KeyError as error:
        raise ConversionError(f"--data {name}: missing array {error} (needs x_test, y_test, x_calibration)") from None
    except (ValueError, OSError) as error:
        raise ConversionError(f"--data {name}: not a readable .npz archive ({error})") from None


def parse_percentile(text: str) -> float | None:
    if text.strip().lower() == "none":
        return None
    try:
        return float(text)
    except ValueError:
        raise ConversionError(f"--percentile expects a number in (0, 100] or 'none', got {text!r}") from None


def parse_steps(text: str) -> list[int]:
    try:
        steps = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ConversionError(f"--T expects comma-separated step counts, got {text!r}") from None
    if not steps or min(steps) < 1:
        raise ConversionError(f"--T values must be >= 1, got {text!r}")
    return steps


def handle(args) -> int:
    if lmu_cli.is_lmu_weights(args.weights):
        return lmu_cli.handle(args)
    ann = load_network(Path(args.weights))
    x_calibration, x_test, y_test = load_data(args.data)
    if args.samples is not None:
        if args.samples < 1:
            raise ConversionError(f"--samples must be >= 1, got {args.samples}")
        x_test, y_test = x_test[: args.samples], y_test[: args.samples]
    net = convert(ann, x_calibration, neuron=args.neuron, encoding=args.encoding, readout=args.readout,
                  percentile=parse_percentile(args.percentile), dt=parse_time(args.dt, "--dt"),
                  amplitude=args.amplitude)
    frame = evaluate(net, x_test, y_test, parse_steps(args.steps), target=args.target, seed=args.seed,
                     progress=not args.quiet)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(out / "convert.parquet")
    plot_accuracy_vs_T(frame).savefig(out / "accuracy_vs_T.png", dpi=120)
    shown = frame[["T", "ann_accuracy", "snn_accuracy", "spikes_per_neuron_per_step", "bits_per_activity",
                   "synops_per_inference"]]
    print(shown.to_string(index=False, float_format=lambda value: f"{value:.4g}"))
    print(f"{len(x_test)} samples in one run on {args.target}: {frame['wall_s'].iloc[0]:.1f} s -> {out}")
    return 0

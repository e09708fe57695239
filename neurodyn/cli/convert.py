"""``neurodyn convert MODEL``: run a trained network as a spiking Brian2 network and report accuracy vs T.

ANNs (``.npz``, a PyTorch ``state_dict`` in ``.pt``/``.pth``) are converted (neuron, encoding,
readout options); spiking networks (a NIR file ``.nir``, or a whole snnTorch model saved with
``torch.save(model)``, read with ``--framework snntorch``) run as their framework ran them, on
rate-coded (``--input spikes``) or constant-current (``--input current``) digits.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from neurodyn.cli.options import parse_time
from neurodyn.convert.conversion import ENCODINGS, NEURONS, READOUTS, convert
from neurodyn.convert.evaluate import evaluate, plot_accuracy_vs_T
from neurodyn.convert.layers import ConversionError
from neurodyn.convert.nir_graph import read_nir
from neurodyn.convert.readers import read_npz, read_torch, torch_load
from neurodyn.convert.snntorch_reader import read_snntorch
from neurodyn.convert.spiking_network import check_labels, run_spiking
from neurodyn.lmu import cli as lmu_cli  # hybrid LMU files (.npz with lmu_order)
from neurodyn.paths import check_output_directory
from neurodyn.targets import TARGETS


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "convert", help="run a trained ANN as a spiking network",
        description="Convert a trained ANN (.npz layout of neurodyn.convert.readers, or a PyTorch state_dict "
                    "saved with torch.save as .pt/.pth) into a spiking Brian2 network, or read a trained spiking "
                    "network (.nir; an snnTorch model saved whole with torch.save, with --framework), "
                    "run the data set's test samples in one batched run and write convert.parquet (accuracy "
                    "and activity per T; for ANNs also bits per activity and synaptic operations, and "
                    "accuracy_vs_T.png) into --out.")
    parser.add_argument("weights", help="trained model: .npz, .pt/.pth (state_dict), .nir, or a whole snnTorch model "
                                        "(.pt with --framework snntorch)")
    parser.add_argument("--framework", choices=("snntorch",), default=None,
                        help="the .pt file is a whole snnTorch model saved with torch.save(model) (with "
                             "surrogate_disable=True: snnTorch's surrogate closures cannot be pickled; Norse 1.1 "
                             "models cannot be pickled at all, export them to .nir); loading it runs Python code "
                             "from the file (torch.load weights_only=False): only for files you trust")
    parser.add_argument("--exporter", choices=("snntorch", "norse"), default=None,
                        help=".nir: the framework that exported the graph (its conventions, docs/convert.md)")
    parser.add_argument("--reset", choices=("subtract", "zero", "none"), default=None,
                        help=".nir from snnTorch: the reset mechanism the exporter drops")
    parser.add_argument("--input", dest="input_kind", choices=("spikes", "current"), default="spikes",
                        help="spiking networks: rate-coded spikes (pixel value = spike probability per step, "
                             "--seed) or the pixel values as a current every step (default spikes)")
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
    parser.add_argument("--dt", default=None, help="time step, e.g. 1ms (ANN default 1ms; the quantized neuron: sets "
                                                   "the quantum); .nir: the step the graph is run at (default: "
                                                   "the one its time constants imply)")
    parser.add_argument("--amplitude", type=float, default=1.0, help="quantized neuron amplitude (default 1)")
    parser.add_argument("--T", dest="steps", default="5,10,20,50,100", help="steps at which to report (default "
                                                                             "5,10,20,50,100)")
    parser.add_argument("--samples", type=int, default=None, help="use only the first N test samples")
    parser.add_argument("--target", default="cython", choices=TARGETS)
    parser.add_argument("--seed", type=int, default=0, help="seed of Poisson input / input spikes (>= 0)")
    parser.add_argument("--out", default="results/convert", help="output directory (default results/convert)")
    parser.add_argument("--quiet", action="store_true", help="no progress report")
    lmu_cli.add_arguments(parser)
    parser.set_defaults(handler=handle)


TORCH_SUFFIXES = (".pt", ".pth")


def load_network(path: Path):
    """An ANN (:class:`DenseNetwork`) from an .npz or a state_dict file."""
    if path.suffix in TORCH_SUFFIXES:
        state = torch_load(path, weights_only=True,
                           refusal=lambda error: f"not a readable PyTorch state_dict ({type(error).__name__}; a whole "
                                                 f"snnTorch model needs --framework snntorch)")
        return read_torch(state)
    if path.suffix != ".npz":
        raise ConversionError(f"{path}: unknown model file type {path.suffix!r}; expected .npz, .pt, .pth or .nir")
    return read_npz(path)


def load_spiking(args, path: Path):
    """A :class:`SpikingGraph` from a .nir file or a whole snnTorch model."""
    dt = None if args.dt is None else parse_time(args.dt, "--dt")
    if path.suffix == ".nir":
        return read_nir(path, dt, exporter=args.exporter, reset=args.reset)
    model = torch_load(path, weights_only=False,
                       refusal=lambda error: f"not a readable saved PyTorch model ({type(error).__name__}: {error})")
    return read_snntorch(model, input_shape=(64,))



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
    out = check_output_directory(args.out)
    if args.seed < 0:
        raise ConversionError(f"--seed must be >= 0, got {args.seed}")
    if lmu_cli.is_lmu_weights(args.weights):
        return lmu_cli.handle(args)
    path = Path(args.weights)
    spiking = path.suffix == ".nir" or args.framework is not None
    if not spiking and (args.exporter or args.reset):
        raise ConversionError("--exporter and --reset apply to .nir files")
    model = load_spiking(args, path) if spiking else load_network(path)
    x_calibration, x_test, y_test = load_data(args.data)
    if args.samples is not None:
        if args.samples < 1:
            raise ConversionError(f"--samples must be >= 1, got {args.samples}")
        x_test, y_test = x_test[: args.samples], y_test[: args.samples]
    if len(x_test) == 0:
        raise ConversionError(f"--data {args.data}: the test set is empty")
    steps = parse_steps(args.steps)
    if spiking:
        return handle_spiking(args, model, x_test, y_test, steps, out)
    net = convert(model, x_calibration, neuron=args.neuron, encoding=args.encoding, readout=args.readout,
                  percentile=parse_percentile(args.percentile),
                  dt=parse_time(args.dt if args.dt is not None else "1ms", "--dt"), amplitude=args.amplitude)
    frame = evaluate(net, x_test, y_test, steps, target=args.target, seed=args.seed,
                     progress=not args.quiet)
    out.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(out / "convert.parquet")
    plot_accuracy_vs_T(frame).savefig(out / "accuracy_vs_T.png", dpi=120)
    shown = frame[["T", "ann_accuracy", "snn_accuracy", "spikes_per_neuron_per_step", "bits_per_activity",
                   "synops_per_inference"]]
    print(shown.to_string(index=False, float_format=lambda value: f"{value:.4g}"))
    print(f"{len(x_test)} samples in one run on {args.target}: {frame['wall_s'].iloc[0]:.1f} s -> {out}")
    return 0


def handle_spiking(args, graph, x_test, y_test, steps: list[int], out: Path) -> int:
    """Run a spiking graph on the digits for max(steps) steps; accuracy of the output counts
    (argmax; ties to the first class) after each T of ``steps``."""
    if graph.n_in != x_test.shape[1]:
        raise ConversionError(f"the network takes {graph.n_in} inputs per step, the data {x_test.shape[1]}")
    check_labels(y_test, len(y_test), graph.output.size)
    n_steps = max(steps)
    x = np.asarray(x_test, dtype=float)
    if args.input_kind == "spikes":
        inputs = np.random.default_rng(args.seed).random((n_steps, *x.shape)) < np.clip(x, 0, 1)
    else:
        inputs = np.broadcast_to(x, (n_steps, *x.shape))
    run = run_spiking(graph, inputs.astype(float), layout="time_major", target=args.target)
    name = graph.output.name
    rows = []
    for t in steps:
        if graph.output.spiking:
            predictions = np.argmax(run.spikes[name][:t].sum(axis=0), axis=1)
        else:
            raise ConversionError("the last layer of the network does not spike; the CLI scores output spike counts")
        rows.append({"T": t, "n_samples": len(y_test), "snn_accuracy": float(np.mean(predictions == y_test)),
                     "spikes_per_neuron_per_step": float(sum(s[:t].sum() for s in run.spikes.values()))
                     / (len(y_test) * t * sum(layer.size for layer in graph.layers if layer.spiking)),
                     "origin": graph.origin, "input": args.input_kind})
    frame = pd.DataFrame(rows)
    out.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(out / "convert.parquet")
    print(frame.drop(columns=["origin", "input"]).to_string(index=False, float_format=lambda value: f"{value:.4g}"))
    print(f"{len(y_test)} samples ({graph.origin}, {args.input_kind} input) in one run on {args.target} -> {out}")
    return 0

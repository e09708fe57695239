"""``neurodyn convert LMU.npz``: the hooks of the convert command for LMU files (neurodyn.cli.convert)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from neurodyn.lmu.errors import LMUError
from neurodyn.lmu.readers import is_lmu_npz, read_lmu_npz
from neurodyn.lmu.weights import MODES


def add_arguments(parser) -> None:
    parser.add_argument("--lmu-mode", default="hybrid", choices=MODES,
                        help="LMU files (.npz with lmu_order): ann, hybrid (memory linear, hidden quantized) or "
                             "spiking (hidden integrate-and-fire); default hybrid, at the file's trained dt")


def is_lmu_weights(path) -> bool:
    return Path(path).suffix == ".npz" and is_lmu_npz(path)


def load_sequences(name: str):
    """``(x_test (n, T, n_in), y_test)``: 'digits' (sequential 8x8 digits) or an .npz with x_test, y_test."""
    if name == "digits":
        from neurodyn.lmu.datasets import sequential_digits

        _, x_test, _, y_test = sequential_digits()
        return x_test, y_test
    try:
        with np.load(name, allow_pickle=False) as archive:
            missing = [key for key in ("x_test", "y_test") if key not in archive.files]
            if missing:
                raise LMUError(f"--data {name}: missing {', '.join(missing)} (an LMU needs x_test (n, T, n_in) and "
                               f"y_test)")
            return archive["x_test"], archive["y_test"]
    except FileNotFoundError:
        raise LMUError(f"--data {name}: no such file") from None
    except (ValueError, OSError) as error:
        if isinstance(error, LMUError):
            raise
        raise LMUError(f"--data {name}: not a readable .npz archive ({error})") from None


def handle(args) -> int:
    """Run the LMU in Brian2 and PyTorch on the test sequences; print and write ``lmu.csv`` into --out."""
    import pandas as pd

    from neurodyn.lmu.evaluate import evaluate_lmu

    weights = read_lmu_npz(args.weights)
    x_test, y_test = load_sequences(args.data)
    if args.samples is not None:
        if args.samples < 1:
            raise LMUError(f"--samples must be >= 1, got {args.samples}")
        x_test, y_test = x_test[: args.samples], y_test[: args.samples]
    record = evaluate_lmu(weights, x_test, y_test, args.lmu_mode, target=args.target)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    pd.DataFrame([record]).to_csv(out / "lmu.csv", index=False)
    for key, value in record.items():
        print(f"{key:38s} {value:.4g}" if isinstance(value, float) else f"{key:38s} {value}")
    return 0

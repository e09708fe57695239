"""Balance of +1 and -1 spikes in a recurrent network of EICIL-style EI neurons.

Model: neurodyn's reading of Shao et al., "EICIL: Joint Excitatory Inhibitory Cycle Iteration
Learning for Deep Spiking Neural Networks", NeurIPS 2023 (abstract only; see docs/eicil.md).
Each neuron has an excitatory threshold theta_e (+1 spikes) and an inhibitory threshold
theta_i (-1 spikes), receives K = 20 recurrent inputs of weight w * sign and n_in = 100
external Poisson inputs (10 Hz, jump 0.2), a share inh_in_frac of them negative.

The sweep: theta_i / theta_e (theta_e = 1) against inh_in_frac, with the inhibition always on
or cycled (on in the first half of every 20 ms). Per point: the rates of +1 and -1 spikes and
their ratio (balance), irregularity, bursting, synchrony and oscillation of all spikes
(``neurodyn.analysis.summarize``), and the synchrony of each sign.

    python studies/eicil_balance.py [--out results/eicil_balance] [--quick] [--target numpy]

Every finished point is written at once to ``OUT/points/`` (atomically, keyed by its
parameters and seed); a rerun skips finished points. The table of all points is
``OUT/eicil_balance.parquet`` and the figure ``OUT/eicil_balance.png``. The study engine of
``neurodyn.studies`` did not exist when this was written: the grid runs here with plain
:func:`neurodyn.simulate` calls, one after the other.
"""
from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from brian2 import ms, second  # noqa: E402

from neurodyn.analysis.summary import summarize  # noqa: E402
from neurodyn.analysis.synchrony import chi_from_spikes  # noqa: E402
from neurodyn import simulate  # noqa: E402
from neurodyn.models.eicil import EINetwork, sign_summary, spikes_of_sign  # noqa: E402
from neurodyn.targets import TARGETS  # noqa: E402

THETA_RATIOS = (0.5, 0.75, 1.0, 1.5, 2.0)
INH_IN_FRACS = (0.3, 0.4, 0.5, 0.6, 0.7)
CYCLES = ({}, {"cycle_period": 20 * ms, "inh_duration": 10 * ms})
FIXED = dict(N=200, K=20, w=-0.1, theta_e=1.0, tau=20 * ms, n_in=100, rate_in_hz=10.0, w_in=0.2)
QUICK = dict(theta_ratios=(0.5, 1.0, 2.0), inh_in_fracs=(0.3, 0.5, 0.7), duration=0.5)


def grid(theta_ratios, inh_in_fracs, study_seed: int) -> list[dict]:
    """Parameter overrides of every point; the study seed determines each point's seed."""
    points = []
    for k, (ratio, frac, cycle) in enumerate(itertools.product(theta_ratios, inh_in_fracs, CYCLES)):
        point_seed = int(np.random.SeedSequence([study_seed, k]).generate_state(1)[0] % 2**31)
        points.append({**FIXED, "theta_i": ratio * FIXED["theta_e"], "inh_in_frac": frac, **cycle, "seed": point_seed})
    return points


def point_key(model: EINetwork) -> str:
    """File name of a point: its parameter record, readable and unique."""
    return "_".join(f"{name}={value}" for name, value in model.record.items() if name not in FIXED) + ".parquet"


def run_point(model: EINetwork, duration: float, transient: float, target: str) -> pd.DataFrame:
    """One row: parameters, summary of all spikes, rates and balance of the signs, chi per sign."""
    result = simulate(model, duration * second, target=target, progress=False)
    row = summarize(result, t_start=transient)
    row["cycled"] = model.values["cycle_period"] is not None
    for name, value in sign_summary(result, transient).items():
        row[name] = value
    for sign, label in ((1, "plus"), (-1, "minus")):
        row[f"chi_spikes_{label}"] = chi_from_spikes(spikes_of_sign(result, sign), t_start=transient)
    return row


def write_atomically(frame: pd.DataFrame, path: Path) -> None:
    partial = path.with_suffix(".partial")
    frame.to_parquet(partial, index=False)
    partial.replace(path)


def plot_balance(table: pd.DataFrame) -> plt.Figure:
    """Heat maps over theta_i/theta_e and inh_in_frac: rates of each sign, log10 of the -1/+1
    spike ratio, chi of all spikes; inhibition always on (top) and cycled (bottom)."""
    table = table.assign(log10_minus_plus_ratio=np.log10(table["minus_plus_ratio"]))
    observables = ("rate_plus_hz", "rate_minus_hz", "log10_minus_plus_ratio", "chi_spikes")
    fig, axes = plt.subplots(2, len(observables), figsize=(4 * len(observables), 7), squeeze=False)
    for row, (cycled, part) in enumerate(table.groupby("cycled")):
        for col, observable in enumerate(observables):
            grid_values = part.pivot_table(index="theta_i", columns="inh_in_frac", values=observable)
            ax = axes[row, col]
            image = ax.imshow(grid_values.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
            ax.set_xticks(range(grid_values.shape[1]), [f"{v:g}" for v in grid_values.columns])
            ax.set_yticks(range(grid_values.shape[0]), [f"{v:g}" for v in grid_values.index])
            ax.set_xlabel("inh_in_frac")
            ax.set_ylabel("theta_i / theta_e")
            ax.set_title(f"{observable}{' (cycled)' if cycled else ''}", fontsize="small")
            fig.colorbar(image, ax=ax)
    fig.tight_layout()
    return fig


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="results/eicil_balance", help="output directory")
    parser.add_argument("--quick", action="store_true", help="3 x 3 grid, 0.5 s per point")
    parser.add_argument("--duration", type=float, default=2.0, help="seconds per point (default 2)")
    parser.add_argument("--target", default="numpy", choices=TARGETS,
                        help="where to run (default numpy: no compilation per input setting)")
    parser.add_argument("--seed", type=int, default=0, help="study seed")
    args = parser.parse_args(argv)
    theta_ratios, inh_in_fracs, duration = THETA_RATIOS, INH_IN_FRACS, args.duration
    if args.quick:
        theta_ratios, inh_in_fracs, duration = QUICK["theta_ratios"], QUICK["inh_in_fracs"], QUICK["duration"]
    out = Path(args.out)
    (out / "points").mkdir(parents=True, exist_ok=True)
    points = grid(theta_ratios, inh_in_fracs, args.seed)
    for k, overrides in enumerate(points):
        model = EINetwork(**overrides)
        path = out / "points" / point_key(model)
        if path.exists():
            continue
        write_atomically(run_point(model, duration, transient=duration / 5, target=args.target), path)
        print(f"[{k + 1}/{len(points)}] {path.name}")
    keys = {point_key(EINetwork(**overrides)) for overrides in points}
    table = pd.DataFrame.from_records([row for key in sorted(keys)
                                       for row in pd.read_parquet(out / "points" / key).to_dict("records")])
    write_atomically(table, out / "eicil_balance.parquet")
    plot_balance(table).savefig(out / "eicil_balance.png", dpi=120)
    shown = ["theta_i", "inh_in_frac", "cycled", "rate_plus_hz", "rate_minus_hz", "minus_plus_ratio",
             "cv_mean", "burst_fraction", "chi_spikes"]
    print(table[shown].to_string(index=False, float_format="%.3g"))


if __name__ == "__main__":
    main()

"""The onset of collective oscillations from the finite-size scaling of chi, beside linear stability.

Luccioli, Angulo-Garcia & Torcini, Phys. Rev. E 99, 052412 (2019). In an asynchronous state the
Golomb-Hansel chi falls like N^{-1/2}; in a collective oscillation it stays finite as N grows.
For each delay tau_d and excitability spread Delta (I uniform in [I_0 - Delta/2, I_0 + Delta/2],
I_0 = 1.5: heterogeneity at fixed mean) the coupling g is judged by the exponent b of
chi ~ N^b over the sizes (synchronous where b > -1/4, the exponent at a mean-field Hopf onset:
``neurodyn.analysis.finite_size``) and bisected geometrically from the bracket [0.7, 1.4] times
the theory's g_c (``neurodyn.studies.onset.locate_onset``); the final bracket is the error bar.
Beside it: the onset from linear stability of the asynchronous state
(``neurodyn.theory.stability.critical_coupling``, cutoff for the largest N), the old threshold
estimate of studies/delay_oscillations.py (smallest g of its grid with chi_spikes >= 0.2 at
N = 800), and the oscillation frequency at onset (measured at the smallest synchronous g, largest
N) against the theory's. Global coupling through the shared field, alpha = 20 / tau_m, evenly
spaced excitabilities, each run started in the mean field's asynchronous state.

    python studies/onset.py [--quick] [--out DIR] [--target cython|numpy] [--sizes N ...] [--tau-d MS ...]
                            [--spreads DELTA ...] [--dt-ms DT]

Writes OUT/onset_runs.parquet (every run; a rerun reuses them), OUT/onset.csv (one row per
(tau_d, Delta)) and OUT/onset.png.
"""
from __future__ import annotations

import argparse
import functools
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from brian2 import BrianLogger

from neurodyn.studies.onset import StoredRuns, locate_onset
from neurodyn.theory import fixed_mean_range
from neurodyn.theory.stability import Network, critical_coupling

TAU_M_MS = 10.0
ALPHA = 20.0
MEAN_I = 1.5
OLD_GRID = (0.5, 1, 2, 3, 5, 7, 10, 15, 20)  # studies/delay_oscillations.py's G_VALUES
OLD_CHI, OLD_N = 0.2, 800


@dataclass(frozen=True)
class Plan:
    tau_d_ms: tuple
    spreads: tuple
    sizes: tuple
    duration_s: float
    t_start_s: float
    steps: int
    old_grid: tuple
    theory_tau_d_ms: tuple


FULL = Plan(tau_d_ms=(1.0, 2.0, 5.0), spreads=(0.2, 0.5), sizes=(400, 1600, 6400), duration_s=2.0, t_start_s=0.5,
            steps=4, old_grid=OLD_GRID, theory_tau_d_ms=(0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0))
QUICK = replace(FULL, sizes=(400, 1600), duration_s=1.0, t_start_s=0.3, steps=1, old_grid=(0.5, 1, 2),
                theory_tau_d_ms=FULL.tau_d_ms)


@functools.lru_cache(maxsize=None)
def theory(tau_d_ms, I_l, I_u, n) -> tuple[float, float]:
    """Linear stability's g_c and onset frequency (Hz) for a delay in ms and the range [I_l, I_u]."""
    crossing = critical_coupling(Network(tau_d=tau_d_ms / TAU_M_MS, alpha=ALPHA, I_l=I_l, I_u=I_u, n_neurons=n))
    return (crossing.g, crossing.frequency_hz(TAU_M_MS * 1e-3)) if crossing else (np.nan, np.nan)


def run(plan: Plan, out: Path, target: str, dt_ms: float = 0.1) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    cache = StoredRuns(out / "onset_runs.parquet", duration_s=plan.duration_s, t_start_s=plan.t_start_s,
                       target=target, dt_ms=dt_ms)
    rows, judged = [], []
    for spread in plan.spreads:
        I_l, I_u = fixed_mean_range(MEAN_I, spread)
        for tau_d_ms in plan.tau_d_ms:
            g_theory, f_theory = theory(tau_d_ms, I_l, I_u, max(plan.sizes))
            print(f"tau_d={tau_d_ms:g} ms, Delta={spread:g}: theory g_c={g_theory:.3f}, {f_theory:.0f} Hz", flush=True)
            onset = locate_onset(lambda g, n: cache.measure(g, n, tau_d_ms, I_l, I_u), 0.7 * g_theory,
                                 1.4 * g_theory, plan.sizes, steps=plan.steps, log=lambda line: print("  " + line,
                                                                                                       flush=True))
            judged.append(onset.rows.assign(spread=spread))
            old = [cache.measure(g, OLD_N, tau_d_ms, I_l, I_u) for g in plan.old_grid]
            above = [row["g"] for row in old if row["chi_spikes"] >= OLD_CHI]
            rows.append({"tau_d_ms": tau_d_ms, "spread": spread, "I_l": I_l, "I_u": I_u, "g_async": onset.g_async,
                         "g_sync": onset.g_sync, "g_c": onset.g_c, "g_c_theory": g_theory,
                         "f_onset_hz": onset.frequency_hz(), "f_theory_hz": f_theory,
                         "g_c_old_threshold": min(above) if above else np.nan})
    curve = [{"tau_d_ms": t, "spread": s, "g_c_theory": theory(t, *fixed_mean_range(MEAN_I, s), max(plan.sizes))[0]}
             for s in plan.spreads for t in plan.theory_tau_d_ms]
    return pd.DataFrame(rows), pd.concat(judged, ignore_index=True), pd.DataFrame(curve)


def plot(table: pd.DataFrame, judged: pd.DataFrame, curve: pd.DataFrame, plan: Plan, path: Path) -> None:
    import matplotlib.pyplot as plt
    from matplotlib import ticker

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for k, (spread, part) in enumerate(table.groupby("spread")):
        color = f"C{k}"
        label = f"Delta={spread:g} (I in [{MEAN_I - spread / 2:g}, {MEAN_I + spread / 2:g}])"
        low, high = part["g_c"] - part["g_async"], part["g_sync"] - part["g_c"]
        axes[0].errorbar(part["tau_d_ms"], part["g_c"], yerr=[low, high], fmt="o", color=color, capsize=3,
                         label=f"{label}: chi over N")
        line = curve[curve["spread"] == spread]
        axes[0].plot(line["tau_d_ms"], line["g_c_theory"], "-", color=color, lw=1, label="linear stability")
        axes[0].plot(part["tau_d_ms"], part["g_c_old_threshold"], "x", color=color, ms=8,
                     label=f"old: min grid g, chi_spikes >= {OLD_CHI} (N={OLD_N})")
        axes[1].plot(part["tau_d_ms"], part["f_onset_hz"], "o", color=color, label=f"Delta={spread:g} measured")
        axes[1].plot(part["tau_d_ms"], part["f_theory_hz"], "--", color=color, label="linear stability")
        rows = judged[judged["spread"] == spread].drop_duplicates(["tau_d_ms", "g"])
        for m, (tau_d_ms, points) in enumerate(rows.groupby("tau_d_ms")):
            g_theory = part.loc[part["tau_d_ms"] == tau_d_ms, "g_c_theory"].iloc[0]
            points = points.sort_values("g")
            axes[2].errorbar(points["g"] / g_theory, points["exponent"], yerr=points["exponent_err"],
                             fmt="os^"[m % 3] + "-", color=color, ms=4, lw=0.8, capsize=2,
                             label=f"Delta={spread:g}, tau_d={tau_d_ms:g} ms")
    axes[0].set(xscale="log", yscale="log", xlabel="tau_d (ms)", ylabel="g_c",
                title=f"onset, N = {', '.join(map(str, plan.sizes))}")
    axes[1].set(xscale="log", xlabel="tau_d (ms)", ylabel="frequency at onset (Hz)")
    for ax in axes[:2]:
        ax.set_xticks(plan.theory_tau_d_ms if len(plan.theory_tau_d_ms) < 6 else (0.5, 1, 2, 5))
    axes[2].axhline(-0.25, color="grey", ls=":", lw=1)
    axes[2].axhline(-0.5, color="grey", ls="--", lw=0.8)
    axes[2].set(xscale="log", xlabel="g / g_c(theory)", ylabel="exponent b of chi ~ N^b",
                title="b > -1/4: synchronous")
    for ax in axes:
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(ticker.FormatStrFormatter("%g"))
            axis.set_minor_formatter(ticker.NullFormatter())
    axes[0].set_yticks([0.2, 0.3, 0.5, 0.7, 1, 2, 5])
    axes[2].set_xticks([0.7, 1, 1.4])
    for ax in axes:
        ax.legend(fontsize="x-small")
    fig.suptitle(f"global coupling, alpha=20, mean excitability {MEAN_I} (fixed-mean reading), "
                 f"{plan.duration_s:g} s runs", fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="onset.py", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small version (under 3 minutes)")
    parser.add_argument("--out", default=None, help="output directory (default results/onset[_quick])")
    parser.add_argument("--target", default="cython", choices=("cython", "numpy"),
                        help="runtime target (cython compiles once for the whole study)")
    parser.add_argument("--sizes", type=int, nargs="+", default=None, help="network sizes (default: the mode's)")
    parser.add_argument("--tau-d", type=float, nargs="+", default=None, help="delays in ms (default: the mode's)")
    parser.add_argument("--spreads", type=float, nargs="+", default=None, help="spreads Delta (default: the mode's)")
    parser.add_argument("--dt-ms", type=float, default=0.1,
                        help="time step in ms (default 0.1; at 0.05 all six points lie within 6 %% of the theory: README)")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    for name, value in (("sizes", args.sizes), ("tau_d_ms", args.tau_d), ("spreads", args.spreads)):
        if value is not None:
            plan = replace(plan, **{name: tuple(value)})
    out = Path(args.out or Path("results") / ("onset_quick" if args.quick else "onset"))
    out.mkdir(parents=True, exist_ok=True)
    matplotlib.use("Agg")
    BrianLogger.suppress_name("resolution_conflict")
    table, judged, curve = run(plan, out, args.target, args.dt_ms)
    table.to_csv(out / "onset.csv", index=False)
    plot(table, judged, curve, plan, out / "onset.png")
    table["error_pct"] = 100 * (table["g_c"] / table["g_c_theory"] - 1)
    print(table.to_string(index=False, float_format="%.3g"))
    print(f"wrote {out / 'onset_runs.parquet'}, {out / 'onset.csv'}, {out / 'onset.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

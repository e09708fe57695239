"""Finite-size scaling at scale: chi against N up to 10^5, global and sparse coupling.

The asynchronous state's chi falls like N^{-1/2}, a collective oscillation's stays finite
(Luccioli, Angulo-Garcia & Torcini, Phys. Rev. E 99, 052412 (2019); Angulo-Garcia et al., New J.
Phys. 19, 053011 (2017): the thermodynamic limit). alpha = 20 / tau_m, evenly spaced
excitabilities; above 2000 neurons chi is computed from 2000 evenly spaced potentials and the
summed mean potential of all neurons (``neurodyn.studies.onset.synchrony_point``).

- global: shared field (O(N) per step), tau_d = 0.2 tau_m, I in [1.25, 1.75] (mean 1.5, spread
  0.5), g = 0.5, 1 and 2 times the linear-stability onset (``critical_coupling``, cutoff for
  N = 10^4); runs start in the mean field's asynchronous state.
- sparse: fixed in-degree K = 20, tau_d = 0.6 tau_m, I in [1, 1.5] (``studies/finite_size.py``),
  g = 3 (inside its oscillation window [0.5, 10] up to N = 3200) and g = 100 (outside).

    python studies/finite_size_scale.py [--quick] [--out DIR] [--target cython|numpy]

Writes OUT/finite_size_scale_runs.parquet (a rerun reuses it) and OUT/finite_size_scale.png
(chi and chi sqrt(N) against N, with the fitted exponent per g).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from brian2 import BrianLogger

from neurodyn.analysis.finite_size import chi_scaling
from neurodyn.studies.onset import StoredRuns
from neurodyn.theory.stability import Network, critical_coupling

TAU_M_MS, TAU_D_MS, I_L, I_U = 10.0, 2.0, 1.25, 1.75
FACTORS = (0.5, 1.0, 2.0)
SPARSE = dict(K=20, tau_d_ms=6.0, I_l=1.0, I_u=1.5, g=(3.0, 100.0))
RECORD_NEURONS = 2000
FULL = dict(sizes=(1000, 3162, 10000, 31623, 100000), duration_s=2.0, t_start_s=0.5)
QUICK = dict(sizes=(1000, 3162, 10000), duration_s=1.0, t_start_s=0.3)


def plot_part(frame: pd.DataFrame, axes, title: str, g_c: float | None = None) -> list[dict]:
    """chi (with the block errors) and chi sqrt(N) against N, one line per g; the fits."""
    fits = []
    for k, (g, part) in enumerate(frame.groupby("g")):
        part = part.sort_values("N")
        fit = chi_scaling(part["N"], part["chi"], part["chi_err"])
        fits.append({"part": title.split(":")[0], "g": g, "exponent": fit.exponent, "exponent_err": fit.error,
                     "synchronous": fit.is_synchronous(), "chi_at_largest_N": part["chi"].iloc[-1],
                     "freq_hz_at_largest_N": part["freq_hz"].iloc[-1]})
        ratio = f" ({g / g_c:.2g} g_c)" if g_c else ""
        label = f"g = {g:.3g}{ratio}: b = {fit.exponent:.2f} +- {fit.error:.2f}"
        axes[0].errorbar(part["N"], part["chi"], yerr=part["chi_err"], fmt="o-", color=f"C{k}", capsize=2, label=label)
        axes[1].plot(part["N"], part["chi"] * np.sqrt(part["N"]), "o-", color=f"C{k}")
    n = np.array([frame["N"].min(), frame["N"].max()])
    axes[0].plot(n, frame["chi"].max() * np.sqrt(n[0] / n), "k:", lw=0.8, label="N^-1/2")
    axes[0].set(xscale="log", yscale="log", xlabel="N", ylabel="chi")
    axes[0].set_title(title, fontsize="small")
    axes[1].set(xscale="log", yscale="log", xlabel="N", ylabel="chi sqrt(N) (flat: asynchronous)")
    axes[0].legend(fontsize="x-small")
    return fits


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="finite_size_scale.py", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N up to 10^4, 1 s runs (under 3 minutes)")
    parser.add_argument("--out", default=None, help="output directory (default results/finite_size_scale[_quick])")
    parser.add_argument("--target", default="cython", choices=("cython", "numpy"))
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    out = Path(args.out or Path("results") / ("finite_size_scale_quick" if args.quick else "finite_size_scale"))
    out.mkdir(parents=True, exist_ok=True)
    matplotlib.use("Agg")
    BrianLogger.suppress_name("resolution_conflict")
    g_c = critical_coupling(Network(tau_d=TAU_D_MS / TAU_M_MS, alpha=20.0, I_l=I_L, I_u=I_U, n_neurons=10000)).g
    common = dict(duration_s=plan["duration_s"], t_start_s=plan["t_start_s"], target=args.target,
                  record_neurons=RECORD_NEURONS)
    runs = StoredRuns(out / "finite_size_scale_runs.parquet", **common)
    parts = {"global": [], "sparse": []}
    for n in plan["sizes"]:
        jobs = [("global", round(factor * g_c, 6), TAU_D_MS, I_L, I_U, None) for factor in FACTORS]
        jobs += [("sparse", g, SPARSE["tau_d_ms"], SPARSE["I_l"], SPARSE["I_u"], SPARSE["K"]) for g in SPARSE["g"]]
        for name, g, tau_d_ms, i_l, i_u, k in jobs:
            row = runs.measure(g, n, tau_d_ms, i_l, i_u, K=k)
            print(f"{name} g={row['g']:.4g} N={n}: chi={row['chi']:.4f} +- {row['chi_err']:.4f}, "
                  f"peak {row['freq_hz']:.0f} Hz, rate {row['rate_hz']:.1f} Hz", flush=True)
            parts[name].append(row)
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(10, 7.6))
    fits = plot_part(pd.DataFrame(parts["global"]), axes[0], f"global: tau_d = {TAU_D_MS / TAU_M_MS:g} tau_m, "
                     f"I in [{I_L}, {I_U}], g_c = {g_c:.3g}", g_c)
    fits += plot_part(pd.DataFrame(parts["sparse"]), axes[1], f"sparse: K = {SPARSE['K']}, tau_d = "
                      f"{SPARSE['tau_d_ms'] / TAU_M_MS:g} tau_m, I in [{SPARSE['I_l']}, {SPARSE['I_u']}]")
    fig.suptitle(f"alpha = 20, {plan['duration_s']:g} s runs, chi from {RECORD_NEURONS} sampled potentials "
                 f"above N = {RECORD_NEURONS}", fontsize="small")
    fig.tight_layout()
    fig.savefig(out / "finite_size_scale.png", dpi=100)
    print(pd.DataFrame(fits).to_string(index=False, float_format="%.3g"))
    print(f"wrote {out / 'finite_size_scale_runs.parquet'}, {out / 'finite_size_scale.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Sparse mean fields against the simulation: which approximation gives the n_A minimum and rise?

Angulo-Garcia, Luccioli, Olmi & Torcini, New J. Phys. 19, 053011 (2017): in the sparse network
(fixed in-degree K) the active fraction n_A falls with g, then rises again. Three self-consistent
theories (``neurodyn.theory``), each with n_A = < 1 - exp(-nu W) > over the analysis window W:

- diffusion: every neuron sees the mean g R and white noise g^2 R / K (Siegert rate);
- quenched: as diffusion, plus the spread of each neuron's mean input from its K presynaptic
  rates, Var = Var(nu) / K (N - K)/(N - 1), self-consistent with the rate distribution;
- shot noise: Poisson input trains of the true, one-sided pulse size g/K (sampled), quenched
  rates as above;
- independent inputs: N model neurons driven through the true pulses by K independent (circularly
  shifted) trains from the population's own output, iterated to a fixed point (rates, quenched
  spread and bursts self-consistent; no correlations), in Brian2.

    python studies/sparse_theory.py [--quick] [--out DIR] [--workers N | --scheduler ADDRESS] [--target T]

Writes OUT/sparse_theory.parquet, OUT/sparse_theory.png and prints the errors per K.
"""
import sys
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from brian2 import ms, second

from neurodyn import InhibitoryNetwork
from neurodyn.studies import Study, product
from neurodyn.studies.cli import main
from neurodyn.studies.plots import finished, plot_curves
from neurodyn.theory.independent_inputs import independent_input_mean_fields
from neurodyn.theory.sparse import quenched_sparse_mean_field, shot_noise_mean_field

G_VALUES = (1, 2, 5, 20, 100, 500)
K_VALUES = (20, 40, 80)
FIXED = dict(N=400, alpha=20, tau_d=1 * ms, I_l=1.0, I_u=1.5, I_sampling="even")

STUDY = Study("sparse_theory", InhibitoryNetwork, product(g=G_VALUES, K=K_VALUES), duration=3 * second,
              t_start=1 * second, fixed=FIXED, show=("n_active_frac", "mean_rate_hz", "cv_mean"))
QUICK = STUDY.replace(grid=product(g=(1, 5, 100), K=(20, 80)))


def theories(frame: pd.DataFrame, study) -> pd.DataFrame:
    """The four mean fields at every simulated (g, K) (window = analysis window in tau_m); the
    independent-input one for all points at once (one Brian2 run per generation)."""
    fixed = InhibitoryNetwork(**study.fixed).values
    window = float((study.duration - study.transient) / fixed["tau_m"])
    rows = []
    for (g, K), _ in finished(frame).groupby(["g", "K"]):
        common = dict(I_l=fixed["I_l"], I_u=fixed["I_u"], N=fixed["N"], window=window, tau_m=fixed["tau_m"])
        for name, solution in (("diffusion", quenched_sparse_mean_field(g, int(K), quenched=False, **common)),
                               ("quenched", quenched_sparse_mean_field(g, int(K), **common)),
                               ("shot noise", shot_noise_mean_field(g, int(K), alpha=fixed["alpha"], duration=window,
                                                                    dt=0.02, iterations=8, **common))):
            rows.append({"g": g, "K": K, "theory": name, **solution.observables()})
    points = [(g, int(K)) for (g, K), _ in finished(frame).groupby(["g", "K"])]
    started = time.perf_counter()
    states = independent_input_mean_fields(points, I_l=fixed["I_l"], I_u=fixed["I_u"], N=fixed["N"],
                                           alpha=fixed["alpha"], window=window, max_generations=24, averaged=4,
                                           target="cython", tau_m=fixed["tau_m"])
    print(f"independent inputs: {time.perf_counter() - started:.0f} s, generations {states[0].generations}, "
          f"converged at {sum(state.converged for state in states)} of {len(states)} points")
    rows += [{"g": state.g, "K": state.K, "theory": "independent inputs", **state.observables(),
              "cv_mean": state.cv_mean, "n_A_theory_error": state.n_active_error,
              "rate_theory_rel_error": state.rate_error / state.rate_per_tau_m, "generations_run": state.generations,
              "converged": state.converged} for state in states]
    return pd.DataFrame(rows)


def plot(frame, study, out):
    """n_A and rate against g per K: simulation (points) and the four theories (lines)."""
    theory = theories(frame, study)
    simulated = finished(frame).groupby(["g", "K"])[["n_active_frac", "mean_rate_hz", "cv_mean"]].mean()
    fig, axes = plt.subplots(2, 3, figsize=(13, 7), sharex=True)
    for column, K in enumerate(sorted(finished(frame)["K"].unique())):
        for row, observable in enumerate(("n_active_frac", "mean_rate_hz")):
            ax = axes[row, column]
            plot_curves(finished(frame)[finished(frame)["K"] == K], "g", observable, ax=ax, logx=True)
            for (name, part), style in zip(theory[theory["K"] == K].groupby("theory"), ("--", ":", "-.", "-")):
                ax.plot(part["g"], part[observable], style, label=name)
            ax.set_title(f"K={K}", fontsize="small")
            ax.legend(fontsize="x-small")
    fig.suptitle(f"sparse coupling, N={study.fixed['N']}, alpha=20, tau_d=0.1 tau_m: simulation and mean fields",
                 fontsize="small")
    fig.tight_layout()
    path = out / "sparse_theory.png"
    fig.savefig(path, dpi=100)
    errors = theory.join(simulated, on=["g", "K"], rsuffix="_sim")
    errors["n_A_error"] = errors["n_active_frac"] - errors["n_active_frac_sim"]
    errors["rate_rel_error"] = errors["mean_rate_hz"] / errors["mean_rate_hz_sim"] - 1
    print(errors.pivot_table(index=["K", "g"], columns="theory", values="n_A_error").join(
        simulated["n_active_frac"].rename("n_A sim")).to_string(float_format="%.3f"))
    print(errors.groupby(["K", "theory"])[["n_A_error", "rate_rel_error"]].agg(lambda s: np.abs(s).max())
          .rename(columns=lambda c: "max |" + c + "|").to_string(float_format="%.3f"))
    independent = errors[errors["theory"] == "independent inputs"].set_index(["K", "g"])
    print(independent[["n_active_frac", "n_A_theory_error", "n_active_frac_sim", "mean_rate_hz",
                       "rate_theory_rel_error", "mean_rate_hz_sim", "cv_mean", "cv_mean_sim", "generations_run",
                       "converged"]].to_string(float_format="%.3f"))
    return [path]


if __name__ == "__main__":
    sys.exit(main(STUDY, QUICK, plot, description=__doc__.splitlines()[0]))

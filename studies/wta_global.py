"""Winner takes all in a globally coupled inhibitory network, against the mean field.

Luccioli, Angulo-Garcia & Torcini, Phys. Rev. E 99, 052412 (2019); Angulo-Garcia et al.,
New J. Phys. 19, 053011 (2017). Raising the inhibitory coupling g silences the least excitable
neurons first: the active fraction n_A and the mean rate fall monotonically with g. In the
asynchronous state the mean field is exact for N -> infinity::

    R = < nu(I - g R) >_I,   nu(mu) = 1 / ln(mu / (mu - 1)),   n_A = share of I_i > 1 + g R

The network is kept asynchronous with slow pulses and a short delay (alpha = 2, tau_d = 0.01
tau_m, see the README; ``neurodyn.theory.stability`` finds no onset up to g = 30 there).
Excitabilities are evenly spaced, in two readings of heterogeneity:

- top sweep: [1, I_u], one line per I_u (spread and mean drive grow together);
- fixed mean: [I_0 - Delta/2, I_0 + Delta/2] with I_0 = 1.25, one line per spread Delta
  (``neurodyn.theory.fixed_mean_axes``; Delta = 0.5 is the point [1, 1.5] of the top sweep).

    python studies/wta_global.py [--quick] [--out DIR] [--workers N | --scheduler ADDRESS] [--target T]

Writes OUT/wta_global.parquet and OUT/wta_global.png (n_A and rate vs g, mean field dashed; top
row the I_u sweep, bottom row the fixed-mean sweep).
"""
import sys

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from brian2 import ms, second

from neurodyn import InhibitoryNetwork
from neurodyn.studies import Study, product, zipped
from neurodyn.studies.cli import main
from neurodyn.studies.plots import plot_curves, theory_curve
from neurodyn.theory import fixed_mean_axes

G_VALUES = (0.5, 1, 2, 3, 5, 7, 10, 15, 20, 30)
I_U_VALUES = (1.2, 1.5, 2.0)
MEAN_I = 1.25
SPREADS = (0.2, 0.5, 1.0)
FIXED = dict(N=1000, alpha=2, tau_d=0.1 * ms, I_sampling="even")


def sweeps(g_values, i_u_values):
    """The top sweep (I_l = 1, product of g and I_u) and the fixed-mean sweep (g times the zipped
    I_l, I_u axes of SPREADS around MEAN_I), without repeating a point the top sweep holds."""
    top = product(g=g_values, I_u=i_u_values)
    axes = fixed_mean_axes(MEAN_I, SPREADS)
    ranges = [(low, high) for low, high in zip(axes["I_l"], axes["I_u"]) if not (low == 1.0 and high in i_u_values)]
    fixed_mean = zipped(g=[g for g in g_values for _ in ranges], I_l=[low for _ in g_values for low, _ in ranges],
                        I_u=[high for _ in g_values for _, high in ranges])
    return top + fixed_mean


STUDY = Study("wta_global", InhibitoryNetwork, sweeps(G_VALUES, I_U_VALUES).repeat(2),
              duration=5 * second, t_start=1 * second, fixed=FIXED,
              show=("n_active_frac", "mean_rate_hz", "chi_spikes"))
QUICK = STUDY.replace(grid=sweeps((1, 3, 10, 30), (1.2, 1.5)), duration=2 * second,
                      t_start=0.5 * second, fixed={**FIXED, "N": 400})


def fixed_mean_part(frame):
    """Rows of the fixed-mean reading (mean MEAN_I), with their spread as column ``Delta``."""
    part = frame[abs((frame["I_l"] + frame["I_u"]) / 2 - MEAN_I) < 1e-9]
    return part.assign(Delta=(part["I_u"] - part["I_l"]).round(6))


def fixed_mean_theory(g_axis, fixed, spreads):
    """The mean field along g for each spread around MEAN_I (columns g, Delta, n_A, rate in Hz)."""
    rows = []
    for spread in spreads:
        for g in g_axis:
            model = InhibitoryNetwork(**fixed, g=g, I_l=MEAN_I - spread / 2, I_u=MEAN_I + spread / 2)
            rows.append({"g": g, "Delta": spread, **model.theory().observables()})
    return pd.DataFrame(rows)


def plot(frame, study, out):
    """n_A and mean rate against g with the mean field: one line per I_u (top row, I_l = 1) and
    one per spread Delta at fixed mean (bottom row)."""
    g_axis = np.geomspace(min(frame["g"]), max(frame["g"]), 60)
    top = frame[frame["I_l"] == 1.0]
    i_u = sorted(top["I_u"].unique())
    theory = theory_curve(InhibitoryNetwork, "g", g_axis, study.fixed, by="I_u", by_values=i_u)
    spread = fixed_mean_part(frame)
    spread_theory = fixed_mean_theory(g_axis, study.fixed, sorted(spread["Delta"].unique()))
    fig, axes = plt.subplots(2, 2, figsize=(10, 7.4))
    for column, observable in enumerate(("n_active_frac", "mean_rate_hz")):
        plot_curves(top, "g", observable, by="I_u", theory=theory, ax=axes[0, column], logx=True)
        axes[0, column].set_title("I_l = 1, top I_u swept (spread and mean grow together)", fontsize="small")
        plot_curves(spread, "g", observable, by="Delta", theory=spread_theory, ax=axes[1, column], logx=True)
        axes[1, column].set_title(f"fixed mean {MEAN_I}: I in [{MEAN_I} - Delta/2, {MEAN_I} + Delta/2]",
                                  fontsize="small")
    print(spread[spread["g"] == 1].groupby("Delta")["n_active_frac"].mean().rename("n_A at g=1 (simulation)")
          .to_frame().join(spread_theory[np.isclose(spread_theory["g"], 1)].set_index("Delta")["n_active_frac"]
                           .rename("mean field"), how="left").to_string(float_format="%.3f"))
    fig.suptitle(f"global coupling, N={study.fixed['N']}, alpha=2, tau_d=0.01 tau_m: simulation (points) "
                 f"and mean field (dashed)", fontsize="small")
    fig.tight_layout()
    path = out / "wta_global.png"
    fig.savefig(path, dpi=110)
    return [path]


if __name__ == "__main__":
    sys.exit(main(STUDY, QUICK, plot, description=__doc__.splitlines()[0]))

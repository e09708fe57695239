"""Does the window of collective oscillations stay finite as N grows at fixed in-degree K?

Angulo-Garcia, Luccioli, Olmi & Torcini, New J. Phys. 19, 053011 (2017); Luccioli,
Angulo-Garcia & Torcini, Phys. Rev. E 99, 052412 (2019). In sparse inhibitory networks the
population oscillates only in a finite window of couplings g; at large g neurons burst and the
oscillation is lost. The delay is long (tau_d = 0.6 tau_m): with tau_d <= 0.3 tau_m this
network at K = 20 showed no oscillation at any g in a first look. The question here is whether that window is a finite-size effect: the
window is measured at fixed K = 20 for growing N.

Per point: Golomb-Hansel chi, Kuramoto r and the PSD peak (``neurodyn.analysis.summarize``).
The window is the range of grid g values with chi >= CHI_OSC (chi of an asynchronous network
is of order 1/sqrt(N), below CHI_OSC for every N here).

    python studies/finite_size.py [--quick] [--out DIR] [--workers N | --scheduler ADDRESS] [--target T]

Writes OUT/finite_size.parquet and OUT/finite_size.png (chi and r against g per N; window
against N).
"""
import sys

import matplotlib.pyplot as plt
import pandas as pd
from brian2 import ms, second

from neurodyn import InhibitoryNetwork
from neurodyn.studies import Study, product
from neurodyn.studies.cli import main
from neurodyn.studies.plots import finished, plot_curves

CHI_OSC = 0.2
G_VALUES = (0.1, 0.2, 0.5, 1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 100)
N_VALUES = (200, 400, 800, 1600, 3200)
FIXED = dict(K=20, alpha=20, tau_d=6 * ms)

STUDY = Study("finite_size", InhibitoryNetwork, product(g=G_VALUES, N=N_VALUES).repeat(2), duration=5 * second,
              t_start=1 * second, fixed=FIXED, show=("chi_spikes", "kuramoto_r", "peak_freq_hz", "n_active_frac"))
QUICK = STUDY.replace(grid=product(g=(0.1, 0.3, 1, 3, 10, 30, 100), N=(200, 400, 800)), duration=2 * second,
                      t_start=0.5 * second)


def oscillation_window(frame: pd.DataFrame) -> pd.DataFrame:
    """Per N: the smallest and largest grid g with mean chi >= CHI_OSC (NaN: none)."""
    chi = finished(frame).groupby(["N", "g"])["chi_spikes"].mean().reset_index()
    above = chi[chi["chi_spikes"] >= CHI_OSC].groupby("N")["g"].agg(g_low="min", g_high="max")
    return above.reindex(sorted(chi["N"].unique())).reset_index()


def plot(frame, study, out):
    """chi and Kuramoto r against g (one line per N), and the oscillation window against N."""
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
    for ax, observable in zip(axes, ("chi_spikes", "kuramoto_r")):
        plot_curves(frame, "g", observable, by="N", ax=ax, logx=True)
    axes[0].axhline(CHI_OSC, color="grey", lw=0.8, ls=":")
    window = oscillation_window(frame)
    shown = window.dropna()
    axes[2].vlines(shown["N"], shown["g_low"], shown["g_high"], lw=6)
    axes[2].set(xscale="log", yscale="log", xlabel="N", ylabel=f"g with chi >= {CHI_OSC}",
                title=f"oscillation window, K={study.fixed['K']}")
    axes[2].set_xticks(window["N"], [str(n) for n in window["N"]])
    axes[2].tick_params(axis="x", which="minor", labelbottom=False)
    fig.suptitle(f"sparse coupling K={study.fixed['K']}, alpha=20, tau_d=0.6 tau_m", fontsize="small")
    fig.tight_layout()
    path = out / "finite_size.png"
    fig.savefig(path, dpi=100)
    print(window.to_string(index=False))
    return [path]


if __name__ == "__main__":
    sys.exit(main(STUDY, QUICK, plot, description=__doc__.splitlines()[0]))

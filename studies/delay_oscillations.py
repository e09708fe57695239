"""Collective oscillations of a delayed inhibitory network: onset above g_c(tau_d).

Luccioli, Angulo-Garcia & Torcini, Phys. Rev. E 99, 052412 (2019). With fast pulses
(alpha = 20 / tau_m) and a long enough delay tau_d, the asynchronous state of the globally
coupled network loses stability above a critical coupling g_c(tau_d) and the population
oscillates (Brunel & Hakim 1999 for the sparse case). The paper reports that more
heterogeneity (a wider excitability range [I_l, I_u]) favours asynchrony, and a longer delay
counteracts it.

Per point: Golomb-Hansel chi (from smoothed spikes), Kuramoto order parameter r and the
frequency of the population-rate PSD peak (``neurodyn.analysis.summarize``). The onset
g_c(tau_d) is read off as the smallest g of the grid with chi >= CHI_ONSET, and drawn beside
the onset from linear stability of the asynchronous state (``neurodyn.theory.stability``:
smallest g at which a mode grows at rate 0.02 / tau_m, dashed). chi_spikes smooths spikes with a
2 ms Gaussian, which hides oscillations above ~100 Hz such as the ~280 Hz mode of the theory at
short delays.

    python studies/delay_oscillations.py [--quick] [--out DIR] [--workers N | --scheduler ADDRESS] [--target T]

Writes OUT/delay_oscillations.parquet, OUT/delay_oscillations.png (heat maps over g and
tau_d, one row per I_u) and OUT/delay_onset.png (g_c against tau_d, one line per I_u).
"""
import sys

import matplotlib.pyplot as plt
import pandas as pd
from brian2 import ms, second

from neurodyn import InhibitoryNetwork
from neurodyn.studies import Study, product
from neurodyn.studies.plots import finished, plot_heatmap
from neurodyn.studies.cli import main
from neurodyn.theory.stability import Network, critical_coupling

CHI_ONSET = 0.2
G_VALUES = (0.5, 1, 2, 3, 5, 7, 10, 15, 20)
TAU_D_VALUES = tuple(value * ms for value in (0.1, 0.2, 0.5, 1, 2, 5))
I_U_VALUES = (1.1, 1.2, 1.5, 2.0)
FIXED = dict(N=800, alpha=20, I_sampling="even")

STUDY = Study("delay_oscillations", InhibitoryNetwork, product(g=G_VALUES, tau_d=TAU_D_VALUES, I_u=I_U_VALUES),
              duration=4 * second, t_start=1 * second, fixed=FIXED,
              show=("chi_spikes", "kuramoto_r", "peak_freq_hz", "n_active_frac"))
QUICK = STUDY.replace(grid=product(g=(1, 2, 5, 10, 20), tau_d=(0.2 * ms, 1 * ms, 3 * ms), I_u=(1.2, 1.5)),
                      duration=1 * second, t_start=0.3 * second, fixed={**FIXED, "N": 200})


def onset(frame: pd.DataFrame) -> pd.DataFrame:
    """g_c per (I_u, tau_d): the smallest g with mean chi >= CHI_ONSET (NaN if none)."""
    chi = finished(frame).groupby(["I_u", "tau_d_ms", "g"])["chi_spikes"].mean().reset_index()
    above = chi[chi["chi_spikes"] >= CHI_ONSET]
    g_c = above.groupby(["I_u", "tau_d_ms"])["g"].min()
    return g_c.reindex(pd.MultiIndex.from_frame(chi[["I_u", "tau_d_ms"]].drop_duplicates())).rename("g_c").reset_index()


def theory_onset(study, i_u_values, tau_d_ms_values) -> pd.DataFrame:
    """g_c and onset frequency from linear stability per (I_u, tau_d), for the study's N and alpha."""
    fixed = InhibitoryNetwork(**study.fixed).values
    tau_m_ms = float(fixed["tau_m"] / ms)
    rows = []
    for i_u in i_u_values:
        for tau_d_ms in tau_d_ms_values:
            network = Network(tau_d=tau_d_ms / tau_m_ms, alpha=fixed["alpha"], I_l=fixed["I_l"], I_u=i_u,
                              n_neurons=fixed["N"])
            crossing = critical_coupling(network, g_max=max(G_VALUES))
            rows.append({"I_u": i_u, "tau_d_ms": tau_d_ms, "g_c_theory": crossing.g if crossing else float("nan"),
                         "f_theory_hz": crossing.frequency_hz(tau_m_ms * 1e-3) if crossing else float("nan")})
    return pd.DataFrame(rows)


def plot(frame, study, out):
    """Heat maps of chi, Kuramoto r and peak frequency over (g, tau_d) per I_u; g_c(tau_d)."""
    frame = frame.assign(peak_freq_hz=frame["peak_freq_hz"].where(frame["has_oscillation"].astype(bool)))
    i_u = sorted(frame["I_u"].unique())
    fig, axes = plt.subplots(len(i_u), 3, figsize=(14, 3.6 * len(i_u)), squeeze=False)
    for row, value in enumerate(i_u):
        part = frame[frame["I_u"] == value]
        for col, observable in enumerate(("chi_spikes", "kuramoto_r", "peak_freq_hz")):
            ax = plot_heatmap(part, "g", "tau_d_ms", observable, ax=axes[row, col],
                              fmt="{:.0f}" if observable == "peak_freq_hz" else "{:.2f}")
            ax.set_title(f"{observable}, I_u={value:g}", fontsize="small")
    fig.suptitle(f"global coupling, N={study.fixed['N']}, alpha=20 (peak frequency blank: no oscillation)",
                 fontsize="small")
    fig.tight_layout()
    heat_path = out / "delay_oscillations.png"
    fig.savefig(heat_path, dpi=100)
    g_c = onset(frame)
    theory = theory_onset(study, i_u, sorted(g_c["tau_d_ms"].unique()))
    fig, ax = plt.subplots(figsize=(5, 3.6))
    for value, part in g_c.groupby("I_u"):
        line = ax.plot(part["tau_d_ms"], part["g_c"], "o-", label=f"I_u={value:g}, chi >= {CHI_ONSET}")
        curve = theory[theory["I_u"] == value]
        ax.plot(curve["tau_d_ms"], curve["g_c_theory"], "--", color=line[0].get_color(),
                label=f"I_u={value:g}, linear stability")
    ax.set_xscale("log")
    ax.set_xticks(sorted(g_c["tau_d_ms"].unique()), [f"{v:g}" for v in sorted(g_c["tau_d_ms"].unique())])
    ax.tick_params(axis="x", which="minor", labelbottom=False)
    ax.set_xlabel("tau_d_ms")
    ax.set_yscale("log")
    ax.set_ylabel("g_c")
    ax.legend(fontsize="small")
    fig.tight_layout()
    onset_path = out / "delay_onset.png"
    fig.savefig(onset_path, dpi=110)
    peaks = finished(frame).groupby(["I_u", "tau_d_ms", "g"])["peak_freq_hz"].mean()
    table = g_c.merge(theory, on=["I_u", "tau_d_ms"])
    table["f_measured_hz"] = [peaks.get((row.I_u, row.tau_d_ms, row.g_c), float("nan")) for row in table.itertuples()]
    print(table.to_string(index=False, float_format="%.3g"))
    return [heat_path, onset_path]


if __name__ == "__main__":
    sys.exit(main(STUDY, QUICK, plot, description=__doc__.splitlines()[0]))

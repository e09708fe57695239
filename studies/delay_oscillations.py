"""Collective oscillations of a delayed inhibitory network: onset above g_c(tau_d).

Luccioli, Angulo-Garcia & Torcini, Phys. Rev. E 99, 052412 (2019). With fast pulses
(alpha = 20 / tau_m) and a long enough delay tau_d, the asynchronous state of the globally
coupled network loses stability above a critical coupling g_c(tau_d) and the population
oscillates (Brunel & Hakim 1999 for the sparse case). The paper reports that more
heterogeneity (a wider excitability range [I_l, I_u]) favours asynchrony, and a longer delay
counteracts it. Heterogeneity in two readings (evenly spaced excitabilities):

- top sweep: [1, I_u], one row / line per I_u (spread and mean drive grow together);
- fixed mean: [I_0 - Delta/2, I_0 + Delta/2] with I_0 = 1.25, one per spread Delta
  (``neurodyn.theory.fixed_mean_axes``; Delta = 0.5 is the point [1, 1.5] of the top sweep).

Per point: Golomb-Hansel chi (from smoothed spikes), Kuramoto order parameter r and the
frequency of the population-rate PSD peak (``neurodyn.analysis.summarize``). The onset
g_c(tau_d) is read off as the smallest g of the grid with chi >= CHI_ONSET, and drawn beside
the onset from linear stability of the asynchronous state (``neurodyn.theory.stability``:
smallest g at which a mode grows at rate 0.02 / tau_m, dashed). chi_spikes smooths spikes with a
2 ms Gaussian, which hides oscillations above ~100 Hz such as the ~280 Hz mode of the theory at
short delays.

    python studies/delay_oscillations.py [--quick] [--out DIR] [--workers N | --scheduler ADDRESS] [--target T]

Writes OUT/delay_oscillations.parquet, OUT/delay_oscillations.png (heat maps over g and
tau_d, one row per excitability range) and OUT/delay_onset.png (g_c against tau_d, one line per
I_u on the left, per Delta at fixed mean on the right). studies/onset.py locates the onset
without the chi threshold.
"""
import sys

import matplotlib.pyplot as plt
import pandas as pd
from brian2 import ms, second

from neurodyn import InhibitoryNetwork
from neurodyn.studies import Study, product, zipped
from neurodyn.studies.plots import finished, plot_heatmap
from neurodyn.studies.cli import main
from neurodyn.theory import fixed_mean_axes
from neurodyn.theory.stability import Network, critical_coupling

CHI_ONSET = 0.2
G_VALUES = (0.5, 1, 2, 3, 5, 7, 10, 15, 20)
TAU_D_VALUES = tuple(value * ms for value in (0.1, 0.2, 0.5, 1, 2, 5))
I_U_VALUES = (1.1, 1.2, 1.5, 2.0)
MEAN_I = 1.25
SPREADS = (0.2, 0.5, 1.0)
FIXED = dict(N=800, alpha=20, I_sampling="even")
RANGE = ["I_l", "I_u"]


def sweeps(g_values, tau_d_values, i_u_values, spreads=SPREADS):
    """The top sweep (I_l = 1: product of g, tau_d and I_u) and the fixed-mean sweep (g x tau_d x
    the zipped I_l, I_u of the spreads around MEAN_I), without repeating a point the top sweep holds."""
    top = product(g=g_values, tau_d=tau_d_values, I_u=i_u_values)
    axes = fixed_mean_axes(MEAN_I, spreads)
    ranges = [(low, high) for low, high in zip(axes["I_l"], axes["I_u"]) if not (low == 1.0 and high in i_u_values)]
    combos = [(g, tau_d, low, high) for g in g_values for tau_d in tau_d_values for low, high in ranges]
    return top + zipped(**{name: [c[k] for c in combos] for k, name in enumerate(("g", "tau_d", "I_l", "I_u"))})


STUDY = Study("delay_oscillations", InhibitoryNetwork, sweeps(G_VALUES, TAU_D_VALUES, I_U_VALUES),
              duration=4 * second, t_start=1 * second, fixed=FIXED,
              show=("chi_spikes", "kuramoto_r", "peak_freq_hz", "n_active_frac"))
QUICK = STUDY.replace(grid=sweeps((1, 2, 5, 10, 20), (0.2 * ms, 1 * ms, 3 * ms), (1.2, 1.5)),
                      duration=1 * second, t_start=0.3 * second, fixed={**FIXED, "N": 200})


def onset_panels(i_l: float, i_u: float) -> list[tuple[int, str]]:
    """Where the g_c(tau_d) line of the range [i_l, i_u] is drawn, with its label: the top sweep
    (I_l = 1) on the left as ``I_u=1.5``, the fixed-mean sweep on the right as ``Delta=0.2 (mean
    1.25)``; Delta = 0.5, the range [1, 1.5], belongs to both."""
    panels = [(0, f"I_u={i_u:g}")] if i_l == 1.0 else []
    if (i_l, i_u) in zip(*fixed_mean_axes(MEAN_I, SPREADS).values()):
        panels.append((1, f"Delta={i_u - i_l:.3g} (mean {MEAN_I:g})"))
    return panels


def onset(frame: pd.DataFrame) -> pd.DataFrame:
    """g_c per (I_l, I_u, tau_d): the smallest g with mean chi >= CHI_ONSET (NaN if none)."""
    chi = finished(frame).groupby([*RANGE, "tau_d_ms", "g"])["chi_spikes"].mean().reset_index()
    above = chi[chi["chi_spikes"] >= CHI_ONSET]
    g_c = above.groupby([*RANGE, "tau_d_ms"])["g"].min()
    keys = pd.MultiIndex.from_frame(chi[[*RANGE, "tau_d_ms"]].drop_duplicates())
    return g_c.reindex(keys).rename("g_c").reset_index()


def theory_onset(study, ranges, tau_d_ms_values) -> pd.DataFrame:
    """g_c and onset frequency from linear stability per (I_l, I_u, tau_d), for the study's N and alpha."""
    fixed = InhibitoryNetwork(**study.fixed).values
    tau_m_ms = float(fixed["tau_m"] / ms)
    rows = []
    for i_l, i_u in ranges:
        for tau_d_ms in tau_d_ms_values:
            network = Network(tau_d=tau_d_ms / tau_m_ms, alpha=fixed["alpha"], I_l=i_l, I_u=i_u, n_neurons=fixed["N"])
            crossing = critical_coupling(network, g_max=max(G_VALUES))
            rows.append({"I_l": i_l, "I_u": i_u, "tau_d_ms": tau_d_ms,
                         "g_c_theory": crossing.g if crossing else float("nan"),
                         "f_theory_hz": crossing.frequency_hz(tau_m_ms * 1e-3) if crossing else float("nan")})
    return pd.DataFrame(rows)


def plot(frame, study, out):
    """Heat maps of chi, Kuramoto r and peak frequency over (g, tau_d) per excitability range;
    g_c(tau_d) for the top sweep (left) and the fixed-mean sweep (right)."""
    frame = frame.assign(peak_freq_hz=frame["peak_freq_hz"].where(frame["has_oscillation"].astype(bool)))
    ranges = sorted({(row.I_l, row.I_u) for row in frame[RANGE].drop_duplicates().itertuples()},
                    key=lambda r: (r[0] != 1.0, r[1] - r[0]))
    fig, axes = plt.subplots(len(ranges), 3, figsize=(14, 3.6 * len(ranges)), squeeze=False)
    for row, (i_l, i_u) in enumerate(ranges):
        part = frame[(frame["I_l"] == i_l) & (frame["I_u"] == i_u)]
        for col, observable in enumerate(("chi_spikes", "kuramoto_r", "peak_freq_hz")):
            ax = plot_heatmap(part, "g", "tau_d_ms", observable, ax=axes[row, col],
                              fmt="{:.0f}" if observable == "peak_freq_hz" else "{:.2f}")
            ax.set_title(f"{observable}, I in [{i_l:g}, {i_u:g}]", fontsize="small")
    fig.suptitle(f"global coupling, N={study.fixed['N']}, alpha=20 (peak frequency blank: no oscillation)",
                 fontsize="small")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.3 / fig.get_figheight()))  # room for the suptitle
    heat_path = out / "delay_oscillations.png"
    fig.savefig(heat_path, dpi=100)
    g_c = onset(frame)
    tau_d_ms = sorted(g_c["tau_d_ms"].unique())
    theory = theory_onset(study, ranges, tau_d_ms)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    drawn = [0, 0]  # lines per panel: each gets its own open marker, smaller in turn, so equal g_c stay visible
    for (i_l, i_u), part in g_c.groupby(RANGE):
        curve = theory[(theory["I_l"] == i_l) & (theory["I_u"] == i_u)]
        for panel, label in onset_panels(i_l, i_u):
            k, drawn[panel] = drawn[panel], drawn[panel] + 1
            line = axes[panel].plot(part["tau_d_ms"], part["g_c"], "osD^v"[k % 5] + "-", mfc="none",
                                    ms=9 - 1.2 * k, label=f"{label}, chi >= {CHI_ONSET}")
            axes[panel].plot(curve["tau_d_ms"], curve["g_c_theory"], "--", color=line[0].get_color(),
                             label=f"{label}, linear stability")
    axes[0].set_title("I_l = 1, top I_u swept", fontsize="small")
    axes[1].set_title(f"fixed mean {MEAN_I:g}, spread Delta (Delta = 0.5 is I_u = 1.5, also left)",
                      fontsize="small")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xticks(tau_d_ms, [f"{v:g}" for v in tau_d_ms])
        ax.tick_params(axis="x", which="minor", labelbottom=False)
        ax.set_xlabel("tau_d_ms")
        ax.set_yscale("log")
        ax.legend(fontsize="x-small")
    axes[0].set_ylabel("g_c")
    fig.tight_layout()
    onset_path = out / "delay_onset.png"
    fig.savefig(onset_path, dpi=110)
    peaks = finished(frame).groupby([*RANGE, "tau_d_ms", "g"])["peak_freq_hz"].mean()
    table = g_c.merge(theory, on=[*RANGE, "tau_d_ms"])
    table["f_measured_hz"] = [peaks.get((row.I_l, row.I_u, row.tau_d_ms, row.g_c), float("nan"))
                              for row in table.itertuples()]
    print(table.to_string(index=False, float_format="%.3g"))
    return [heat_path, onset_path]


if __name__ == "__main__":
    sys.exit(main(STUDY, QUICK, plot, description=__doc__.splitlines()[0]))

"""Figures of an EI network run: raster coloured by spike sign over the +1 / -1 population rates."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from neurodyn.analysis.rates import population_rate  # noqa: E402
from neurodyn.models.eicil import spike_signs, spikes_of_sign  # noqa: E402
from neurodyn.results import SimulationResult  # noqa: E402

SIGN_STYLES = ((1, "tab:red", "+1 (excitatory)"), (-1, "tab:blue", "-1 (inhibitory)"))


def plot_signed_raster_and_rates(result: SimulationResult, max_neurons: int = 200, bin_ms: float = 1.0,
                                 smooth_ms: float | None = 2.0, title: str | None = None) -> plt.Figure:
    """Raster of at most ``max_neurons`` (evenly chosen) neurons, +1 spikes red and -1 blue,
    above the population rate of each sign (spikes per bin / (N * bin), Gaussian-smoothed
    with standard deviation ``smooth_ms`` unless None)."""
    shown = np.unique(np.linspace(0, result.n_neurons - 1, min(max_neurons, result.n_neurons)).astype(int))
    signs = spike_signs(result)
    fig, (ax_raster, ax_rate) = plt.subplots(2, 1, sharex=True, figsize=(9, 6),
                                             gridspec_kw={"height_ratios": [3, 1]})
    for sign, colour, label in SIGN_STYLES:
        keep = np.isin(result.spike_i, shown) & (signs == sign)
        ax_raster.plot(result.spike_t[keep] * 1e3, result.spike_i[keep], ".", color=colour, ms=1.5,
                       rasterized=True)
        rate = population_rate(spikes_of_sign(result, sign), bin_width=bin_ms * 1e-3,
                               smooth_width=None if smooth_ms is None else smooth_ms * 1e-3)
        ax_rate.plot(rate["t_ms"], rate["pop_rate_hz"], color=colour, lw=0.8, label=label)
    ax_raster.set_ylabel("neuron")
    ax_raster.set_ylim(-0.5, result.n_neurons - 0.5)
    ax_rate.set_xlabel("time (ms)")
    ax_rate.set_ylabel("population rate (Hz)")
    ax_rate.set_xlim(result.t_start * 1e3, result.t_stop * 1e3)
    ax_rate.legend(loc="upper right", fontsize="small")
    n_plus = int(np.sum(signs > 0))
    ax_raster.set_title(title or f"{result.model}: {n_plus} +1 and {len(signs) - n_plus} -1 spikes, "
                                 f"N = {result.n_neurons}")
    fig.tight_layout()
    return fig

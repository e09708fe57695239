"""Figures of a simulation result: spike raster above the population rate."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from neurodyn.results import SimulationResult  # noqa: E402


def plot_raster_and_rate(result: SimulationResult, max_neurons: int = 500, bin_ms: float = 1.0,
                         title: str | None = None) -> plt.Figure:
    """Raster of at most ``max_neurons`` (evenly chosen) neurons over the population rate.

    Neurons are ordered by index, which for the inhibitory network with evenly spaced
    excitabilities is also the order of excitability.
    """
    shown = np.unique(np.linspace(0, result.n_neurons - 1, min(max_neurons, result.n_neurons)).astype(int))
    keep = np.isin(result.spike_i, shown)
    fig, (ax_raster, ax_rate) = plt.subplots(2, 1, sharex=True, figsize=(9, 6),
                                             gridspec_kw={"height_ratios": [3, 1]})
    ax_raster.plot(result.spike_t[keep] * 1e3, result.spike_i[keep], ",k", rasterized=True)
    ax_raster.set_ylabel("neuron")
    ax_raster.set_ylim(-0.5, result.n_neurons - 0.5)
    rate = result.population_rate_frame(bin_ms=bin_ms)
    ax_rate.plot(rate["t_ms"], rate["pop_rate_hz"], "k", lw=0.8)
    ax_rate.set_xlabel("time (ms)")
    ax_rate.set_ylabel("population rate (Hz)")
    ax_rate.set_xlim(result.t_start * 1e3, result.t_stop * 1e3)
    ax_raster.set_title(title or f"{result.model}: {len(result.spike_t)} spikes, N = {result.n_neurons}")
    fig.tight_layout()
    return fig

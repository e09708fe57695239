"""Analysis of spiking populations: exact, vectorised, tidy (``docs/analysis.md``).

Every function takes a result object or the arrays ``i`` (neuron) and ``t`` (s) with
``n_neurons`` and ``t_stop``; :func:`spike_trains` sorts once, and a
:class:`SpikeTrains` passed on is not sorted again.
"""
from neurodyn.analysis.bursting import (Bursts, burst_statistics, detect_bursts, find_bursts, logisi_thresholds,
                                        population_bursting)
from neurodyn.analysis.irregularity import interspike_intervals, irregularity, mean_irregularity
from neurodyn.analysis.neo_export import to_neo
from neurodyn.analysis.oscillations import oscillation, power_spectrum
from neurodyn.analysis.plots import plot_isi_histogram, plot_power_spectrum, plot_rate_vs_cv
from neurodyn.analysis.rates import n_active_fraction, neuron_rates, population_rate
from neurodyn.analysis.spikes import SpikeTrains, spike_trains
from neurodyn.analysis.summary import neuron_table, summarize
from neurodyn.analysis.synchrony import (chi_from_running_sums, chi_from_spikes, chi_from_voltage, kuramoto_order,
                                         kuramoto_r, spike_count_correlation)

__all__ = ["Bursts", "SpikeTrains", "burst_statistics", "chi_from_running_sums", "chi_from_spikes",
           "chi_from_voltage", "detect_bursts", "find_bursts", "interspike_intervals", "irregularity",
           "kuramoto_order", "kuramoto_r", "logisi_thresholds", "mean_irregularity", "n_active_fraction",
           "neuron_rates", "neuron_table", "oscillation", "plot_isi_histogram", "plot_power_spectrum",
           "plot_rate_vs_cv", "population_bursting", "population_rate", "power_spectrum",
           "spike_count_correlation", "spike_trains", "summarize", "to_neo"]

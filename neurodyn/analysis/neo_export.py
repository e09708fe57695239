"""Export to Neo spike trains, to continue in Elephant and the Neo ecosystem."""
from __future__ import annotations

import numpy as np

from neurodyn.analysis.spikes import spike_trains


def to_neo(data, t=None, *, n_neurons=None, t_start=None, t_stop=None, neurons=None) -> list:
    """One ``neo.SpikeTrain`` (in seconds, with the analysis window) per neuron.

    Parameters
    ----------
    neurons : array_like of int, optional
        Neurons to export, in this order; default all ``n_neurons`` (silent ones give
        empty trains).

    Returns
    -------
    list of neo.SpikeTrain
        Times in s, ``t_start``/``t_stop`` the window, ``annotations["neuron"]`` the index.

    Raises
    ------
    ImportError
        Without Neo installed (``pip install neurodyn[test]`` or ``pip install neo``).
    """
    try:
        import neo
        import quantities as pq
    except ImportError as error:
        raise ImportError("to_neo needs Neo: pip install 'neurodyn[test]' (or pip install neo)") from error
    trains = spike_trains(data, t, n_neurons=n_neurons, t_start=t_start, t_stop=t_stop)
    neurons = np.arange(trains.n_neurons) if neurons is None else np.asarray(neurons, dtype=np.int64)
    if neurons.size and (neurons.min() < 0 or neurons.max() >= trains.n_neurons):
        raise ValueError(f"neurons must lie in [0, {trains.n_neurons}), got {neurons.min()}..{neurons.max()}")
    offsets = trains.offsets
    return [neo.SpikeTrain(trains.t[offsets[k]:offsets[k + 1]], units=pq.s, t_start=trains.t_start * pq.s,
                           t_stop=trains.t_stop * pq.s, neuron=int(k))
            for k in neurons]

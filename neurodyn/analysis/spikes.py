"""Spike trains of a whole population as two flat arrays, validated and sorted once.

Every analysis function accepts either a result object (anything with ``spike_i``,
``spike_t``, ``n_neurons``, ``t_start``, ``t_stop`` and optionally ``params``,
``voltage``) or the arrays ``i`` (neuron index) and ``t`` (spike time, s) together with
``n_neurons`` and ``t_stop``. :func:`spike_trains` turns either into a
:class:`SpikeTrains`: spikes sorted by (neuron, time) and restricted to the analysis
window ``[t_start, t_stop)``. Functions called with a :class:`SpikeTrains` reuse its
sorting, so a pipeline sorts 10^7 spikes once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix


@dataclass(frozen=True)
class SpikeTrains:
    """Spikes of ``n_neurons`` neurons in the window ``[t_start, t_stop)`` (seconds).

    Attributes
    ----------
    neuron : ndarray of int64
        Neuron index of every spike, sorted ascending.
    t : ndarray of float64
        Spike times (s), ascending within each neuron.
    n_neurons : int
        Size of the population, silent neurons included.
    t_start, t_stop : float
        Analysis window (s), ``t_start <= t < t_stop`` for every spike.
    params : dict
        Parameters of the run that produced the spikes (empty for bare arrays).
    voltage : object or None
        Voltage record (``t``, ``neurons``, ``v``) of the source result, not windowed.
    """

    neuron: np.ndarray
    t: np.ndarray
    n_neurons: int
    t_start: float
    t_stop: float
    params: dict = field(default_factory=dict)
    voltage: Any = None

    @property
    def duration(self) -> float:
        """Window length t_stop - t_start (s)."""
        return self.t_stop - self.t_start

    @property
    def n_spikes(self) -> int:
        return len(self.t)

    @cached_property
    def counts(self) -> np.ndarray:
        """Spikes per neuron, shape (n_neurons,)."""
        return np.bincount(self.neuron, minlength=self.n_neurons)

    @cached_property
    def offsets(self) -> np.ndarray:
        """Neuron k's spikes are ``t[offsets[k]:offsets[k + 1]]``; shape (n_neurons + 1,)."""
        return np.concatenate(([0], np.cumsum(self.counts)))

    @cached_property
    def same_neuron(self) -> np.ndarray:
        """``same_neuron[p]``: spikes p and p + 1 belong to one neuron; shape (n_spikes - 1,)."""
        return self.neuron[1:] == self.neuron[:-1]

    @cached_property
    def gaps(self) -> np.ndarray:
        """``t[p + 1] - t[p]`` (s) for every p; an inter-spike interval where ``same_neuron``."""
        return np.diff(self.t)

    @cached_property
    def isi(self) -> np.ndarray:
        """Inter-spike intervals (s), neuron by neuron, in temporal order."""
        return self.gaps[self.same_neuron]

    @cached_property
    def isi_neuron(self) -> np.ndarray:
        """Neuron of every interval in :attr:`isi`."""
        return self.neuron[1:][self.same_neuron]

    def window(self, t_start: float | None = None, t_stop: float | None = None) -> "SpikeTrains":
        """The same trains restricted to a sub-window ``[t_start, t_stop)`` of this one."""
        t_start, t_stop = _check_window(t_start, t_stop, self.t_start, self.t_stop)
        if (t_start, t_stop) == (self.t_start, self.t_stop):
            return self
        keep = (self.t >= t_start) & (self.t < t_stop)
        return SpikeTrains(self.neuron[keep], self.t[keep], self.n_neurons, t_start, t_stop,
                           self.params, self.voltage)


def spike_trains(data, t=None, *, n_neurons: int | None = None, t_start: float | None = None,
                 t_stop: float | None = None) -> SpikeTrains:
    """Validate, sort by (neuron, time) and window the spikes of a population.

    Parameters
    ----------
    data : result object, SpikeTrains or array_like of int
        A simulation result (``spike_i``, ``spike_t``, ``n_neurons``, ``t_start``,
        ``t_stop``; ``params`` and ``voltage`` are carried along), an existing
        :class:`SpikeTrains`, or the neuron index of every spike (then pass ``t``).
    t : array_like of float, optional
        Spike times in seconds, with ``data`` as neuron indices.
    n_neurons : int, optional
        Population size; required with arrays (silent neurons cannot be inferred).
    t_start, t_stop : float, optional
        Analysis window ``[t_start, t_stop)`` in seconds. Defaults: the recording of a
        result; for arrays ``t_start = 0`` and ``t_stop`` is required. A window must lie
        inside the recording of a result.

    Returns
    -------
    SpikeTrains

    Raises
    ------
    ValueError
        Arrays of different lengths or not 1-D, NaN or infinite times, non-integer,
        negative or ``>= n_neurons`` indices, a missing ``n_neurons``/``t_stop``, an empty
        window or one outside the recording.

    Notes
    -----
    Brian2 records spikes in time order; then a stable counting sort by neuron index
    gives the (neuron, time) order in O(n). Other inputs are sorted with
    ``np.lexsort((t, i))``.
    """
    if isinstance(data, SpikeTrains):
        if t is not None or n_neurons not in (None, data.n_neurons):
            raise ValueError("pass a SpikeTrains alone (its n_neurons and spikes are fixed); "
                             "t= and n_neurons= apply to arrays only")
        return data.window(t_start, t_stop)
    if t is None:
        if not (hasattr(data, "spike_i") and hasattr(data, "spike_t")):
            raise ValueError("expected a result object (with spike_i, spike_t), a SpikeTrains, "
                             f"or the arrays i and t; got {type(data).__name__} without t")
        if n_neurons is not None:
            raise ValueError("n_neurons= applies to arrays only; a result carries its own n_neurons")
        i, t, n_neurons = data.spike_i, data.spike_t, int(data.n_neurons)
        rec_start, rec_stop = float(getattr(data, "t_start", 0.0)), float(data.t_stop)
        params, voltage = dict(getattr(data, "params", None) or {}), getattr(data, "voltage", None)
    else:
        if n_neurons is None:
            raise ValueError("pass n_neurons= with spike arrays: neurons without spikes cannot be inferred")
        if t_stop is None:
            raise ValueError("pass t_stop= (s) with spike arrays: the end of the recording sets rates")
        i = data
        rec_start, rec_stop = (0.0 if t_start is None else float(t_start)), float(t_stop)
        params, voltage = {}, None
    t_start, t_stop = _check_window(t_start, t_stop, rec_start, rec_stop)
    i, t = _checked_arrays(i, t, int(n_neurons))
    keep = (t >= t_start) & (t < t_stop)
    if not keep.all():
        i, t = i[keep], t[keep]
    if not _in_neuron_time_order(i, t):
        t = t[np.lexsort((t, i))] if np.any(t[1:] < t[:-1]) else _stable_sort_by_neuron(i, t, n_neurons)
        i = np.repeat(np.arange(n_neurons), np.bincount(i, minlength=n_neurons))
    return SpikeTrains(i.astype(np.int64, copy=False), t, int(n_neurons), t_start, t_stop, params, voltage)


def _check_window(t_start, t_stop, rec_start: float, rec_stop: float) -> tuple[float, float]:
    t_start = rec_start if t_start is None else float(t_start)
    t_stop = rec_stop if t_stop is None else float(t_stop)
    if not (np.isfinite(t_start) and np.isfinite(t_stop)):
        raise ValueError(f"the window must be finite, got t_start={t_start}, t_stop={t_stop}")
    if t_stop <= t_start:
        raise ValueError(f"empty analysis window: t_stop={t_stop} s <= t_start={t_start} s")
    if t_start < rec_start or t_stop > rec_stop:
        raise ValueError(f"window [{t_start}, {t_stop}) s lies outside the recording "
                         f"[{rec_start}, {rec_stop}) s")
    return t_start, t_stop


def _checked_arrays(i, t, n_neurons: int) -> tuple[np.ndarray, np.ndarray]:
    i, t = np.asarray(i), np.asarray(t, dtype=np.float64)
    if i.ndim != 1 or t.ndim != 1:
        raise ValueError(f"spike indices and times must be 1-D arrays, got shapes {i.shape} and {t.shape}")
    if len(i) != len(t):
        raise ValueError(f"spike indices and times differ in length: {len(i)} and {len(t)}")
    if n_neurons < 1:
        raise ValueError(f"n_neurons must be >= 1, got {n_neurons}")
    bad_t = ~np.isfinite(t)
    if bad_t.any():
        raise ValueError(f"spike times contain {int(bad_t.sum())} NaN or infinite values "
                         f"(first at position {int(np.argmax(bad_t))})")
    if not np.issubdtype(i.dtype, np.integer):
        if i.size and not (np.isfinite(i).all() and np.all(i == np.round(i))):
            raise ValueError(f"neuron indices must be integers, got non-integral {i.dtype} values")
        i = i.astype(np.int64)
    if i.size and i.min() < 0:
        raise ValueError(f"neuron indices must be >= 0, got {int(i.min())}")
    if i.size and i.max() >= n_neurons:
        raise ValueError(f"neuron index {int(i.max())} >= n_neurons={n_neurons}")
    return i, t


def _in_neuron_time_order(i: np.ndarray, t: np.ndarray) -> bool:
    return bool(np.all(i[1:] >= i[:-1]) and np.all((i[1:] > i[:-1]) | (t[1:] >= t[:-1])))


def _stable_sort_by_neuron(i: np.ndarray, t: np.ndarray, n_neurons: int) -> np.ndarray:
    """``t`` grouped by neuron, keeping its order within each neuron: a counting sort in C
    (SciPy's COO -> CSR conversion, O(n_spikes + n_neurons)), faster than ``argsort``."""
    columns = np.arange(len(t))
    return coo_matrix((t, (i, columns)), shape=(n_neurons, len(t))).tocsr().data

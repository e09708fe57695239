"""The result of one simulation, as arrays and as tidy DataFrames, stored as Parquet.

Times are kept in seconds (SI floats, as Brian2's monitors give with ``units=False``);
the DataFrames carry milliseconds in columns named ``t_ms`` (``../docs/conventions``).
A saved result is a directory::

    spikes.parquet            neuron, t_ms, ...   (result metadata in the Parquet schema)
    voltage.parquet           neuron, t_ms, v     (only when voltages were recorded)
    population_rate.parquet   t_ms, pop_rate_hz
    summary.parquet           one row: parameters, n_active_frac, mean_rate_hz, ...
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

_METADATA_KEY = b"neurodyn"


@dataclass
class VoltageTraces:
    """Membrane potentials of recorded neurons: ``v[k, n]`` is neuron ``neurons[k]`` at ``t[n]`` (s)."""

    t: np.ndarray
    neurons: np.ndarray
    v: np.ndarray

    def frame(self) -> pd.DataFrame:
        """Long format: one row per neuron and time step (``neuron, t_ms, v``)."""
        n_rec, n_t = self.v.shape
        return pd.DataFrame({
            "neuron": np.repeat(self.neurons, n_t),
            "t_ms": np.tile(self.t * 1e3, n_rec),
            "v": self.v.ravel(),
        })

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> "VoltageTraces":
        """Inverse of :meth:`frame`, for rows in any order; neurons keep their order of first appearance."""
        neurons = pd.unique(frame["neuron"].to_numpy())
        position = pd.Index(neurons).get_indexer(frame["neuron"].to_numpy())
        order = np.lexsort((frame["t_ms"].to_numpy(), position))
        v = frame["v"].to_numpy()[order].reshape(len(neurons), -1)
        t = frame["t_ms"].to_numpy()[order][: v.shape[1]] * 1e-3
        return cls(t=t, neurons=neurons, v=v)


@dataclass
class SimulationResult:
    """Spikes (and optional voltages) of one run, with the parameters that produced it.

    Attributes
    ----------
    model : str
        Name of the model (``"inhibitory"``, ...).
    params : dict
        Parameter record with unit-carrying names (``tau_d_ms``), JSON-serialisable.
    n_neurons : int
    t_start, t_stop, dt : float
        Simulated interval and time step, in seconds.
    spike_i, spike_t : ndarray
        Neuron index and time (s) of every spike, in the order Brian2 recorded them.
    spike_values : dict of ndarray
        Further variables recorded at each spike (e.g. the sign ``s`` of an EI neuron's
        spike), in the same order; they become columns of :meth:`spikes_frame`.
    voltage : VoltageTraces or None
    target : str
        Where it ran (``"cython"``, ``"cpp_standalone"``, ...).
    timings : dict
        Wall times in seconds (``build_s``, ``run_s``).
    """

    model: str
    params: dict
    n_neurons: int
    t_stop: float
    dt: float
    spike_i: np.ndarray
    spike_t: np.ndarray
    voltage: VoltageTraces | None = None
    target: str = ""
    timings: dict = field(default_factory=dict)
    t_start: float = 0.0
    spike_values: dict = field(default_factory=dict)

    # ----------------------------------------------------------------- frames
    def spikes_frame(self) -> pd.DataFrame:
        """``neuron, t_ms`` and one column per entry of ``spike_values``: one row per spike, by time."""
        order = np.argsort(self.spike_t, kind="stable")
        columns = {"neuron": self.spike_i[order].astype(np.int64), "t_ms": self.spike_t[order] * 1e3}
        columns.update({name: values[order] for name, values in self.spike_values.items()})
        return pd.DataFrame(columns)

    def select_spikes(self, keep: np.ndarray) -> "SimulationResult":
        """The same result restricted to the spikes where the boolean array ``keep`` is true."""
        return dataclasses.replace(self, spike_i=self.spike_i[keep], spike_t=self.spike_t[keep],
                                   spike_values={name: values[keep] for name, values in self.spike_values.items()})

    def voltage_frame(self) -> pd.DataFrame | None:
        return None if self.voltage is None else self.voltage.frame()

    def population_rate_frame(self, bin_ms: float = 1.0, smooth_ms: float | None = None) -> pd.DataFrame:
        """``t_ms, pop_rate_hz``: spikes per bin / (N * bin), optionally Gaussian-smoothed."""
        from neurodyn.analysis.rates import population_rate

        return population_rate(self, bin_width=bin_ms * 1e-3, smooth_width=None if smooth_ms is None else smooth_ms * 1e-3)

    def summary(self, t_start: float | None = None) -> pd.DataFrame:
        """One row: parameters, model, target and every observable of
        :func:`neurodyn.analysis.summarize` (``n_active_frac``, ``mean_rate_hz``, ``cv_mean``,
        ``chi_spikes``, ``kuramoto_r``, ``peak_freq_hz``, ...) from ``t_start`` (s) on."""
        from neurodyn.analysis.summary import summarize

        row = summarize(self, t_start=self.t_start if t_start is None else t_start)
        return row.assign(model=self.model, target=self.target)

    # ---------------------------------------------------------------- storage
    def _metadata(self) -> dict:
        return {"model": self.model, "params": self.params, "n_neurons": self.n_neurons,
                "t_start": self.t_start, "t_stop": self.t_stop, "dt": self.dt,
                "target": self.target, "timings": self.timings}

    def save(self, directory: str | Path, t_start: float | None = None) -> Path:
        """Write the result's frames as Parquet files into ``directory`` (created)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pandas(self.spikes_frame(), preserve_index=False)
        metadata = {**(table.schema.metadata or {}), _METADATA_KEY: json.dumps(self._metadata()).encode()}
        pq.write_table(table.replace_schema_metadata(metadata), directory / "spikes.parquet")
        if self.voltage is not None:
            self.voltage_frame().to_parquet(directory / "voltage.parquet", index=False)
        self.population_rate_frame().to_parquet(directory / "population_rate.parquet", index=False)
        self.summary(t_start).to_parquet(directory / "summary.parquet", index=False)
        return directory

    @classmethod
    def load(cls, directory: str | Path) -> "SimulationResult":
        """Read a result written by :meth:`save`."""
        directory = Path(directory)
        table = pq.read_table(directory / "spikes.parquet")
        meta = json.loads(table.schema.metadata[_METADATA_KEY])
        spikes = table.to_pandas()
        extra = [name for name in spikes.columns if name not in ("neuron", "t_ms")]
        voltage_path = directory / "voltage.parquet"
        voltage = VoltageTraces.from_frame(pd.read_parquet(voltage_path)) if voltage_path.exists() else None
        return cls(model=meta["model"], params=meta["params"], n_neurons=meta["n_neurons"],
                   t_start=meta["t_start"], t_stop=meta["t_stop"], dt=meta["dt"],
                   spike_i=spikes["neuron"].to_numpy(), spike_t=spikes["t_ms"].to_numpy() * 1e-3,
                   voltage=voltage, target=meta["target"], timings=meta["timings"],
                   spike_values={name: spikes[name].to_numpy() for name in extra})

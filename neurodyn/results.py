"""The result of one simulation, as arrays and as tidy DataFrames, stored as Parquet.

Times are kept in seconds (SI floats, as Brian2's monitors give with ``units=False``);
the DataFrames carry milliseconds in columns named ``t_ms`` (``../docs/conventions``).
A saved result is a directory, written as a whole (:mod:`neurodyn.storage`)::

    spikes.parquet            neuron, t_ms, ...   (result metadata in the Parquet schema)
    voltage.parquet           neuron, t_ms, v     (only when voltages were recorded)
    state_<key>.parquet       neuron, t_ms, <variable>   (each further recorded variable)
    population_rate.parquet   t_ms, pop_rate_hz
    summary.parquet           one row: parameters, n_active_frac, mean_rate_hz, ...
    figure.png                (only when a figure was given to save)
    manifest.json             written last: metadata and every file's size

A network of several NeuronGroups (populations) keeps ``spike_i`` as one index over the whole
network (population after population, in :attr:`SimulationResult.populations` order), so every
analysis sees the whole network; its frames add a ``population`` column (``neuron`` is then the
index inside the population, as Brian2's ``SpikeMonitor.i``), its summary has one row per
population and one for the whole network (``population="all"``), and
:meth:`SimulationResult.population` gives one population as a result of its own.
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

from neurodyn.errors import ParameterError
from neurodyn.storage import atomic_directory, check_complete, reading

_METADATA_KEY = b"neurodyn"


#: ``population`` value of the summary and rate rows that cover the whole network.
WHOLE_NETWORK = "all"


def _short_list(values, shown: int = 6) -> str:
    """``[0, 1, 2]`` or, for long arrays, ``[0, 1, 2, ..., 399] (400)``."""
    values = [int(value) for value in np.asarray(values).ravel()]
    if len(values) <= shown:
        return str(values)
    head = ", ".join(str(value) for value in values[:shown - 1])
    return f"[{head}, ..., {values[-1]}] ({len(values)})"


@dataclass
class StateTraces:
    """A recorded state variable: ``values[k, n]`` is neuron ``neurons[k]`` at ``t[n]`` (s)."""

    t: np.ndarray
    neurons: np.ndarray
    values: np.ndarray
    variable: str = "v"

    @property
    def v(self) -> np.ndarray:
        return self.values

    def __repr__(self) -> str:
        span = f"{self.t[0] * 1e3:g}-{self.t[-1] * 1e3:g} ms" if len(self.t) else "no samples"
        return (f"StateTraces({self.variable!r}, neurons={_short_list(self.neurons)}, {len(self.t)} samples, "
                f"{span})")

    def frame(self) -> pd.DataFrame:
        """Long format: one row per neuron and time step (``neuron, t_ms, <variable>``)."""
        n_rec, n_t = self.values.shape
        return pd.DataFrame({
            "neuron": np.repeat(self.neurons, n_t),
            "t_ms": np.tile(self.t * 1e3, n_rec),
            self.variable: self.values.ravel(),
        })

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> "StateTraces":
        """Inverse of :meth:`frame`, for rows in any order; neurons keep their order of first appearance."""
        variable = [name for name in frame.columns if name not in ("neuron", "t_ms")][0]
        neurons = pd.unique(frame["neuron"].to_numpy())
        position = pd.Index(neurons).get_indexer(frame["neuron"].to_numpy())
        order = np.lexsort((frame["t_ms"].to_numpy(), position))
        values = frame[variable].to_numpy()[order].reshape(len(neurons), -1)
        t = frame["t_ms"].to_numpy()[order][: values.shape[1]] * 1e-3
        return cls(t=t, neurons=neurons, values=values, variable=variable)


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
    voltage : StateTraces or None
        The recorded ``v`` (also ``states["v"]``).
    states : dict of StateTraces
        Every recorded variable by key: ``"v"`` in a one-population network, ``"exc.v"`` with
        several populations.
    populations : tuple of (name, size)
        The network's NeuronGroups in index order (empty: one population).
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
    voltage: StateTraces | None = None
    target: str = ""
    timings: dict = field(default_factory=dict)
    t_start: float = 0.0
    spike_values: dict = field(default_factory=dict)
    states: dict = field(default_factory=dict)
    populations: tuple = ()

    def __repr__(self) -> str:
        recorded = ", ".join(f"{key} ({len(traces.neurons)} neurons)" for key, traces in self.states.items())
        params = ", ".join(f"{key}={value}" for key, value in self.params.items())
        return (f"SimulationResult({self.model!r} on {self.target or '?'}: {self.n_neurons} neurons, "
                f"{self.t_start * 1e3:g}-{self.t_stop * 1e3:g} ms, {len(self.spike_t)} spikes"
                + (f", recorded {recorded}" if recorded else "") + f"; {params})")

    def _repr_html_(self) -> str:
        """Notebooks: the one-line description and the parameters as a table."""
        from html import escape

        header = repr(self).split(";")[0] + ")"
        return f"<p>{escape(header)}</p>" + pd.DataFrame([self.params]).to_html(index=False)

    def __post_init__(self):
        self.populations = tuple((str(name), int(size)) for name, size in self.populations)
        if self.voltage is not None:
            self.states = {"v": self.voltage, **self.states}
        self.voltage = self.states.get("v")

    # ------------------------------------------------------------ populations
    @property
    def is_multi_population(self) -> bool:
        return len(self.populations) > 1

    def population_of_spikes(self) -> tuple[np.ndarray, np.ndarray]:
        """``(population name, index inside it)`` of every spike, in ``spike_i`` order."""
        names = np.array([name for name, _ in self.populations] or [self.model])
        offsets = np.cumsum([0] + [size for _, size in self.populations])
        which = np.searchsorted(offsets, self.spike_i, side="right") - 1 if self.populations else \
            np.zeros(len(self.spike_i), dtype=np.int64)
        return names[which], self.spike_i - (offsets[which] if self.populations else 0)

    def population(self, name: str) -> "SimulationResult":
        """The spikes and states of one population, as a one-population result (local indices)."""
        names = [pop for pop, _ in self.populations]
        if name not in names:
            raise ParameterError(f"no population {name!r}; this result has {', '.join(names) or 'one population'}")
        offset = sum(size for _, size in self.populations[:names.index(name)])
        size = dict(self.populations)[name]
        keep = (self.spike_i >= offset) & (self.spike_i < offset + size)
        states = {key.split(".", 1)[1]: trace for key, trace in self.states.items() if key.startswith(name + ".")}
        return dataclasses.replace(self, n_neurons=size, spike_i=self.spike_i[keep] - offset,
                                   spike_t=self.spike_t[keep], voltage=None, states=states, populations=(),
                                   spike_values={key: values[keep] for key, values in self.spike_values.items()})

    # ----------------------------------------------------------------- frames
    def spikes_frame(self) -> pd.DataFrame:
        """``neuron, t_ms`` (``population, neuron, t_ms`` with several populations) and one column per entry
        of ``spike_values``: one row per spike, by time."""
        order = np.argsort(self.spike_t, kind="stable")
        columns = {"neuron": self.spike_i[order].astype(np.int64), "t_ms": self.spike_t[order] * 1e3}
        if self.is_multi_population:
            population, local = self.population_of_spikes()
            columns = {"population": population[order], "neuron": local[order].astype(np.int64), "t_ms": columns["t_ms"]}
        columns.update({name: values[order] for name, values in self.spike_values.items()})
        return pd.DataFrame(columns)

    def select_spikes(self, keep: np.ndarray) -> "SimulationResult":
        """The same result restricted to the spikes where the boolean array ``keep`` is true."""
        return dataclasses.replace(self, spike_i=self.spike_i[keep], spike_t=self.spike_t[keep],
                                   spike_values={name: values[keep] for name, values in self.spike_values.items()})

    def voltage_frame(self) -> pd.DataFrame | None:
        return None if self.voltage is None else self.voltage.frame()

    def state_frame(self, key: str) -> pd.DataFrame:
        """The recorded variable ``key`` (``"v"``, ``"exc.ge"``, ...) in long format."""
        if key not in self.states:
            raise ParameterError(f"no recorded variable {key!r}; recorded: {', '.join(self.states) or 'none'}")
        return self.states[key].frame()

    def population_rate_frame(self, bin_ms: float = 1.0, smooth_ms: float | None = None) -> pd.DataFrame:
        """``t_ms, pop_rate_hz``: spikes per bin / (N * bin), optionally Gaussian-smoothed. With several
        populations: a ``population`` column, one block per population and one for the whole network."""
        from neurodyn.analysis.rates import population_rate

        smooth = None if smooth_ms is None else smooth_ms * 1e-3
        if not self.is_multi_population:
            return population_rate(self, bin_width=bin_ms * 1e-3, smooth_width=smooth)
        parts = [population_rate(self.population(name), bin_width=bin_ms * 1e-3, smooth_width=smooth)
                 .assign(population=name) for name, _ in self.populations]
        parts.append(population_rate(self, bin_width=bin_ms * 1e-3, smooth_width=smooth).assign(population=WHOLE_NETWORK))
        frame = pd.concat(parts, ignore_index=True)
        return frame[["population", *[c for c in frame.columns if c != "population"]]]

    def summary(self, t_start: float | None = None) -> pd.DataFrame:
        """One row: parameters, model, target and every observable of
        :func:`neurodyn.analysis.summarize` (``n_active_frac``, ``mean_rate_hz``, ``cv_mean``,
        ``chi_spikes``, ``kuramoto_r``, ``peak_freq_hz``, ...) from ``t_start`` (s) on; with several
        populations, one row per population and one for the whole network (column ``population``)."""
        from neurodyn.analysis.summary import summarize

        t0 = self.t_start if t_start is None else t_start
        if not self.is_multi_population:
            return summarize(self, t_start=t0).assign(model=self.model, target=self.target)
        rows = [summarize(self.population(name), t_start=t0).assign(population=name) for name, _ in self.populations]
        rows.append(summarize(self, t_start=t0).assign(population=WHOLE_NETWORK))
        return pd.concat(rows, ignore_index=True).assign(model=self.model, target=self.target)

    # ---------------------------------------------------------------- storage
    def _metadata(self) -> dict:
        return {"model": self.model, "params": self.params, "n_neurons": self.n_neurons,
                "t_start": self.t_start, "t_stop": self.t_stop, "dt": self.dt,
                "target": self.target, "timings": self.timings,
                "populations": [list(pop) for pop in self.populations]}

    def save(self, directory: str | Path, t_start: float | None = None, *, overwrite: bool = False,
             figure=None) -> Path:
        """Write the result's frames as Parquet files (and ``figure``, a Matplotlib figure, as
        ``figure.png``) into ``directory``, as a whole (:func:`neurodyn.storage.atomic_directory`).

        An existing result there is replaced only with ``overwrite=True``, and then entirely (no
        file of the old result stays); a non-empty directory that holds no neurodyn result is
        never written into. Raises :class:`~neurodyn.errors.ResultError` for both, and for paths
        that cannot be written.
        """
        with atomic_directory(directory, self._metadata(), overwrite=overwrite) as staging:
            table = pa.Table.from_pandas(self.spikes_frame(), preserve_index=False)
            metadata = {**(table.schema.metadata or {}), _METADATA_KEY: json.dumps(self._metadata()).encode()}
            pq.write_table(table.replace_schema_metadata(metadata), staging / "spikes.parquet")
            for key, trace in self.states.items():
                trace.frame().to_parquet(staging / _state_file(key), index=False)
            self.population_rate_frame().to_parquet(staging / "population_rate.parquet", index=False)
            self.summary(t_start).to_parquet(staging / "summary.parquet", index=False)
            if figure is not None:
                figure.savefig(staging / "figure.png", dpi=120)
        return Path(directory)

    @classmethod
    def load(cls, directory: str | Path) -> "SimulationResult":
        """Read a result written by :meth:`save`; an incomplete, truncated or foreign directory
        raises :class:`~neurodyn.errors.ResultError`."""
        directory = Path(directory)
        files = check_complete(directory)["files"]
        with reading(directory / "spikes.parquet"):
            table = pq.read_table(directory / "spikes.parquet")
            meta = json.loads(table.schema.metadata[_METADATA_KEY])
            spikes = table.to_pandas()
        extra = [name for name in spikes.columns if name not in ("population", "neuron", "t_ms")]
        populations = [tuple(pop) for pop in meta.get("populations", [])]
        spike_i = spikes["neuron"].to_numpy()
        if "population" in spikes.columns:
            offsets = dict(zip([name for name, _ in populations], np.cumsum([0] + [size for _, size in populations])))
            spike_i = spike_i + spikes["population"].map(offsets).to_numpy()
        states = {}
        for name in sorted(name for name in files if name.startswith("state_") or name == "voltage.parquet"):
            with reading(directory / name):
                states[_state_key(name)] = StateTraces.from_frame(pd.read_parquet(directory / name))
        return cls(model=meta["model"], params=meta["params"], n_neurons=meta["n_neurons"],
                   t_start=meta["t_start"], t_stop=meta["t_stop"], dt=meta["dt"],
                   spike_i=spike_i, spike_t=spikes["t_ms"].to_numpy() * 1e-3,
                   target=meta["target"], timings=meta["timings"], states=states, populations=populations,
                   spike_values={name: spikes[name].to_numpy() for name in extra})


def _state_file(key: str) -> str:
    """``voltage.parquet`` for ``v`` (as before), ``state_<key>.parquet`` for any other variable."""
    return "voltage.parquet" if key == "v" else f"state_{key}.parquet"


def _state_key(filename: str) -> str:
    return "v" if filename == "voltage.parquet" else filename[len("state_"):-len(".parquet")]

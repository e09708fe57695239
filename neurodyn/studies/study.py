"""A parameter study: a model, a grid, the analyses and the target, run resumably.

>>> from brian2 import second
>>> from neurodyn import InhibitoryNetwork
>>> from neurodyn.studies import Study, product
>>> study = Study("wta", InhibitoryNetwork, product(g=[1, 5, 10]), duration=2 * second,
...               fixed=dict(N=200, alpha=2), target="numpy")
>>> frame = study.run("results/wta", workers=2)          # doctest: +SKIP

``run`` validates the whole grid first, skips points already stored under ``out``, runs
the rest in worker processes (or on a Dask cluster), stores each point the moment it
arrives, shows a progress bar with ETA, prints a final table and returns the dataset.
Ctrl-C (or SIGTERM) stores what finished and ends with :class:`StudyInterrupted`.
"""
from __future__ import annotations

import dataclasses
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import pandas as pd
from brian2 import Quantity
from tqdm.auto import tqdm

from neurodyn.analysis.summary import check_summary_window
from neurodyn.errors import NeurodynError, TargetError
from neurodyn.parameters import Parameter, check_duration, check_transient
from neurodyn.paths import check_output_directory
from neurodyn.studies.execute import PointTask, execute, quarantined_point
from neurodyn.studies.grid import Grid, Point, StudyError, stable_digest
from neurodyn.studies.store import ERROR, QUARANTINED, PointStore
from neurodyn.targets import check_target, genn_path


@dataclass(frozen=True)
class Study:
    """Declaration of a parameter study.

    Parameters
    ----------
    name
        Short name (output file names, progress bar).
    model
        A model class: a function decorated with :func:`neurodyn.model`, a :class:`neurodyn.Model`
        subclass, or a built-in network such as :class:`neurodyn.InhibitoryNetwork`.
    grid
        The points (:func:`~neurodyn.studies.product`, :func:`~neurodyn.studies.zipped`,
        :func:`~neurodyn.studies.points`, ``.repeat(n)``).
    duration
        Simulated time per point (Brian2 time quantity).
    t_start
        Transient left out of the analyses (default: a fifth of ``duration``).
    fixed
        Parameter values shared by every point.
    target
        Where points run (any name of :data:`neurodyn.targets.TARGETS`).
    seed
        Study seed; every point's seed derives from it and the point's parameters.
    analyses
        Functions ``f(result, t_start_s) -> dict`` whose items become extra columns,
        beside :func:`neurodyn.analysis.summarize`. They run in the workers, so they must
        be importable module-level functions.
    keep_spikes
        Also store each point's spikes under ``spikes/<key>.parquet``.
    show
        Columns of the table printed at the end (default: grid axes, ``n_active_frac``,
        ``mean_rate_hz``, ``chi_spikes``), each followed by the model's theory of it
        (``theory_n_active_frac``, ``theory_mean_rate_hz``: stored in every row of a model with a
        theory, :func:`neurodyn.studies.execute.theory_columns`).
    max_crashes
        A point whose worker process dies this many times (counted across reruns) is stored as
        ``quarantined`` and skipped from then on.
    compile_once
        Target ``cpp_standalone``: compile one program per network structure and rerun it with
        each point's value files (:mod:`neurodyn.programs`; rows gain ``program_key`` and
        ``program_built``). ``False``: a fresh build per point.
    """

    name: str
    model: type
    grid: Grid
    duration: Quantity
    t_start: Quantity | None = None
    fixed: Mapping[str, Any] = field(default_factory=dict)
    target: str = "cython"
    seed: int = 0
    analyses: tuple[Callable[[Any, float], dict], ...] = ()
    keep_spikes: bool = False
    show: tuple[str, ...] = ()
    max_crashes: int = 3
    compile_once: bool = True

    def __repr__(self) -> str:
        fixed = ", ".join(f"{key}={value}" for key, value in self.fixed.items())
        repeats = f" x {self.grid.repeats} seeds" if self.grid.repeats > 1 else ""
        return (f"Study({self.name!r}: {self.model.name}, {len(self.grid.entries)} points{repeats} over "
                f"{', '.join(self.grid.axes) or 'no axes'}, {self.duration} (transient {self.transient}) on "
                f"{self.target}, seed {self.seed}" + (f"; fixed {fixed}" if fixed else "") + ")")

    def replace(self, **changes) -> "Study":
        """A copy with some fields changed (e.g. the quick variant of a study)."""
        return dataclasses.replace(self, **changes)

    @property
    def transient(self) -> Quantity:
        return self.duration / 5 if self.t_start is None else self.t_start

    def points(self) -> list[Point]:
        """Every point, validated; raises before anything runs if the study is malformed."""
        check_duration(self.duration)
        check_transient(self.transient, self.duration)
        check_summary_window(self.duration, self.transient)
        check_target(self.target)
        seed = Parameter("study seed", 0, "", kind=int, minimum=0).convert(self.seed)
        return self.grid.expand(self.model, seed, self.fixed)

    def simulation_key(self, point: Point) -> str:
        """Stable key of what ``point`` simulates: hash of model, parameters (with seed) and run
        settings. Names a point's GeNN project, which analyses do not change."""
        return stable_digest({"model": self.model.name, "record": point.record, "target": self.target,
                              "duration_s": float(self.duration), "t_start_s": float(self.transient)})[:20]

    def point_key(self, point: Point) -> str:
        """Stable key of ``point``'s stored row: its :meth:`simulation_key` with the analyses (by
        name: the same whether the script runs as ``__main__`` or is imported) and whether spikes
        are kept. Adding an analysis or ``keep_spikes=True`` makes new points."""
        return stable_digest({"simulation": self.simulation_key(point),
                              "analyses": [analysis.__qualname__ for analysis in self.analyses],
                              "keep_spikes": bool(self.keep_spikes)})[:20]

    def tasks(self) -> list[PointTask]:
        """One :class:`PointTask` per point (validated); duplicate points are refused."""
        tasks = [PointTask(key=self.point_key(point), model_class=self.model, overrides=point.overrides,
                           record=point.record, duration=self.duration, t_start=float(self.transient),
                           target=self.target, analyses=tuple(self.analyses), keep_spikes=self.keep_spikes,
                           extra={"study": self.name, "repeat": point.repeat},
                           simulation_key=self.simulation_key(point), compile_once=self.compile_once)
                 for point in self.points()]
        keys = [task.key for task in tasks]
        if len(set(keys)) < len(keys):
            twice = next(task for task in tasks if keys.count(task.key) > 1)
            raise StudyError(f"the grid lists the same point more than once: {twice.overrides}")
        return tasks

    def run(self, out: str | Path, workers: int = 1, scheduler: str | None = None, progress: bool = True,
            print_table: bool = True) -> pd.DataFrame:
        """Run the points not yet stored under ``out`` and return the study's dataset.

        Parameters
        ----------
        out
            Output directory (``points/``, ``spikes/``; :class:`PointStore`).
        workers
            Local worker processes (ignored with ``scheduler``).
        scheduler
            Address of a running Dask scheduler (``tcp://host:8786``).
        progress, print_table
            Show a tqdm bar over points (ETA included) and print the final table.

        Returns
        -------
        DataFrame
            One row per point of this study (stored earlier or now), sorted by key.

        Several drivers may run the same study on one ``out`` at once: each claims a point
        before computing it (:class:`PointStore`), so every point is computed once. A point
        whose worker dies is run again alone; after ``max_crashes`` deaths it is quarantined.

        Raises
        ------
        StudyInterrupted
            On SIGINT (Ctrl-C) or SIGTERM, once the points that had finished are stored; its
            message says how many remain and that the same command resumes.
        """
        tasks = self.tasks()
        if self.target == "genn" and scheduler is None and genn_path() is None:
            raise TargetError("study target 'genn' needs GeNN 4.x here (set GENN_PATH); without it, write one "
                              "GeNN project per point with `neurodyn codegen SCRIPT --out DIR`, build them where "
                              "GeNN is, and collect them with `python SCRIPT --from-genn DIR`")
        store = PointStore(check_output_directory(out))
        keys = [task.key for task in tasks]
        done = store.finished(keys)
        todo = [task for task in tasks if task.key not in done]
        failed = 0

        def quarantine_after_crash(task):
            crashes = store.record_crash(task.key)
            return quarantined_point(task, crashes) if crashes >= self.max_crashes else None

        with _stop_on_signal() as stop, tqdm(total=len(tasks), initial=len(tasks) - len(todo), desc=self.name,
                                             unit="point", disable=not progress, file=sys.stderr) as bar:
            try:
                for outcome in execute(todo, workers=workers, scheduler=scheduler, claim=lambda t: store.claim(t.key),
                                       on_crash=quarantine_after_crash, should_stop=stop.requested):
                    store.write(outcome.key, outcome.row, outcome.spikes)
                    store.release(outcome.key)
                    failed += not outcome.ok
                    bar.set_postfix(failed=failed, refresh=False)
                    bar.update()
            finally:
                store.release_all()
        for path in store.set_aside:
            print(f"{self.name}: moved the unreadable point file aside to {path}; its point was computed again",
                  file=sys.stderr)
        if stop.signum is not None:
            stored = len(store.finished(keys))
            raise StudyInterrupted(stop.signum, f"{self.name}: interrupted by {signal.Signals(stop.signum).name}: "
                                                f"{stored} of {len(tasks)} points stored in {out}; run the same "
                                                f"command again to compute the other {len(tasks) - stored}")
        frame = store.read(keys)
        if print_table:
            print(self.table(frame))
        return frame

    def read(self, out: str | Path) -> pd.DataFrame:
        """The stored rows of this study's own points under ``out`` (rows of other grids or
        settings stored in the same directory are left out), sorted by key."""
        return PointStore(out).read(task.key for task in self.tasks())

    def table(self, frame: pd.DataFrame) -> str:
        """The final table: grid axes (and seed), the ``show`` columns (each followed by its
        ``theory_`` column where the model has a theory), status; failures listed apart."""
        if frame.empty:
            return "(no points)"
        keys = [self.model.parameters[name].column for name in self.grid.axes]
        keys += ["seed"] if self.grid.repeats > 1 else []
        keys = [name for name in keys if name in frame.columns]
        shown = [column for name in self.show or ("n_active_frac", "mean_rate_hz", "chi_spikes")
                 if name in frame.columns and name not in keys
                 for column in (name, f"theory_{name}") if column in frame.columns]
        ordered = frame.sort_values(keys or ["point_key"])
        text = ordered[keys + shown + ["status"]].to_string(index=False, float_format="%.3g")
        for _, row in ordered[ordered["status"].isin((ERROR, QUARANTINED))].iterrows():
            verb = "failed" if row["status"] == ERROR else "quarantined"
            text += f"\n{verb} {row['point_key']}: {str(row['error']).splitlines()[0]}"
        return text


class StudyInterrupted(NeurodynError):
    """The driver received SIGINT (Ctrl-C) or SIGTERM: finished points are stored, the rest not
    computed. ``exit_code`` is 128 + the signal number (130 for SIGINT, 143 for SIGTERM)."""

    def __init__(self, signum: int, message: str):
        super().__init__(message)
        self.signum = signum
        self.exit_code = 128 + signum


class _stop_on_signal:
    """While the driver runs: the first SIGINT or SIGTERM asks it to stop (``requested()`` turns
    true; points that finished are still stored, points in flight abandoned); a second one
    acts as usual (KeyboardInterrupt, or termination) for a driver that must end at once."""

    def __init__(self):
        self.signum = None

    def requested(self) -> bool:
        return self.signum is not None

    def __enter__(self):
        self._active = threading.current_thread() is threading.main_thread()
        if self._active:
            self._previous = {signum: signal.signal(signum, self._request) for signum in (signal.SIGINT, signal.SIGTERM)}
        return self

    def _request(self, signum, frame):
        self.signum = signum
        for number, handler in self._previous.items():  # the next signal is not caught
            signal.signal(number, handler)

    def __exit__(self, *exc):
        if self._active:
            for number, handler in self._previous.items():
                signal.signal(number, handler)
        return False

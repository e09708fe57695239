"""Running study points in worker processes, locally or on a Dask cluster.

:func:`run_point` is what a worker executes for one point: build the model, simulate,
summarise, and return one row (or a row with the error, never an exception).
:func:`execute` hands the points to an executor and yields each result as soon as it
arrives, so the driver can store it at once:

- default: a local :class:`concurrent.futures.ProcessPoolExecutor` with ``workers``
  processes (started with ``spawn``, so each has a fresh Brian2);
- ``scheduler="tcp://host:8786"``: an existing ``dask.distributed`` cluster
  (``dask.distributed.Client(scheduler)``; a ``dask-jobqueue`` cluster on SLURM works the same).

Compiled code: every worker process claims a *slot* directory (``slot-0``, ``slot-1``, ...)
under :func:`cython_cache_root` with an exclusive lock held for the process's life, and
points Brian2's Cython cache there. No two live processes share a cache, and a later run's
workers reuse what earlier ones compiled. Standalone targets give every point a fresh
build directory (:func:`neurodyn.targets.target_device`).
"""
from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import pandas as pd
from brian2 import Quantity

from neurodyn.errors import NeurodynError
from neurodyn.studies.store import ERROR, OK

#: Environment variable naming the parent directory of the workers' Cython caches.
CACHE_ENV = "NEURODYN_CYTHON_CACHE"

_slot_lock = None  # the open lock file of this process's cache slot (kept open = lock held)


@dataclass(frozen=True)
class PointTask:
    """Everything a worker needs to run one point (picklable)."""

    key: str
    model_class: type
    overrides: dict
    record: dict
    duration: Quantity
    t_start: float
    target: str
    analyses: tuple[Callable[[Any, float], dict], ...] = ()
    keep_spikes: bool = False
    extra: dict = field(default_factory=dict)


@dataclass
class PointOutcome:
    """What a worker returns: the point's row and, if kept, its spikes."""

    key: str
    row: pd.DataFrame
    spikes: pd.DataFrame | None = None

    @property
    def ok(self) -> bool:
        return self.row["status"].iloc[0] == OK


def cython_cache_root() -> Path:
    """``$NEURODYN_CYTHON_CACHE`` or ``~/.cython/neurodyn_workers``."""
    return Path(os.environ.get(CACHE_ENV, Path.home() / ".cython" / "neurodyn_workers"))


def claim_cython_cache() -> Path:
    """Give this process its own Brian2 Cython cache directory (once per process).

    Takes the first ``slot-k`` whose lock file no live process holds (``fcntl.flock``) and
    keeps the lock until the process exits.
    """
    global _slot_lock
    from brian2 import prefs

    if _slot_lock is not None:
        return Path(prefs.codegen.runtime.cython.cache_dir)
    root = cython_cache_root()
    root.mkdir(parents=True, exist_ok=True)
    slot = 0
    while True:
        handle = open(root / f"slot-{slot}.lock", "w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            slot += 1
            continue
        _slot_lock = handle
        cache = root / f"slot-{slot}"
        cache.mkdir(exist_ok=True)
        prefs.codegen.runtime.cython.cache_dir = str(cache)
        return cache


def _versions() -> dict:
    import brian2

    import neurodyn

    return {"neurodyn_version": neurodyn.__version__, "brian2_version": brian2.__version__}


def run_point(task: PointTask) -> PointOutcome:
    """Simulate and analyse one point; any exception becomes a row with ``status="error"``.

    The row holds ``point_key``, the parameter record (with ``seed``), the columns of
    :func:`neurodyn.analysis.summarize` and of every analysis in ``task.analyses``,
    ``wall_s`` (whole point in the worker), ``simulate_s`` (:func:`neurodyn.simulate`),
    ``run_s`` (the simulation loop), the versions, ``status`` and ``error``.
    """
    from brian2 import BrianLogger

    from neurodyn.simulation import simulate

    started = time.perf_counter()
    BrianLogger.log_level_error()
    try:
        if task.target == "cython":
            claim_cython_cache()
        model = task.model_class(**task.overrides)
        result = simulate(model, task.duration, target=task.target, progress=False)
        return analyse_point(task, result, started, simulate_s=time.perf_counter() - started)
    except Exception as error:  # a failing point is stored, not raised
        return failed_point(task, error, started)


def analyse_point(task: PointTask, result, started: float, simulate_s: float | None = None) -> PointOutcome:
    """The :class:`PointOutcome` of a simulated point: summary and analyses of ``result``.

    Shared by :func:`run_point` and by points simulated elsewhere (GeNN projects built on
    another machine, :mod:`neurodyn.studies.genn_projects`). ``started`` is the
    ``time.perf_counter()`` at which the point's work began (for ``wall_s``).
    """
    from neurodyn.analysis.summary import summarize

    try:
        row = summarize(result, t_start=task.t_start).iloc[0].to_dict()
        for analysis in task.analyses:
            row.update(analysis(result, task.t_start))
        spikes = result.spikes_frame() if task.keep_spikes else None
    except Exception as error:
        return failed_point(task, error, started)
    row.update(simulate_s=simulate_s, run_s=result.timings["run_s"], status=OK, error=None)
    return PointOutcome(task.key, _point_frame(task, row, started), spikes)


def failed_point(task: PointTask, error: Exception, started: float) -> PointOutcome:
    """The outcome of a point that raised: its parameters, ``status="error"`` and the message."""
    detail = traceback.format_exc(limit=-3)
    row = {**task.record, "status": ERROR, "error": f"{type(error).__name__}: {error}\n{detail}"}
    return PointOutcome(task.key, _point_frame(task, row, started))


def _point_frame(task: PointTask, row: dict, started: float) -> pd.DataFrame:
    row = {"point_key": task.key, **task.extra, **row, "model": task.model_class.name, "target": task.target,
           "wall_s": time.perf_counter() - started, **_versions()}
    return pd.DataFrame([row])


def end_with_parent() -> None:
    """Worker initializer: on Linux, ask the kernel to send SIGTERM to this worker when the
    driver dies (``prctl(PR_SET_PDEATHSIG)``), so a SIGKILLed driver leaves no orphaned workers
    computing points nobody will store. Elsewhere a no-op."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() == 1:  # the driver died before the request took effect
        os._exit(1)


def execute(tasks: Sequence[PointTask], workers: int = 1, scheduler: str | None = None) -> Iterator[PointOutcome]:
    """Run ``tasks`` and yield each :class:`PointOutcome` as it completes (any order)."""
    if not tasks:
        return
    if scheduler:
        yield from _execute_dask(tasks, scheduler)
        return
    if workers < 1:
        raise NeurodynError(f"workers must be >= 1, got {workers}")
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=get_context("spawn"),
                             initializer=end_with_parent) as pool:
        futures = [pool.submit(run_point, task) for task in tasks]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BrokenProcessPool:
            raise NeurodynError(
                "a worker process died (killed, out of memory, or a crash in compiled code; a script that runs a "
                "study must do so under `if __name__ == '__main__':`); finished points are stored, rerun to "
                "continue") from None
        finally:
            for future in futures:
                future.cancel()


def _execute_dask(tasks: Sequence[PointTask], scheduler: str) -> Iterator[PointOutcome]:
    from dask.distributed import Client
    from dask.distributed import as_completed as dask_as_completed

    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as error:
        raise NeurodynError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
    with client:
        futures = client.map(run_point, tasks, key=[f"neurodyn-point-{task.key}" for task in tasks], pure=False)
        try:
            for future in dask_as_completed(futures):
                yield future.result()
        finally:
            client.cancel(futures)

"""Running study points in worker processes, locally or on a Dask cluster.

:func:`run_point` is what a worker executes for one point: build the model, simulate,
summarise, and return one row (or a row with the error, never an exception).
:func:`execute` hands the points to an executor, at most as many at a time as there are
workers (each claimed just before, so several drivers can share one study), and yields each
result as soon as it arrives, so the driver can store it at once. A point in flight when a
worker process died is run again alone; the driver decides when to give up on it (quarantine).
Executors:

- default: a local :class:`concurrent.futures.ProcessPoolExecutor` with ``workers``
  processes (started with ``spawn``, so each has a fresh Brian2);
- ``scheduler="tcp://host:8786"``: an existing ``dask.distributed`` cluster
  (``dask.distributed.Client(scheduler)``; a ``dask-jobqueue`` cluster on SLURM works the same).

Compiled code: every worker process claims a *slot* directory (``slot-0``, ``slot-1``, ...)
under :func:`cython_cache_root` with an exclusive lock held for the process's life, and
points Brian2's Cython cache there. No two live processes share a cache, and a later run's
workers reuse what earlier ones compiled. ``cpp_standalone`` points (``compile_once``, the
default) compile one program per network structure and rerun it with each point's value files,
every worker thread in its own directory (:mod:`neurodyn.programs`); ``genn`` points, and
``cpp_standalone`` ones with ``compile_once=False``, get a fresh build directory each
(:func:`neurodyn.targets.target_device`).
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import time
import traceback
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import pandas as pd
from brian2 import Quantity

from neurodyn.errors import NeurodynError
from neurodyn.programs import worker_cache
from neurodyn.slots import claim_slot
from neurodyn.studies.store import ERROR, OK, QUARANTINED

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
    simulation_key: str = ""  # what is simulated, without the analyses (names GeNN projects)
    compile_once: bool = False  # cpp_standalone: one program per structure (neurodyn.programs)


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
    cache, _slot_lock = claim_slot(cython_cache_root(), "slot")
    prefs.codegen.runtime.cython.cache_dir = str(cache)
    return cache


def _versions() -> dict:
    import brian2

    import neurodyn

    return {"neurodyn_version": neurodyn.__version__, "brian2_version": brian2.__version__}


def run_point(task: PointTask) -> PointOutcome:
    """Simulate and analyse one point; any exception becomes a row with ``status="error"``.

    The row holds ``point_key``, the parameter record (with ``seed``), the columns of
    :func:`neurodyn.analysis.summarize`, the model's theory where it has one (:func:`theory_columns`)
    and the columns of every analysis in ``task.analyses``,
    ``wall_s`` (whole point in the worker), ``simulate_s`` (:func:`neurodyn.simulate`),
    ``run_s`` (the simulation loop), the versions, ``status`` and ``error``; with
    ``task.compile_once`` on ``cpp_standalone`` also ``program_key`` (the structure key of the
    program that ran) and ``program_built`` (whether this point compiled it).
    """
    from brian2 import BrianLogger

    from neurodyn.simulation import simulate

    started = time.perf_counter()
    BrianLogger.log_level_error()
    try:
        if task.target == "cython":
            claim_cython_cache()
        model = task.model_class(**task.overrides)
        programs = worker_cache() if task.compile_once and task.target == "cpp_standalone" else None
        result = simulate(model, task.duration, target=task.target, progress=False, programs=programs)
        outcome = analyse_point(task, result, started, simulate_s=time.perf_counter() - started)
        if programs is not None:
            outcome.row = outcome.row.assign(program_key=programs.last.key, program_built=programs.last.built)
        return outcome
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
        row.update(theory_columns(task.model_class(**task.overrides)))
        for analysis in task.analyses:
            row.update(analysis(result, task.t_start))
        spikes = result.spikes_frame() if task.keep_spikes else None
    except Exception as error:
        return failed_point(task, error, started)
    row.update(simulate_s=simulate_s, run_s=result.timings["run_s"], status=OK, error=None)
    return PointOutcome(task.key, _point_frame(task, row, started), spikes)


def theory_columns(model) -> dict[str, float]:
    """The model's theory beside the simulated columns, in the same units: ``theory_<column>`` for
    every item of ``model.theory_observables()`` (e.g. ``theory_n_active_frac`` and
    ``theory_mean_rate_hz`` in Hz for :class:`~neurodyn.InhibitoryNetwork`: global or sparse mean
    field); nothing for a model without a theory."""
    if not hasattr(model, "theory_observables"):
        return {}
    return {f"theory_{name}": value for name, value in model.theory_observables().items()}


def failed_point(task: PointTask, error: Exception, started: float) -> PointOutcome:
    """The outcome of a point that raised: its parameters, ``status="error"`` and the message."""
    detail = traceback.format_exc(limit=-3)
    row = {**task.record, "status": ERROR, "error": f"{type(error).__name__}: {error}\n{detail}"}
    return PointOutcome(task.key, _point_frame(task, row, started))


def quarantined_point(task: PointTask, crashes: int) -> PointOutcome:
    """The outcome stored for a point whose worker process died ``crashes`` times."""
    row = {**task.record, "status": QUARANTINED,
           "error": f"WorkerDied: the worker process died {crashes} times running this point (killed, out of "
                    f"memory, or a crash in compiled code); quarantined: reruns skip it (delete its file under "
                    f"points/ to try again)"}
    return PointOutcome(task.key, _point_frame(task, row, time.perf_counter()))


def _point_frame(task: PointTask, row: dict, started: float) -> pd.DataFrame:
    row = {"point_key": task.key, **task.extra, **row, "model": task.model_class.name, "target": task.target,
           "wall_s": time.perf_counter() - started, **_versions()}
    return pd.DataFrame([row])


def end_with_parent() -> None:
    """Worker initializer: on Linux, ask the kernel to send SIGTERM to this worker when the
    driver dies (``prctl(PR_SET_PDEATHSIG)``), so a SIGKILLed driver leaves no orphaned workers
    computing points nobody will store. Workers ignore SIGINT: Ctrl-C in a terminal reaches the
    whole process group, and it is the driver that decides what to keep (:func:`execute`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() == 1:  # the driver died before the request took effect
        os._exit(1)


#: Seconds between checks for a stop request and for points claimed by another driver.
POLL_S = 0.2


class _LocalPool:
    """Local worker processes (``spawn``); a dead worker breaks the pool, which is then replaced."""

    crash_types = (BrokenProcessPool,)

    def __init__(self, workers: int):
        self.workers = workers
        self.pool = None

    def submit(self, task: PointTask) -> Future:
        if self.pool is None:
            self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=get_context("spawn"),
                                            initializer=end_with_parent)
        return self.pool.submit(run_point, task)

    def wait(self, futures, timeout):
        return wait(futures, timeout=timeout, return_when=FIRST_COMPLETED)[0]

    def wait_all(self, futures):
        return wait(futures)[0]

    def after_crash(self) -> None:
        self.close(terminate=True)

    def close(self, terminate: bool = False) -> None:
        if self.pool is None:
            return
        if terminate:  # stop computing points nobody will store (no public API before Python 3.14)
            for process in list(getattr(self.pool, "_processes", {}).values()):
                process.terminate()
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = None


class _DaskPool:
    """An existing ``dask.distributed`` cluster; it retries a task whose worker died and then
    reports ``KilledWorker``, counted here as one crash."""

    def __init__(self, scheduler: str):
        from dask.distributed import Client, KilledWorker

        self.crash_types = (KilledWorker,)
        try:
            self.client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as error:
            raise NeurodynError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
        self.workers = max(1, sum(self.client.nthreads().values()))

    def submit(self, task: PointTask):
        return self.client.submit(run_point, task, key=f"neurodyn-point-{task.key}-{time.time_ns()}", pure=False)

    def wait(self, futures, timeout):
        from dask.distributed import wait as dask_wait

        try:
            return dask_wait(list(futures), timeout=timeout, return_when="FIRST_COMPLETED").done
        except TimeoutError:
            return set()

    def after_crash(self) -> None:
        pass

    def close(self, terminate: bool = False) -> None:
        self.client.close()


def execute(tasks: Sequence[PointTask], workers: int = 1, scheduler: str | None = None, *,
            claim: Callable[[PointTask], bool | None] | None = None,
            on_crash: Callable[[PointTask], PointOutcome | None] | None = None,
            should_stop: Callable[[], bool] | None = None) -> Iterator[PointOutcome]:
    """Run ``tasks`` and yield each :class:`PointOutcome` as it completes (any order).

    At most ``workers`` points are in flight (on Dask: the cluster's threads); the next one is
    submitted when one finishes, so several drivers can share one task list:

    claim(task)
        Called just before submitting: ``True`` run it, ``False`` drop it (stored meanwhile),
        ``None`` busy elsewhere (tried again later, until it is claimed or dropped).
    on_crash(task)
        Called for each point in flight when a worker process died. Return an outcome to
        yield (e.g. the point quarantined) or ``None`` to run it again, alone, in fresh
        workers, so the point that kills its worker is found among those in flight.
    should_stop()
        Polled every :data:`POLL_S` seconds: once true, nothing more is submitted, points
        still computing are abandoned (their workers terminated), and the generator ends.
    """
    if not tasks:
        return
    if scheduler is None and workers < 1:
        raise NeurodynError(f"workers must be >= 1, got {workers}")
    claim = claim or (lambda task: True)
    should_stop = should_stop or (lambda: False)
    pool = _DaskPool(scheduler) if scheduler else _LocalPool(min(workers, len(tasks)))
    queue, deferred, suspects, running = deque(tasks), [], deque(), {}
    retried_at = time.monotonic()
    stopped = False
    try:
        while True:
            stopped = stopped or should_stop()
            if not queue and deferred and time.monotonic() - retried_at >= POLL_S:
                queue.extend(deferred)
                deferred.clear()
                retried_at = time.monotonic()
            while not stopped and len(running) < (1 if suspects else pool.workers) and (suspects or queue):
                if suspects:
                    task = suspects.popleft()
                else:
                    task = queue.popleft()
                    claimed = claim(task)
                    if claimed is None:
                        deferred.append(task)
                    if not claimed:
                        continue
                running[pool.submit(task)] = task
            if stopped:  # keep what already finished, abandon the rest
                for future in [future for future in running if future.done()]:
                    task = running.pop(future)
                    with contextlib.suppress(*pool.crash_types):
                        yield future.result()
                return
            if not running:
                if not (queue or deferred or suspects):
                    return
                time.sleep(POLL_S)
                continue
            crashed = []
            done = pool.wait(running, POLL_S)
            while done:
                for future in done:
                    task = running.pop(future)
                    try:
                        outcome = future.result()
                    except pool.crash_types:
                        crashed.append(task)
                        continue
                    yield outcome
                # a broken local pool fails every point in flight: collect them all before replacing it
                done = pool.wait_all(running) if crashed and isinstance(pool, _LocalPool) else ()
            if crashed:
                pool.after_crash()
                for task in crashed:
                    outcome = on_crash(task) if on_crash else None
                    if outcome is None and on_crash is None:
                        raise NeurodynError(
                            "a worker process died (killed, out of memory, or a crash in compiled code; a script "
                            "that runs a study must do so under `if __name__ == '__main__':`); finished points are "
                            "stored, rerun to continue")
                    if outcome is None:
                        suspects.append(task)
                    else:
                        yield outcome
    finally:
        pool.close(terminate=bool(running))

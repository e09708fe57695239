"""Where a network runs: Brian2 runtime (cython, numpy), C++ standalone, or GeNN (Brian2GeNN).

The target is kept apart from the model. :func:`target_device` is a context manager that
selects the Brian2 device and code-generation target for the objects built inside it and
restores Brian2's runtime device afterwards, so that many standalone or GeNN runs can follow
one another in a single Python process, each in its own build directory.

The ``genn`` target generates a GeNN project with Brian2GeNN; compiling and running it needs
GeNN 4.x (``GENN_PATH`` or Brian2's ``devices.genn.path`` preference, see :func:`genn_path`).
Without GeNN, :func:`neurodyn.genn.generate` (``neurodyn codegen``) writes the project only.
"""
from __future__ import annotations

import gc
import logging
import os
import shutil
import tempfile
import warnings
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from brian2 import Clock, defaultclock, device, get_device, prefs, second, set_device

from neurodyn.errors import GeNNUnsupportedError, NeurodynError, TargetError
from neurodyn.fast_standalone import DEVICE_NAME as FAST_STANDALONE_DEVICE
from neurodyn.value_files import DEVICE_NAME as VALUE_FILE_DEVICE

RUNTIME_TARGETS = ("cython", "numpy")
STANDALONE_TARGETS = ("cpp_standalone", "genn")
TARGETS = RUNTIME_TARGETS + STANDALONE_TARGETS

#: Preferences Brian2GeNN changes when activated (and does not restore); restored after a GeNN run.
_GENN_CHANGED_PREFS = ("codegen.generators.cpp.restrict_keyword", "codegen.loop_invariant_optimisations",
                       "core.network.default_schedule")
NO_GENN_MESSAGE = (
    "target 'genn' compiles and runs with GeNN 4.x, which was not found: set GENN_PATH to the GeNN "
    "directory (or brian2.prefs.devices.genn.path), and CUDA_PATH for GPU builds. Without GeNN, "
    "generate the project here with `neurodyn codegen MODEL --target genn --out DIR` "
    "(or neurodyn.genn.generate) and build it where GeNN is installed (DIR/BUILD.md says how)")


def check_target(target: str) -> str:
    """Return ``target`` if neurodyn knows it, else raise :class:`TargetError`."""
    if target not in TARGETS:
        raise TargetError(f"unknown target {target!r}; choose one of {', '.join(TARGETS)}")
    return target


def build_root() -> Path:
    """Parent directory of standalone build directories (``$NEURODYN_BUILD_DIR`` or the temp dir);
    a path that is a file, lies under a file or is read-only raises :class:`TargetError`."""
    from neurodyn.paths import check_output_directory

    given = os.environ.get("NEURODYN_BUILD_DIR")
    root = Path(given or Path(tempfile.gettempdir()) / "neurodyn_builds")
    try:
        check_output_directory(root, "NEURODYN_BUILD_DIR" if given else "the build directory")
        root.mkdir(parents=True, exist_ok=True)
    except (OSError, NeurodynError) as error:
        raise TargetError(f"cannot use {root} for standalone builds: {error}") from None
    return root


def _clock_dt() -> float:
    """The current default clock's time step in seconds (0.1 ms if it holds no valid one)."""
    try:
        dt_ = float(defaultclock.dt_)
    except (AttributeError, TypeError, ValueError):
        return 1e-4
    return dt_ if dt_ > 0 and dt_ == dt_ else 1e-4


def _reset_clock(dt_: float) -> None:
    """Give the runtime device a fresh default clock with time step ``dt_`` (seconds).

    Setting ``defaultclock.dt`` only stages a change that Brian2 checks at the next run
    against the previous step: after a failed run the stale step (e.g. a refused 0 ms) would
    break every later run in the process. A new clock, as Brian2's own ``device.reinit()``
    makes, carries no such state.
    """
    get_device().defaultclock = Clock(dt=dt_ * second, name="defaultclock")


def register_genn_device() -> None:
    """Import Brian2GeNN, which registers the ``genn`` device and its preferences. Brian2GeNN 1.7
    imports ``pkg_resources`` (setuptools < 81 is pinned for it), whose deprecation warning is
    not the user's concern: it is silenced for that import only."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
        import brian2genn  # noqa: F401


def genn_path() -> Path | None:
    """The GeNN installation Brian2GeNN will use, or ``None``.

    Same order as Brian2GeNN: the ``devices.genn.path`` preference, then ``$GENN_PATH``,
    then the directory above ``genn-buildmodel.sh`` on the ``PATH``.
    """
    register_genn_device()

    if prefs.devices.genn.path:
        return Path(prefs.devices.genn.path)
    if os.environ.get("GENN_PATH"):
        return Path(os.environ["GENN_PATH"])
    buildmodel = shutil.which("genn-buildmodel.sh")
    return Path(buildmodel).resolve().parent.parent if buildmodel else None


def cuda_path() -> str | None:
    """CUDA directory for GPU builds (``devices.genn.cuda_backend.cuda_path`` or ``$CUDA_PATH``)."""
    register_genn_device()

    return prefs.devices.genn.cuda_backend.cuda_path or os.environ.get("CUDA_PATH")


@dataclass
class DeviceSession:
    """What :func:`target_device` set up: the target and, for standalone and GeNN, its build
    directory; for GeNN also whether it builds for the GPU and whether it only generates code."""

    target: str
    build_dir: Path | None = None
    use_gpu: bool = False
    generate_only: bool = False

    @property
    def is_standalone(self) -> bool:
        return self.target in STANDALONE_TARGETS

    def last_run_seconds(self) -> float | None:
        """Wall time of the compiled simulation loop alone (standalone targets), else ``None``."""
        return getattr(device, "_last_run_time", None) if self.is_standalone else None


def _genn_mode(generate_only: bool, use_gpu: bool | None) -> bool:
    """Whether a GeNN session builds for the GPU; raise :class:`TargetError` if it cannot build."""
    register_genn_device()

    if not generate_only and genn_path() is None:
        raise TargetError(NO_GENN_MESSAGE)
    gpu = (cuda_path() is not None) if use_gpu is None else bool(use_gpu)
    if gpu and not generate_only and cuda_path() is None:
        raise TargetError("a GeNN GPU build needs CUDA: set CUDA_PATH (or brian2.prefs.devices.genn.cuda_backend"
                          ".cuda_path), or build CPU-only (use_gpu=False, --cpu-only)")
    return gpu


_PLANNED_TARGET: ContextVar[str | None] = ContextVar("neurodyn_planned_target", default=None)


def planned_target() -> str | None:
    """The target a network is being built for when that differs from the active device (set by
    :func:`plan_for`; e.g. :func:`neurodyn.genn_compat.check_model` builds for GeNN on the runtime)."""
    return _PLANNED_TARGET.get()


@contextmanager
def plan_for(target: str):
    """Networks built inside the block are meant for ``target`` (see :func:`planned_target`)."""
    token = _PLANNED_TARGET.set(target)
    try:
        yield
    finally:
        _PLANNED_TARGET.reset(token)


@contextmanager
def target_device(target: str, dt, build_dir: str | os.PathLike | None = None,
                  threads: int = 1, keep_build: bool = False, use_gpu: bool | None = None,
                  generate_only: bool = False, value_files: bool = False):
    """Select ``target`` for the Brian2 objects created inside the ``with`` block.

    Parameters
    ----------
    target
        ``"cython"`` or ``"numpy"`` (Brian2 runtime), ``"cpp_standalone"`` (Brian2's C++ standalone
        with neurodyn's faster thresholder, loop, arrays and spike queue,
        :mod:`neurodyn.fast_standalone`) or ``"genn"``.
    dt
        Simulation time step (a Brian2 time quantity), set on ``defaultclock``.
    build_dir
        Standalone build directory; a fresh one under :func:`build_root` when ``None``.
    threads
        OpenMP threads for ``cpp_standalone`` (1 = no OpenMP).
    keep_build
        Keep a generated standalone directory instead of deleting it after the run.
    use_gpu
        GeNN only: build for the GPU (needs CUDA) or CPU-only; ``None``: GPU when CUDA is found.
    generate_only
        GeNN only: write the GeNN project into ``build_dir`` without compiling or running it
        (needs no GeNN installation; the monitors then hold no data).
    value_files
        ``cpp_standalone`` only: use :class:`~neurodyn.value_files.ValueFileDevice` without
        building on run; :class:`neurodyn.programs.ProgramCache` then compiles (once per
        structure) and runs the program, outside ``build_dir`` (not used).

    Brian2GeNN's refusals (``NotImplementedError`` inside the block) become
    :class:`~neurodyn.errors.GeNNUnsupportedError`. Afterwards, whatever happened inside, the
    runtime device is active again with its previous time step and a clean clock.
    """
    check_target(target)
    if threads < 1:
        raise TargetError(f"threads must be >= 1, got {threads}")
    previous_dt = _clock_dt()
    try:
        with _device_session(target, dt, build_dir, threads, keep_build, use_gpu, generate_only,
                             value_files and target == "cpp_standalone") as session:
            yield session
    finally:
        _reset_clock(previous_dt)


class _GeNNPreferenceNotice(logging.Filter):
    """Drops Brian2GeNN's "The following preferences have been changed for Brian2GeNN, reset them
    manually ..." notice: neurodyn restores those preferences after every GeNN session itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("The following preferences have been changed for Brian2GeNN")


def _quiet_genn_preference_notice() -> None:
    """Install :class:`_GeNNPreferenceNotice` on Brian2GeNN's logger (once)."""
    genn_logger = logging.getLogger("brian2.devices.genn")
    if not any(isinstance(known, _GeNNPreferenceNotice) for known in genn_logger.filters):
        genn_logger.addFilter(_GeNNPreferenceNotice())


@contextmanager
def _device_session(target, dt, build_dir, threads, keep_build, use_gpu, generate_only, value_files):
    """The body of :func:`target_device`: device, preferences and build directory."""
    session = DeviceSession(target, generate_only=generate_only and target == "genn")
    saved_prefs = {}
    if target in RUNTIME_TARGETS:
        set_device("runtime")
        prefs.codegen.target = target
    elif value_files:
        gc.collect()  # Brian2 names objects (and their code) after the live ones: free earlier networks first
        prefs.devices.cpp_standalone.openmp_threads = threads if threads > 1 else 0
        set_device(VALUE_FILE_DEVICE, build_on_run=False)
    else:
        if target == "genn":
            session.use_gpu = _genn_mode(session.generate_only, use_gpu)
        session.build_dir = Path(build_dir) if build_dir else Path(tempfile.mkdtemp(prefix="run_", dir=build_root()))
        if target == "genn":
            _quiet_genn_preference_notice()
            saved_prefs = {name: prefs[name] for name in _GENN_CHANGED_PREFS}
            build = not session.generate_only
            set_device("genn", directory=str(session.build_dir), compile=build, run=build,
                       use_GPU=session.use_gpu, with_output=False)
        else:
            prefs.devices.cpp_standalone.openmp_threads = threads if threads > 1 else 0
            set_device(FAST_STANDALONE_DEVICE, directory=str(session.build_dir), build_on_run=True)
    defaultclock.dt = dt
    try:
        yield session
    except NotImplementedError as error:
        if target != "genn":
            raise
        raise GeNNUnsupportedError(f"Brian2GeNN cannot generate this network: {error}") from error
    finally:
        if session.is_standalone:
            device.reinit()
            prefs.devices.cpp_standalone.openmp_threads = 0
            for name, value in saved_prefs.items():
                prefs[name] = value
            if not keep_build and build_dir is None and session.build_dir is not None:
                shutil.rmtree(session.build_dir, ignore_errors=True)
        set_device("runtime")

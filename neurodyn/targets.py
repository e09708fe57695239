"""Where a network runs: Brian2 runtime (cython, numpy) or C++ standalone.

The target is kept apart from the model. :func:`target_device` is a context manager that
selects the Brian2 device and code-generation target for the objects built inside it and
restores Brian2's runtime device afterwards, so that many standalone runs can follow one
another in a single Python process, each in its own build directory.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from brian2 import defaultclock, device, prefs, set_device

from neurodyn.errors import TargetError

RUNTIME_TARGETS = ("cython", "numpy")
STANDALONE_TARGETS = ("cpp_standalone",)
TARGETS = RUNTIME_TARGETS + STANDALONE_TARGETS


def check_target(target: str) -> str:
    """Return ``target`` if neurodyn knows it, else raise :class:`TargetError`."""
    if target not in TARGETS:
        raise TargetError(f"unknown target {target!r}; choose one of {', '.join(TARGETS)}")
    return target


def build_root() -> Path:
    """Parent directory of standalone build directories (``$NEURODYN_BUILD_DIR`` or the temp dir)."""
    root = Path(os.environ.get("NEURODYN_BUILD_DIR", Path(tempfile.gettempdir()) / "neurodyn_builds"))
    root.mkdir(parents=True, exist_ok=True)
    return root


@dataclass
class DeviceSession:
    """What :func:`target_device` set up: the target and, for standalone, its build directory."""

    target: str
    build_dir: Path | None = None

    @property
    def is_standalone(self) -> bool:
        return self.target in STANDALONE_TARGETS

    def last_run_seconds(self) -> float | None:
        """Wall time of the compiled simulation loop alone (standalone targets), else ``None``."""
        return getattr(device, "_last_run_time", None) if self.is_standalone else None


@contextmanager
def target_device(target: str, dt, build_dir: str | os.PathLike | None = None,
                  threads: int = 1, keep_build: bool = False):
    """Select ``target`` for the Brian2 objects created inside the ``with`` block.

    Parameters
    ----------
    target
        ``"cython"`` or ``"numpy"`` (Brian2 runtime) or ``"cpp_standalone"``.
    dt
        Simulation time step (a Brian2 time quantity), set on ``defaultclock``.
    build_dir
        Standalone build directory; a fresh one under :func:`build_root` when ``None``.
    threads
        OpenMP threads for ``cpp_standalone`` (1 = no OpenMP).
    keep_build
        Keep a generated standalone directory instead of deleting it after the run.
    """
    check_target(target)
    if threads < 1:
        raise TargetError(f"threads must be >= 1, got {threads}")
    session = DeviceSession(target)
    if target in RUNTIME_TARGETS:
        set_device("runtime")
        prefs.codegen.target = target
    else:
        session.build_dir = Path(build_dir) if build_dir else Path(tempfile.mkdtemp(prefix="run_", dir=build_root()))
        prefs.devices.cpp_standalone.openmp_threads = threads if threads > 1 else 0
        set_device("cpp_standalone", directory=str(session.build_dir), build_on_run=True)
    defaultclock.dt = dt
    try:
        yield session
    finally:
        if session.is_standalone:
            device.reinit()
            prefs.devices.cpp_standalone.openmp_threads = 0
            if not keep_build and build_dir is None:
                shutil.rmtree(session.build_dir, ignore_errors=True)
        set_device("runtime")

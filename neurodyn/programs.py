"""C++ standalone programs compiled once per network structure and rerun with new value files.

Brian2 2.5.4 has no ``run_args`` (2.6), but a standalone program reads its ``static_arrays/``
files when it starts. With :class:`ValueFileDevice <neurodyn.value_files.ValueFileDevice>` every
value a script assigns from Python, and the seed, is such a file, so two configurations of one
network whose generated code is the same differ only in those files. :meth:`ProgramCache.run`
runs one configuration:

1. generate the project into this worker's ``gen/`` directory (no compilation);
2. its *structure key*: SHA-256 of every generated source file (``.cpp``, ``.c``, ``.h``,
   ``makefile``) and of the list of value files (name, type, length), see :func:`structure_key`;
3. if ``programs/<key>/main`` exists (compiled earlier by any worker), use it; otherwise compile
   ``gen/`` (``make``, incremental) and store the binary there: one *build* (:attr:`ProgramCache.builds`,
   and the process-wide :data:`BUILDS`);
4. run it in this worker's ``run/`` directory: the binary hard-linked (never written), this
   configuration's value files copied in, a fresh ``results/``.

Anything that changes the code (sizes, durations, namespace constants, equations, string
expressions, the number of assigned values) changes the key, so it compiles a new program
instead of running a stale one; before running, the value files present are checked against
the list the program was compiled for (:class:`StaleProgramError` otherwise). Directories:
``root/programs/`` is shared (one lock per key, so two workers never compile the same program
at once); ``root/worker-k/`` belongs to one worker (an exclusive lock, :func:`claim_worker_directory`).
"""
from __future__ import annotations

import atexit
import fcntl
import hashlib
import json
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from neurodyn.errors import TargetError
from neurodyn.slots import claim_slot

#: Programs compiled by this process (all caches together).
BUILDS = 0
#: Files of a generated project that make up its code (value files and results excluded).
CODE_SUFFIXES = (".cpp", ".c", ".h", ".hpp")
_PROGRAM = "main"
_STRUCTURE = "structure.json"


class StaleProgramError(TargetError):
    """A compiled program does not match the value files of the configuration to run."""


def structure_key(project: Path, value_files) -> str:
    """SHA-256 of a generated project's code and of its value files' list.

    ``value_files`` are Brian2's ``static_array_specs``: ``(name, C type, length, name)``.
    Hashed: the path and bytes of every ``CODE_SUFFIXES`` file and of ``makefile``, outside
    ``static_arrays/`` and ``results/``; then the sorted list of value files.
    """
    digest = hashlib.sha256()
    for path in sorted(project.rglob("*")):
        relative = path.relative_to(project)
        if not path.is_file() or relative.parts[0] in ("static_arrays", "results"):
            continue
        if path.suffix in CODE_SUFFIXES or path.name == "makefile":
            digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(json.dumps(_value_list(value_files)).encode())
    return digest.hexdigest()[:32]


def _value_list(value_files) -> list:
    return sorted([str(name), str(ctype), int(size)] for name, ctype, size, *_ in value_files)


@dataclass
class ProgramRun:
    """What :meth:`ProgramCache.run` did: the structure key and whether it compiled the program."""

    key: str
    built: bool


class ProgramCache:
    """Compiled programs under ``root/programs/`` and one worker's ``gen/`` and ``run/`` under ``workdir``."""

    def __init__(self, root: Path, workdir: Path):
        self.root = Path(root)
        self.workdir = Path(workdir)
        self.builds = 0
        self.last: ProgramRun | None = None

    def program_dir(self, key: str) -> Path:
        return self.root / "programs" / key

    def run(self, device) -> ProgramRun:
        """Generate, compile if this structure has no program yet, and run the network that is
        on ``device`` (a :class:`~neurodyn.value_files.ValueFileDevice` after ``Network.run``,
        built with ``build_on_run=False``). The device's monitors then read the run's results."""
        global BUILDS
        gen = self.workdir / "gen"
        key = self.generate(device)
        program = self.program_dir(key)
        built = False
        if not (program / _PROGRAM).is_file():
            with _locked(self.root / "programs" / f"{key}.lock"):
                if not (program / _PROGRAM).is_file():
                    self._compile(device, gen, key, program)
                    built = True
                    self.builds += 1
                    BUILDS += 1
        run_dir = self._prepare_run_directory(gen, program, device)
        device.project_dir = str(run_dir)
        device.run(str(run_dir), with_output=False, run_args=[])
        self.last = ProgramRun(key, built)
        return self.last

    def generate(self, device) -> str:
        """Write the project of the network on ``device`` into ``workdir/gen`` (sources rewritten
        only where they changed, value files all new; nothing compiled) and return its
        :func:`structure_key`."""
        gen = self.workdir / "gen"
        for stale in ("static_arrays", "results"):
            shutil.rmtree(gen / stale, ignore_errors=True)
        device.build(directory=str(gen), compile=False, run=False, with_output=False)
        return structure_key(gen, device.static_array_specs)

    def _compile(self, device, gen: Path, key: str, program: Path) -> None:
        from brian2.codegen.cpp_prefs import get_compiler_and_args

        compiler, _ = get_compiler_and_args()
        device.compile_source(str(gen), compiler, debug=False, clean=False)
        staging = program.with_name(f"{key}.tmp-{os.getpid()}-{threading.get_ident()}")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        shutil.copy2(gen / _PROGRAM, staging / _PROGRAM)
        (staging / _STRUCTURE).write_text(json.dumps({"key": key, "value_files": _value_list(device.static_array_specs)}))
        os.replace(staging, program)

    def _prepare_run_directory(self, gen: Path, program: Path, device) -> Path:
        """``run/`` with the program hard-linked, this configuration's value files and an empty
        ``results/``; refuses a program compiled for other value files, or files not as listed."""
        compiled_for = json.loads((program / _STRUCTURE).read_text())["value_files"]
        present = {path.name: path.stat().st_size for path in (gen / "static_arrays").iterdir()}
        written = {name: array.nbytes for name, array in device.static_arrays.items()}
        if compiled_for != _value_list(device.static_array_specs) or present != written:
            raise StaleProgramError(f"program {program.name} was compiled for the value files {compiled_for}, but this "
                                    f"configuration has {sorted(present.items())} (name, bytes); refusing to run it")
        run_dir = self.workdir / "run"
        shutil.rmtree(run_dir, ignore_errors=True)
        run_dir.mkdir(parents=True)
        try:
            os.link(program / _PROGRAM, run_dir / _PROGRAM)
        except OSError:  # another file system
            shutil.copy2(program / _PROGRAM, run_dir / _PROGRAM)
        shutil.copytree(gen / "static_arrays", run_dir / "static_arrays")
        (run_dir / "results").mkdir()
        return run_dir


class _locked:
    """An exclusive ``fcntl.flock`` on ``path`` for the ``with`` block."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path

    def __enter__(self):
        self.handle = open(self.path, "w")
        fcntl.flock(self.handle, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        self.handle.close()
        return False


_worker = threading.local()


def claim_worker_directory(root: Path) -> Path:
    """This thread's own ``root/worker-k`` (the first whose lock no live thread or process
    holds; the lock is kept for the thread's life), so two workers never share one."""
    held = getattr(_worker, "directories", {})
    _worker.directories = held
    if root in held:
        return held[root][0]
    directory, handle = claim_slot(root, "worker")
    held[root] = (directory, handle)
    atexit.register(handle.close)   # the lock lasts as long as the process
    return directory


def worker_cache(root: Path | None = None) -> ProgramCache:
    """This thread's :class:`ProgramCache` under ``root`` (default
    ``build_root()/compiled-brian2-<version>``), with its own worker directory; the same object
    on every call from one thread, so its :attr:`~ProgramCache.builds` counts the thread's builds."""
    import brian2

    from neurodyn.targets import build_root

    root = Path(root) if root is not None else build_root() / f"compiled-brian2-{brian2.__version__}"
    caches = _worker.__dict__.setdefault("caches", {})
    if root not in caches:
        caches[root] = ProgramCache(root, claim_worker_directory(root))
    return caches[root]

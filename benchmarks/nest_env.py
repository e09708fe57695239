"""NEST's own virtual environment for the benchmark suite (NEST 3.10 wants NumPy 2, neurodyn NumPy < 2).

:func:`nest_python` creates ``.bench-venvs/nest`` (git-ignored) on first use with
``pip install nest-simulator==3.10.0`` and returns its interpreter, or ``None`` and the
reason (the installer's last lines) when NEST cannot be installed here.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

NEST_REQUIREMENT = "nest-simulator==3.10.0"
VENV = Path(__file__).resolve().parents[1] / ".bench-venvs" / "nest"


def nest_python(venv: Path = VENV) -> tuple[Path | None, str]:
    """The NEST environment's Python (created if missing) and a status message."""
    python = venv / "bin" / "python"
    check = [str(python), "-c", "import nest"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python, f"NEST environment {venv}"
    print(f"creating the NEST environment {venv} (one-time, about a minute) ...", flush=True)
    steps = ([sys.executable, "-m", "venv", "--clear", str(venv)],
             [str(python), "-m", "pip", "install", "--quiet", NEST_REQUIREMENT], check)
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode:
            why = (done.stderr or done.stdout).strip().splitlines()[-5:]
            return None, f"NEST not available: '{' '.join(step)}' failed: " + " | ".join(why)
    return python, f"NEST environment {venv} created"

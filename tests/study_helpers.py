"""Shared pieces of the study-engine tests: the tiny study script and frame comparison."""
import importlib
import sys
from pathlib import Path

import pandas as pd

SCRIPTS = Path(__file__).parent / "study_scripts"
TINY_SCRIPT = SCRIPTS / "tiny_study.py"

#: Columns that differ between runs of the same point (wall-clock times).
TIMING_COLUMNS = ["wall_s", "simulate_s", "run_s"]


def tiny_study_module():
    """Import ``tiny_study`` by name (spawned workers find it through ``sys.path``)."""
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    return importlib.import_module("tiny_study")


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows without timings, ordered by point key, for exact comparison."""
    return frame.drop(columns=TIMING_COLUMNS).sort_values("point_key").reset_index(drop=True)

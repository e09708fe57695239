"""Shared test settings: Brian2 quiet, standalone builds in a per-session temporary directory."""
import os

import pytest
from brian2 import BrianLogger


@pytest.fixture(autouse=True, scope="session")
def _quiet_brian2(tmp_path_factory):
    BrianLogger.suppress_name("brian2.codegen")
    BrianLogger.log_level_error()
    os.environ.setdefault("NEURODYN_BUILD_DIR", str(tmp_path_factory.mktemp("builds")))

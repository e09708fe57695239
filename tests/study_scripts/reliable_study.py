"""Small studies for the reliability tests: 8 tiny networks on the NumPy target.

``STUDY`` logs every computation of a point to ``$NEURODYN_TEST_LOG`` (when set), so tests can
count how often each point was computed. ``TROUBLED`` adds an analysis whose column is text
for some points and NaN for others, and one that kills its worker process at g = 8.
"""
import math
import os
import sys
import time

from brian2 import ms, second

from neurodyn import InhibitoryNetwork
from neurodyn.studies import Study, product
from neurodyn.studies.cli import main


def log_computation(result, t_start):
    """Append ``g seed`` to ``$NEURODYN_TEST_LOG``; no column. Points with g equal to
    ``$NEURODYN_TEST_SLOW_G`` first sleep 30 s (a long point, to interrupt)."""
    if os.environ.get("NEURODYN_TEST_SLOW_G") == str(result.params["g"]):
        time.sleep(30)
    log = os.environ.get("NEURODYN_TEST_LOG")
    if log:
        with open(log, "a") as handle:
            handle.write(f"{result.params['g']} {result.params['seed']}\n")
    return {}


def label_or_nan(result, t_start):
    """Text for strong coupling, NaN otherwise (a column of mixed types across points)."""
    return {"label": "strong" if result.params["g"] > 2 else math.nan}


def die_at_g8(result, t_start):
    """Kill the worker process (as a crash in compiled code would) at g = 8."""
    if result.params["g"] == 8.0:
        os._exit(3)
    return {}


STUDY = Study("reliable", InhibitoryNetwork, product(g=[0.5, 2.0, 4.0, 8.0]).repeat(2), duration=0.1 * second,
              fixed=dict(N=20, alpha=2, tau_d=0.5 * ms), target="numpy", seed=3, analyses=(log_computation,))
TROUBLED = STUDY.replace(analyses=(log_computation, label_or_nan, die_at_g8), max_crashes=2,
                         grid=product(g=[0.5, 4.0, 8.0]))

if __name__ == "__main__":
    sys.exit(main(STUDY, STUDY))

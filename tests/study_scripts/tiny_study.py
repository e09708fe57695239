"""A tiny study for the engine's tests: 12 small networks on the NumPy target.

Delayed inhibitory network, N = 40 neurons, global coupling, 0.3 s per point; ``--slow``
lengthens every point (1.5 s) so a test can kill the driver while points are in flight.
``--fail-g`` makes the points with that g raise inside the worker.
"""
import sys

from brian2 import ms, second

from neurodyn import InhibitoryNetwork
from neurodyn.studies import Study, product
from neurodyn.studies.cli import main


def fail_at_g(result, t_start):
    """An analysis that raises for the g given by --fail-g (to test failure handling)."""
    if result.params["g"] == FAIL_G:
        raise RuntimeError(f"deliberate failure at g={FAIL_G}")
    return {"spikes_after_transient": int((result.spike_t >= t_start).sum())}


FAIL_G = None
STUDY = Study("tiny", InhibitoryNetwork, product(g=[0.5, 2.0, 8.0], I_u=[1.2, 1.5]).repeat(2),
              duration=0.3 * second, fixed=dict(N=40, alpha=2, tau_d=0.5 * ms), target="numpy", seed=7,
              analyses=(fail_at_g,))

if __name__ == "__main__":
    argv = sys.argv[1:]
    if "--slow" in argv:
        argv.remove("--slow")
        STUDY = STUDY.replace(duration=1.5 * second)
    if "--fail-g" in argv:
        at = argv.index("--fail-g")
        FAIL_G = float(argv[at + 1])
        del argv[at:at + 2]
    sys.exit(main(STUDY, STUDY, argv=argv))

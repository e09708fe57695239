"""A tiny study for the engine's tests: 12 small networks on the NumPy target.

Delayed inhibitory network, N = 40 neurons, global coupling, 0.3 s per point, three g
values times two heterogeneities times two seeds. ``FAILING`` is the same study with an
extra analysis that raises for g > 5 (to test that a failing point does not stop the others),
keeping every finished point's spikes.
"""
import sys

from brian2 import ms, second

from neurodyn import InhibitoryNetwork
from neurodyn.studies import Study, product
from neurodyn.studies.cli import main


def spikes_after_transient(result, t_start):
    """An extra analysis column: number of spikes after the transient."""
    return {"spikes_after_transient": int((result.spike_t >= t_start).sum())}


def refuse_large_g(result, t_start):
    """An analysis that fails for g > 5."""
    if result.params["g"] > 5:
        raise RuntimeError(f"deliberate failure at g={result.params['g']}")
    return {}


STUDY = Study("tiny", InhibitoryNetwork, product(g=[0.5, 2.0, 8.0], I_u=[1.2, 1.5]).repeat(2),
              duration=0.3 * second, fixed=dict(N=40, alpha=2, tau_d=0.5 * ms), target="numpy", seed=7,
              analyses=(spikes_after_transient,))
FAILING = STUDY.replace(analyses=(spikes_after_transient, refuse_large_g), keep_spikes=True)

if __name__ == "__main__":
    sys.exit(main(STUDY, STUDY))

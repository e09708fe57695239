"""A tiny two-population study for the kill-and-resume test: the CUBA E/I example (80 + 20
neurons, 0.15 s per point, numpy), three inhibitory weights times two seeds, with the
per-population rates as extra columns."""
import sys

from brian2 import ms

from neurodyn.models.examples.cuba_ei import cuba_ei, population_rates
from neurodyn.studies import Study, product
from neurodyn.studies.cli import main

STUDY = Study("tiny_ei", cuba_ei, product(wi=["-3mV", "-9mV", "-15mV"]).repeat(2), duration=150 * ms,
              fixed=dict(N_exc=80, N_inh=20), target="numpy", seed=5, analyses=(population_rates,))

if __name__ == "__main__":
    sys.exit(main(STUDY, STUDY))

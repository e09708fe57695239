"""Excitation against inhibition in a two-population CUBA network: rates of exc and inh vs wi.

The example model :mod:`neurodyn.models.examples.cuba_ei` (two NeuronGroups, exc and inh):
stronger inhibition lowers both populations' rates. Every point stores the whole-network
summary and, from the analysis ``population_rates``, ``exc_rate_hz`` and ``inh_rate_hz``.

    python studies/cuba_ei.py [--quick] [--out DIR] [--workers N | --scheduler ADDRESS] [--target T]

Writes OUT/cuba_ei.parquet and OUT/cuba_ei.png.
"""
import sys

from brian2 import ms, second

from neurodyn.models.examples.cuba_ei import cuba_ei, population_rates
from neurodyn.studies import Study, product
from neurodyn.studies.cli import main
from neurodyn.studies.plots import plot_curves

STUDY = Study("cuba_ei", cuba_ei, product(wi=("-3mV", "-6mV", "-9mV", "-15mV")).repeat(2), duration=2 * second,
              t_start=200 * ms, analyses=(population_rates,), show=("exc_rate_hz", "inh_rate_hz", "chi_spikes"))
QUICK = STUDY.replace(grid=product(wi=("-3mV", "-15mV")), duration=300 * ms, t_start=50 * ms,
                      fixed=dict(N_exc=160, N_inh=40))


def plot(frame, study, out):
    """Rates of both populations against wi."""
    ax = plot_curves(frame, "wi_mV", "exc_rate_hz", label="exc")
    plot_curves(frame, "wi_mV", "inh_rate_hz", label="inh", ax=ax)
    ax.set_ylabel("rate (Hz)")
    path = out / "cuba_ei.png"
    ax.figure.savefig(path, dpi=110)
    return [path]


if __name__ == "__main__":
    sys.exit(main(STUDY, QUICK, plot, description=__doc__.splitlines()[0]))

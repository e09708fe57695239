"""Fast global oscillations in a sparse inhibitory network (Brunel & Hakim 1999), against J.

The example model :mod:`neurodyn.models.examples.brunel_hakim` (a Brian2 script as a neurodyn
model): neurons fire irregularly at low rates while the population rate oscillates fast (the
peak frequency is well above the mean single-neuron rate). The study varies the inhibitory jump
J and records the mean rate, the oscillation frequency and the synchrony chi.

    python studies/brunel_hakim.py [--quick] [--out DIR] [--workers N | --scheduler ADDRESS] [--target T]

Writes OUT/brunel_hakim.parquet and OUT/brunel_hakim.png.
"""
import sys

from brian2 import ms

from neurodyn.models.examples.brunel_hakim import brunel_hakim
from neurodyn.studies import Study, product
from neurodyn.studies.cli import main
from neurodyn.studies.plots import plot_observables

J_VALUES = ("0.05mV", "0.1mV", "0.2mV", "0.4mV")

STUDY = Study("brunel_hakim", brunel_hakim, product(J=J_VALUES).repeat(2), duration=500 * ms, t_start=100 * ms,
              target="cpp_standalone", show=("mean_rate_hz", "peak_freq_hz", "chi_spikes"))
QUICK = STUDY.replace(grid=product(J=("0.1mV", "0.4mV")), duration=200 * ms, t_start=50 * ms,
                      fixed=dict(N=1000, C=200), target="cython")


def plot(frame, study, out):
    """Mean rate, oscillation frequency and chi against J."""
    path = out / "brunel_hakim.png"
    plot_observables(frame, "J_mV", ("mean_rate_hz", "peak_freq_hz", "chi_spikes")).savefig(path, dpi=110)
    return [path]


if __name__ == "__main__":
    sys.exit(main(STUDY, QUICK, plot, description=__doc__.splitlines()[0]))

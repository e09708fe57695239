"""A 6-point C++ standalone study for the compile-once tests: noisy LIF neurons.

``noisy_lif``: ``dv/dt = (drive - v)/tau + noise*sqrt(2/tau)*xi``, threshold 1, reset 0, with
``v(0) ~ U[0, 1)`` drawn inside the program (``rand()``) and white noise ``xi``: both use the
program's random numbers, seeded with the point's seed. Per point the grid varies ``I`` (a
per-neuron variable set with a scalar) and ``sigma`` (a shared variable); each point has its
own seed. ``tau`` is a namespace constant of the equations (compiled into the code: structural),
as is ``N``.
"""
from brian2 import NeuronGroup, ms, second

import neurodyn
from neurodyn.studies import Study, product


@neurodyn.model
def noisy_lif(N=20,              # number of neurons
              I=1.2,             # drive (dimensionless, threshold 1)
              sigma=0.2,         # noise amplitude
              tau=10 * ms,       # membrane time constant (structural: compiled into the code)
              seed=0):
    neurons = NeuronGroup(N, """dv/dt = (drive - v) / tau + noise * sqrt(2 / tau) * xi : 1
                                drive : 1
                                noise : 1 (shared)""",
                          threshold="v > 1", reset="v = 0", method="euler", name="neurons")
    neurons.drive = I
    neurons.noise = sigma
    neurons.v = "rand()"
    return neurons


STUDY = Study("standalone", noisy_lif, product(I=[1.2, 1.5, 1.8], sigma=[0.1, 0.3]), duration=0.1 * second,
              fixed=dict(N=20), target="cpp_standalone", seed=11, keep_spikes=True)

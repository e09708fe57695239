"""Example models: Brian2 scripts written as neurodyn models (each module holds one).

- :mod:`~neurodyn.models.examples.brunel_hakim`: Brunel & Hakim (1999), sparse inhibitory LIF
  network with noise and delay (fast global oscillations);
- :mod:`~neurodyn.models.examples.cobahh`: the COBAHH benchmark of Brette et al. (2007),
  Hodgkin-Huxley neurons with exponential conductances;
- :mod:`~neurodyn.models.examples.cuba_ei`: a current-based E/I network in two NeuronGroups
  (two populations).

They are registered as ``neurodyn.models`` entry points (``neurodyn run brunel_hakim``) and
can be run by file as well (``neurodyn run neurodyn/models/examples/cobahh.py:cobahh``).
"""

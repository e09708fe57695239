"""Example models: Brian2 scripts written as neurodyn models (each module holds one).

- :mod:`~neurodyn.models.examples.brunel_hakim`: Brunel & Hakim (1999), sparse inhibitory LIF
  network with noise and delay (fast global oscillations);
- :mod:`~neurodyn.models.examples.cobahh`: the COBAHH benchmark of Brette et al. (2007),
  Hodgkin-Huxley neurons with exponential conductances;
- :mod:`~neurodyn.models.examples.cuba_ei`: a current-based E/I network in two NeuronGroups
  (two populations).

The command line knows them by name (``neurodyn run brunel_hakim``,
:data:`neurodyn.registry.EXAMPLES`); they also run by file
(``neurodyn run neurodyn/models/examples/cobahh.py:cobahh``).
"""

"""GeNN code generation of the Brian2 LMU (Brian2GeNN 1.7), or a named refusal.

Brian2GeNN allows one summed variable per Synapses object, targeting that object's own
postsynaptic group (:mod:`neurodyn.genn_compat`): the LMU has one per coupling. GeNN runs a
fixed order each step (synapse dynamics and summed variables, spike delivery, neuron update).
In the ``hybrid`` and ``spiking`` modes every coupling reads the previous step's values
(:mod:`neurodyn.lmu.network`), so that order computes the same recurrence. The ``ann`` mode's
readout must read the hidden values of the same step (readout group at order 2), which GeNN's
order cannot do: it is refused.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from brian2 import second

from neurodyn.errors import GeNNUnsupportedError
from neurodyn.genn_compat import find_problems, schedule_notes
from neurodyn.lmu.network import build_lmu
from neurodyn.lmu.weights import LMUWeights, check_mode, check_sequences
from neurodyn.targets import target_device

ANN_REFUSAL = ("mode 'ann': the readout's summed variable must read the hidden values of the same step, after "
               "their update; GeNN computes summed variables before the neuron update (its fixed order), so the "
               "readout would lag one step")


def genn_problems(weights: LMUWeights, x: np.ndarray, mode: str = "hybrid") -> list[str]:
    """Sentences naming what Brian2GeNN cannot express in the LMU for ``x``; empty if it generates."""
    check_mode(mode)
    x = check_sequences(x, weights.n_in)
    with target_device("numpy", weights.dt * second):
        network = build_lmu(weights, x, mode).network
        problems = find_problems(network)
    return ([ANN_REFUSAL] if mode == "ann" else []) + problems


def generate_lmu_genn(weights: LMUWeights, x: np.ndarray, out_dir, mode: str = "hybrid",
                      use_gpu: bool = False) -> tuple[Path, list[str]]:
    """Write the Brian2GeNN project of the LMU on ``x`` into ``out_dir`` (no GeNN needed); return it
    with the schedule caveats. Raises :class:`~neurodyn.errors.GeNNUnsupportedError` naming every
    problem of :func:`genn_problems`."""
    problems = genn_problems(weights, x, mode)
    if problems:
        raise GeNNUnsupportedError("Brian2GeNN 1.7 cannot generate this LMU: " + "; ".join(problems))
    x = check_sequences(x, weights.n_in)
    out_dir = Path(out_dir)
    with target_device("genn", weights.dt * second, build_dir=out_dir, use_gpu=use_gpu, generate_only=True):
        built = build_lmu(weights, x, mode)
        notes = schedule_notes(built.network)
        built.network.run(x.shape[1] * weights.dt * second, namespace={})
    return out_dir, notes

"""Hybrid spiking LMUs (Voelker, Rasmussen & Eliasmith 2020): a Legendre memory with linear
state, quantized multi-bit (or integrate-and-fire) hidden units, trained in PyTorch
(:mod:`neurodyn.lmu.training`, needs torch) and run as a Brian2 network
(:mod:`neurodyn.lmu.network`) that computes the same recurrence. docs/lmu.md has the details."""
from neurodyn.lmu.errors import LMUError
from neurodyn.lmu.legendre import DISCRETIZERS, discrete_memory, legendre_matrices
from neurodyn.lmu.measures import activity_measures
from neurodyn.lmu.network import LMURun, build_lmu, run_lmu
from neurodyn.lmu.readers import is_lmu_npz, read_lmu, read_lmu_npz, read_lmu_torch, write_lmu_npz
from neurodyn.lmu.weights import MODES, LMUWeights

__all__ = ["DISCRETIZERS", "LMUError", "LMURun", "LMUWeights", "MODES", "activity_measures", "build_lmu",
           "discrete_memory", "is_lmu_npz", "legendre_matrices", "read_lmu", "read_lmu_npz", "read_lmu_torch",
           "run_lmu", "write_lmu_npz"]

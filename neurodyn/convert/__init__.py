"""Import trained ANNs (NumPy .npz, PyTorch, NIR) and run them as spiking Brian2 networks."""
from neurodyn.convert.conversion import ENCODINGS, NEURONS, READOUTS, ConvertedNetwork, convert
from neurodyn.convert.evaluate import evaluate, plot_accuracy_vs_T
from neurodyn.convert.layers import ConversionError, DenseLayer, DenseNetwork
from neurodyn.convert.readers import read_npz, read_torch, write_npz
from neurodyn.convert.simulate import SpikingRun, build_converted, run_converted

__all__ = ["ENCODINGS", "NEURONS", "READOUTS", "ConversionError", "ConvertedNetwork", "DenseLayer", "DenseNetwork",
           "SpikingRun", "build_converted", "convert", "evaluate", "plot_accuracy_vs_T", "read_npz", "read_torch",
           "run_converted", "write_npz"]


# Hybrid LMU (neurodyn.lmu, which imports this package): read_lmu and run_lmu, loaded on first use
def __getattr__(name):
    if name in ("read_lmu", "run_lmu"):
        import neurodyn.lmu
        return getattr(neurodyn.lmu, name)
    raise AttributeError(f"module 'neurodyn.convert' has no attribute {name!r}")

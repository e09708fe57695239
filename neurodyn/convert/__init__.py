"""Import trained ANNs (NumPy .npz, PyTorch) and trained spiking networks (snnTorch, Norse, NIR)
and run them as spiking Brian2 networks."""
from neurodyn.convert.conversion import ENCODINGS, NEURONS, READOUTS, ConvertedNetwork, convert
from neurodyn.convert.evaluate import evaluate, plot_accuracy_vs_T
from neurodyn.convert.layers import ConversionError, DenseLayer, DenseNetwork
from neurodyn.convert.nir_graph import ConversionWarning, read_nir
from neurodyn.convert.norse_reader import read_norse
from neurodyn.convert.readers import read_npz, read_torch, write_npz
from neurodyn.convert.simulate import SpikingRun, run_converted
from neurodyn.convert.snntorch_reader import read_snntorch
from neurodyn.convert.spiking_graph import SpikingGraph
from neurodyn.convert.spiking_network import run_spiking, run_spiking_batches, run_spiking_many

__all__ = ["ENCODINGS", "NEURONS", "READOUTS", "ConversionError", "ConversionWarning", "ConvertedNetwork",
           "DenseLayer", "DenseNetwork", "SpikingGraph", "SpikingRun", "convert", "evaluate",
           "plot_accuracy_vs_T", "read_nir", "read_norse", "read_npz", "read_snntorch", "read_torch", "run_converted",
           "run_spiking", "run_spiking_batches", "run_spiking_many", "write_npz"]


# Hybrid LMU (neurodyn.lmu, which imports this package): read_lmu and run_lmu, loaded on first use
def __getattr__(name):
    if name in ("read_lmu", "run_lmu"):
        import neurodyn.lmu
        return getattr(neurodyn.lmu, name)
    raise AttributeError(f"module 'neurodyn.convert' has no attribute {name!r}")

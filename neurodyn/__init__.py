"""neurodyn: equation-defined spiking networks on Brian2, with tidy analysis and studies."""
from neurodyn.errors import GeNNUnsupportedError, ModelDefinitionError, NeurodynError, ParameterError, TargetError
from neurodyn.model import BuiltNetwork, Model, model
from neurodyn.models import MODELS, EINetwork, InhibitoryNetwork
from neurodyn.parameters import Parameter, ParameterSpec
from neurodyn.registry import load_model
from neurodyn.results import SimulationResult
from neurodyn.simulation import simulate
from neurodyn.targets import TARGETS

__version__ = "0.1.0"

__all__ = ["BuiltNetwork", "EINetwork", "GeNNUnsupportedError", "InhibitoryNetwork", "MODELS", "Model",
           "ModelDefinitionError", "NeurodynError", "Parameter", "ParameterError", "ParameterSpec", "SimulationResult",
           "TARGETS", "TargetError", "load_model", "model", "simulate"]

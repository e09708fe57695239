"""neurodyn: equation-defined spiking networks on Brian2, with tidy analysis and studies."""
from neurodyn.errors import GeNNUnsupportedError, ModelDefinitionError, NeurodynError, ParameterError, TargetError
from neurodyn.model import NeuronModel, SynapseModel
from neurodyn.models import MODELS, InhibitoryNetwork
from neurodyn.results import SimulationResult
from neurodyn.simulation import simulate
from neurodyn.targets import TARGETS

__version__ = "0.1.0"

__all__ = ["GeNNUnsupportedError", "InhibitoryNetwork", "MODELS", "ModelDefinitionError", "NeurodynError", "NeuronModel",
           "ParameterError", "SimulationResult", "SynapseModel", "TARGETS", "TargetError", "simulate"]

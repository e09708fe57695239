"""neurodyn: equation-defined spiking networks on Brian2, with tidy analysis and studies."""
import warnings as _warnings

try:  # Brian2 2.5.4 calls pyparsing's camelCase names, deprecated in pyparsing 3.3: not the user's concern
    from pyparsing.warnings import PyparsingDeprecationWarning as _PyparsingDeprecationWarning
except ImportError:  # pyparsing < 3.3 does not warn
    pass
else:
    _warnings.filterwarnings("ignore", category=_PyparsingDeprecationWarning, module=r"(brian2|pyparsing)(\.|$)")

from neurodyn.errors import GeNNUnsupportedError, ModelDefinitionError, NeurodynError, ParameterError, TargetError
from neurodyn.model import BuiltNetwork, Model, model
from neurodyn.models import MODELS, EINetwork, InhibitoryNetwork
from neurodyn.parameters import Parameter, ParameterSpec
from neurodyn.registry import list_models, load_model
from neurodyn.results import SimulationResult
from neurodyn.simulation import simulate
from neurodyn.targets import TARGETS
from neurodyn.excepthook import install as _install_excepthook

_install_excepthook()  # after Brian2's own hook is in place (imported above)

__version__ = "0.1.0"

__all__ = ["BuiltNetwork", "EINetwork", "GeNNUnsupportedError", "InhibitoryNetwork", "MODELS", "Model",
           "ModelDefinitionError", "NeurodynError", "Parameter", "ParameterError", "ParameterSpec", "SimulationResult",
           "TARGETS", "TargetError", "list_models", "load_model", "model", "simulate"]

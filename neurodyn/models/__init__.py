"""Built-in network models, by name (as the command line and studies refer to them)."""
from neurodyn.models.eicil import EINetwork
from neurodyn.models.inhibitory import InhibitoryNetwork

MODELS = {InhibitoryNetwork.name: InhibitoryNetwork, EINetwork.name: EINetwork}

"""How many synapses a model's named Synapses object has once built (numpy target, no run)."""
from contextlib import nullcontext

from neurodyn.targets import plan_for, target_device


def built_synapses(model, name: str, planned: str | None = None) -> int:
    """Synapses in ``model``'s object ``name``, built as for target ``planned`` (default: as built here)."""
    with target_device("numpy", model.dt), (plan_for(planned) if planned else nullcontext()):
        built = model.build()
    return len(next(obj for obj in built.network.objects if obj.name == name))

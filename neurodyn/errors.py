"""Exceptions that name a user's mistake (as opposed to a bug)."""


class NeurodynError(Exception):
    """Base class of errors caused by user input; the command line prints them in one line."""


class ParameterError(NeurodynError, ValueError):
    """An unknown parameter, a wrong unit, a value out of range or NaN."""


class ModelDefinitionError(NeurodynError, ValueError):
    """An equation-defined model that neurodyn refuses to build (e.g. a forbidden name)."""


class TargetError(NeurodynError, ValueError):
    """An unknown target, or a target that cannot run here (e.g. GeNN without GENN_PATH)."""


class GeNNUnsupportedError(TargetError):
    """A network that Brian2GeNN cannot express (heterogeneous delays, custom events, ...)."""


class ResultError(NeurodynError, OSError):
    """A result or output directory neurodyn cannot use: an output path that is a file, lies under
    a file or is read-only; a directory that holds another result (without ``overwrite``) or no
    complete neurodyn result (missing, truncated or foreign files)."""


class ResourceError(NeurodynError, ValueError):
    """A run that would need more memory than this machine has (checked before anything is built)."""


class NeurodynWarning(UserWarning):
    """Base class of neurodyn's warnings about a user's model or run."""


class SynchronyWarning(NeurodynWarning):
    """A synchrony measure that would rest on too few, or silent, traces (reported as NaN instead)."""


class TimeStepWarning(NeurodynWarning):
    """The time step is coarser than a time constant of the model (spikes resolved only to dt)."""

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

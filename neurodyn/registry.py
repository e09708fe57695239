"""Finding a model by the name a user types: ``neurodyn run NAME`` and ``neurodyn codegen NAME``.

``NAME`` is one of

- a built-in model (:data:`neurodyn.models.MODELS`: ``inhibitory``, ``eicil``) or an example
  model (:data:`EXAMPLES`: ``brunel_hakim``, ``cobahh``, ``cuba_ei``);
- a model registered by an installed package in the entry-point group ``neurodyn.models``
  (``[options.entry_points] neurodyn.models = brunel = mypackage.models:brunel``);
- ``path/to/file.py:function`` (the file's folder goes on the import path, as for
  ``python file.py``) or ``package.module:function``.

The object found is a :class:`~neurodyn.Model` subclass (a function decorated with
:func:`neurodyn.model`, or a class); an undecorated function is wrapped with
:func:`neurodyn.model` on the fly.
"""
from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from importlib.metadata import entry_points
from pathlib import Path

from neurodyn.errors import ModelDefinitionError, NeurodynError

ENTRY_POINT_GROUP = "neurodyn.models"
#: The example models of :mod:`neurodyn.models.examples`, by name (imported when asked for).
EXAMPLES = {name: f"neurodyn.models.examples.{name}:{name}" for name in ("brunel_hakim", "cobahh", "cuba_ei")}


class ModelNotFoundError(NeurodynError, LookupError):
    """A model name, file or function that cannot be found or imported."""


def available_models() -> dict[str, object]:
    """Built-in models and those registered by installed packages, by name (not imported yet)."""
    from neurodyn.models import MODELS

    found = {**MODELS, **EXAMPLES}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(entry.name, entry)
    return found


def list_models():
    """The available models and their parameters, one row per (model, parameter), as a DataFrame.

    Columns ``model`` (the name ``neurodyn run`` and :func:`load_model` take), ``parameter``,
    ``column`` (record name with its unit), ``default`` (in that unit), ``unit`` and ``doc``;
    built-in, example and entry-point models (:func:`available_models`).
    ``list_models().groupby("model")`` gives one table per model.
    """
    import pandas as pd

    frames = [load_model(name).parameters.frame().assign(model=name) for name in available_models()]
    frame = pd.concat(frames, ignore_index=True)
    return frame[["model"] + [column for column in frame.columns if column != "model"]]


def load_model(name: str):
    """The :class:`~neurodyn.Model` subclass that ``name`` refers to (see the module docstring)."""
    from neurodyn.model import Model, model

    known = available_models()
    if name in known and isinstance(known[name], str):
        module, _, attribute = known[name].partition(":")
        found = getattr(_import_module(module), attribute)
    elif name in known:
        found = known[name]
        found = found.load() if hasattr(found, "load") and not isinstance(found, type) else found
    elif ":" in name:
        location, _, attribute = name.rpartition(":")
        module = _import_file(location) if location.endswith(".py") else _import_module(location)
        if not hasattr(module, attribute):
            raise ModelNotFoundError(f"{location} defines no {attribute!r}")
        found = getattr(module, attribute)
    else:
        raise ModelNotFoundError(f"unknown model {name!r}: give a model name ({', '.join(sorted(known))}), "
                                 f"FILE.py:FUNCTION or package.module:FUNCTION")
    if isinstance(found, type) and issubclass(found, Model):
        return found
    if inspect.isfunction(found):
        return model(found)
    raise ModelDefinitionError(f"{name} is {found!r}, not a model (a function with Brian2 code, decorated with "
                               f"@neurodyn.model, or a neurodyn.Model subclass)")


def _import_file(location: str):
    path = Path(location)
    if not path.is_file():
        raise ModelNotFoundError(f"no model file at {path}")
    folder = str(path.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)  # as `python FILE.py` does: the file's neighbours import
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    try:
        spec.loader.exec_module(module)
    except ImportError as error:
        del sys.modules[path.stem]
        raise ModelNotFoundError(f"{path}: {error}") from error
    return module


def _import_module(name: str):
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise ModelNotFoundError(f"cannot import {name}: {error}") from error

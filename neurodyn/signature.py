"""A model's :class:`~neurodyn.parameters.ParameterSpec`, read from its function's signature.

Every keyword argument with a default is a parameter::

    def brunel_hakim(N=5000,          # number of neurons     -> int, documented by the comment
                     tau=20 * ms,     # membrane time constant -> unit ms, column tau_ms
                     K: int = None,   # optional int (the annotation gives the kind)
                     period: ms = None):  # optional time (a unit as annotation)

- the *kind* comes from the default (``int``, ``float``, ``str``, a Brian2 quantity) or from
  the annotation (``int``, ``float``, ``str``, ``int | None``, a Brian2 unit such as ``ms``);
- the *unit* of a dimensional parameter is the unit written in the default (``20*ms`` ->
  ``ms``), else the default's best Brian2 unit; it names the record column (``tau_ms``);
- the *documentation* is the comment on the parameter's line, or a line ``name: text`` of
  the docstring, or ``docs={"name": text}``;
- ``bounds={"g": (0, None)}`` and ``choices={"pulse": ("alpha", "delta")}`` add checks.

``rng`` is not a parameter (neurodyn passes a seeded NumPy generator); ``seed`` is added
(an int >= 0, default 0) when the function does not declare it. A parameter without a
default, a default whose type neurodyn cannot check, or a number where the annotation asks
for a unit raise :class:`~neurodyn.errors.ModelDefinitionError`.
"""
from __future__ import annotations

import ast
import inspect
import io
import textwrap
import tokenize
import types
import typing
from typing import Callable, Mapping

from brian2 import Quantity, have_same_dimensions

from neurodyn.errors import ModelDefinitionError
from neurodyn.parameters import Parameter, ParameterSpec, unit_named

#: Arguments neurodyn itself supplies to a model function; never parameters.
SUPPLIED = ("rng",)
SEED_PARAMETER = Parameter("seed", 0, "seed of Brian2's random numbers and of the NumPy generator rng",
                           kind=int, minimum=0, maximum=2**32 - 1)  # Brian2 seeds NumPy's RandomState


def spec_from_function(function: Callable, *, skip_first: bool = False, bounds: Mapping[str, tuple] = None,
                       choices: Mapping[str, tuple] = None, docs: Mapping[str, str] = None) -> ParameterSpec:
    """The parameter spec of ``function`` (``skip_first``: a method's ``self``); see the module docstring."""
    where = f"model {function.__qualname__}"
    bounds, choices, docs = dict(bounds or {}), dict(choices or {}), dict(docs or {})
    try:
        signature = inspect.signature(function, eval_str=True)
    except (NameError, TypeError) as error:
        raise ModelDefinitionError(f"{where}: cannot read its signature: {error}") from error
    arguments = list(signature.parameters.values())[1 if skip_first else 0:]
    names = [argument.name for argument in arguments]
    for extra, given in (("bounds", bounds), ("choices", choices), ("docs", docs)):
        unknown = sorted(set(given) - set(names))
        if unknown:
            raise ModelDefinitionError(f"{where}: {extra} name(s) {', '.join(unknown)} that are not arguments")
    written = _source_details(function)
    docstring_docs = _docstring_docs(function.__doc__ or "")
    parameters = []
    for argument in arguments:
        if argument.name in SUPPLIED:
            continue
        if argument.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            raise ModelDefinitionError(f"{where}: *args and **kwargs cannot be parameters; name each one")
        if argument.default is inspect.Parameter.empty:
            raise ModelDefinitionError(f"{where}: parameter {argument.name!r} has no default; every parameter needs "
                                       f"one (e.g. {argument.name}=10*ms)")
        comment, unit_name = written.get(argument.name, (None, None))
        doc = docs.get(argument.name) or comment or docstring_docs.get(argument.name) or ""
        parameters.append(_parameter(where, argument, doc, unit_name, bounds.get(argument.name),
                                     choices.get(argument.name)))
    if "seed" not in names:
        parameters.append(SEED_PARAMETER)
    return ParameterSpec(tuple(parameters))


def _parameter(where: str, argument: inspect.Parameter, doc: str, unit_name: str | None, bound, choice) -> Parameter:
    name, default, annotation = argument.name, argument.default, argument.annotation
    kind, optional, unit = _annotated_kind(where, name, annotation)
    if default is None:
        if kind is None and unit is None:
            raise ModelDefinitionError(f"{where}: parameter {name!r} defaults to None; annotate its kind "
                                       f"({name}: int = None, or a unit: {name}: ms = None)")
        optional = True
    elif isinstance(default, bool) or not isinstance(default, (int, float, str, Quantity)):
        raise ModelDefinitionError(f"{where}: parameter {name!r} has default {default!r}; defaults must be numbers, "
                                   f"strings or Brian2 quantities (compute arrays in the body from them)")
    elif isinstance(default, Quantity) and not default.is_dimensionless:
        if unit is not None and not have_same_dimensions(default, unit):
            raise ModelDefinitionError(f"{where}: default {default!r} of {name!r} does not have the unit of its "
                                       f"annotation ({unit})")
        unit = unit if unit is not None else default
    elif unit is not None and not isinstance(default, str):
        raise ModelDefinitionError(f"{where}: parameter {name!r} needs a unit of {unit.dim} (its annotation), "
                                   f"but its default {default!r} has none; write e.g. {name}={default}*{unit!r}")
    if kind is None:
        kind = str if isinstance(default, str) else (int if isinstance(default, int) else float)
    if isinstance(default, Quantity) and default.is_dimensionless:
        default = float(default)
    display = _display_unit(where, name, unit, unit_name) if unit is not None else None
    minimum = None
    if bound is not None:
        minimum = bound[0]
    parameter = Parameter(name, default, doc, kind=kind if unit is None else float,
                          unit=None if unit is None else unit_named(display), display_unit=display,
                          choices=tuple(choice or ()), minimum=minimum,
                          maximum=None if bound is None else bound[1], optional=optional)
    if kind is str and not choice and default is not None and not isinstance(default, str):
        raise ModelDefinitionError(f"{where}: parameter {name!r} is a string but defaults to {default!r}")
    return parameter


def _annotated_kind(where: str, name: str, annotation) -> tuple[type | None, bool, Quantity | None]:
    """``(kind, optional, unit)`` from an annotation (``int``, ``int | None``, ``ms``, none)."""
    if annotation is inspect.Parameter.empty:
        return None, False, None
    if isinstance(annotation, Quantity):
        return None, False, annotation
    optional = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [member for member in typing.get_args(annotation) if member is not type(None)]
        optional = len(members) < len(typing.get_args(annotation))
        annotation = members[0] if len(members) == 1 else annotation
    if annotation in (int, float, str):
        return annotation, optional, None
    raise ModelDefinitionError(f"{where}: parameter {name!r} is annotated {annotation!r}; use int, float, str, "
                               f"'int | None' or a Brian2 unit")


def _display_unit(where: str, name: str, unit: Quantity, written: str | None) -> str:
    """Name (in :mod:`brian2.units`) of the unit the record column of ``name`` uses."""
    candidates = [written] if written else []
    best = unit.get_best_unit()
    candidates += [repr(best), repr(Quantity(1, dim=unit.dim).get_best_unit())]
    for candidate in candidates:
        resolved = unit_named(candidate or "")
        if resolved is not None and have_same_dimensions(resolved, unit):
            return candidate
    raise ModelDefinitionError(f"{where}: no named Brian2 unit for {name!r} (dimension {unit.dim}); write its "
                               f"default as a number times one named unit, e.g. {name}=2*mV")


def _source_details(function: Callable) -> dict[str, tuple[str | None, str | None]]:
    """``{argument: (comment on its line, unit name written in its default)}`` from the source."""
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return {}
    comments = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                comments[token.start[0]] = token.string.lstrip("#").strip()
    except (tokenize.TokenError, IndentationError):
        return {}
    tree = ast.parse(source)
    node = next((n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))), None)
    if node is None:
        return {}
    args = node.args.posonlyargs + node.args.args
    pairs = list(zip(args[len(args) - len(node.args.defaults):], node.args.defaults))
    pairs += [(arg, default) for arg, default in zip(node.args.kwonlyargs, node.args.kw_defaults) if default]
    details = {}
    for arg, default in pairs:
        comment = comments.get(default.end_lineno) or comments.get(arg.lineno)
        details[arg.arg] = (comment, _written_unit(default))
    return details


def _written_unit(node: ast.AST) -> str | None:
    """``ms`` for defaults written ``20*ms``, ``ms*20`` or ``ms``, ``umetre2`` for ``20*umetre**2``;
    ``None`` otherwise."""
    if isinstance(node, ast.Name):
        return node.id
    if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and isinstance(node.left, ast.Name)
            and isinstance(node.right, ast.Constant) and isinstance(node.right.value, int)):
        return f"{node.left.id}{node.right.value}"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        for unit, number in ((node.right, node.left), (node.left, node.right)):
            if isinstance(number, (ast.Constant, ast.UnaryOp)) and _written_unit(unit):
                return _written_unit(unit)
    return None


def _docstring_docs(docstring: str) -> dict[str, str]:
    """``{name: text}`` from docstring lines ``name: text`` or ``name : text``."""
    found = {}
    for line in inspect.cleandoc(docstring).splitlines():
        head, sep, text = line.strip().partition(":")
        if sep and head.strip().isidentifier() and text.strip():
            found.setdefault(head.strip(), text.strip())
    return found


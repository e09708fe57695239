"""Shared walk of a PyTorch spiking model: runs of linear modules between neuron modules.

The model is an ``nn.Sequential`` (or snnTorch/Norse container) whose children are applied in
order at every time step, or any module whose children are registered in the order its
forward applies them. Runs of linear modules (Linear, Conv1d/Conv2d, AvgPool, Flatten,
Identity, Dropout and BatchNorm in eval mode) become one matrix each, probed in float64
(:func:`neurodyn.convert.readers.probe_affine`); each neuron module becomes one
:class:`~neurodyn.convert.spiking_graph.SpikingLayer` fed by the run in front of it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from neurodyn.convert.layers import ConversionError
from neurodyn.convert.readers import affine_types, first_shape, import_torch, probe_affine
from neurodyn.convert.spiking_graph import INPUT, Projection, SpikingGraph, make_graph, make_layer


@dataclass
class NeuronSpec:
    """What a framework reader says about one neuron module: :func:`make_layer`'s keyword
    arguments, an optional linear module applied to the layer's own previous spikes
    (``recurrent``, probed; its bias adds to the layer's), or a recurrent matrix, and an
    optional input matrix the module applies itself (Norse's recurrent cells)."""

    parameters: dict
    recurrent: object | None = None
    recurrent_weight: np.ndarray | None = None
    input_weight: np.ndarray | None = None


def children_of(module, torch) -> list:
    if not isinstance(module, torch.nn.Module):
        raise ConversionError(f"expected a torch.nn.Module, got {type(module).__name__}")
    children = list(module.children())
    if not children:
        raise ConversionError(f"{type(module).__name__} has no sub-modules to read (expected a sequence of linear "
                              f"and neuron modules)")
    return children


def read_chain(module, read_neuron: Callable, neuron_names: str, input_shape, dt, origin: str) -> SpikingGraph:
    """The graph of ``module``; ``read_neuron(child, where, shape)`` returns a :class:`NeuronSpec`
    for a neuron module of the framework (values of ``shape`` arrive) and ``None`` otherwise."""
    torch = import_torch()
    affine = affine_types(torch)
    children = children_of(module, torch)
    layers, pending, shape = [], [], None
    input_shape_read = None

    def current_shape(run):
        nonlocal shape, input_shape_read
        if shape is None:
            if input_shape is None and not run:
                raise ConversionError(f"{origin}: the first module is a neuron; give input_shape")
            shape = first_shape(run, torch, input_shape) if run else tuple(int(n) for n in input_shape)
            input_shape_read = shape
        return shape

    for index, child in enumerate(children):
        where = f"module {index} ({type(child).__name__})"
        if isinstance(child, affine):
            pending.append((where, child))
            continue
        in_shape = current_shape(pending)
        n_in = int(np.prod(in_shape))
        if pending:
            weight, bias, out_shape = probe_affine(pending, in_shape, torch)
        else:
            weight, bias, out_shape = np.eye(n_in), np.zeros(n_in), in_shape
        spec = read_neuron(child, where, out_shape)
        if spec is None:
            raise ConversionError(f"{where}: unsupported module type {type(child).__name__}; supported: "
                                  f"{neuron_names} and {', '.join(t.__name__ for t in affine)}")
        if spec.input_weight is not None:
            weight, bias = spec.input_weight @ weight, spec.input_weight @ bias
            out_shape = (spec.input_weight.shape[0],)
        size = int(np.prod(out_shape))
        source = INPUT if not layers else len(layers) - 1
        projections = [Projection(source, weight)]
        if spec.recurrent is not None:
            w_rec, b_rec, _ = probe_affine([(f"{where}.recurrent", spec.recurrent)], out_shape, torch)
            projections.append(Projection(len(layers), w_rec))
            bias = bias + b_rec
        elif spec.recurrent_weight is not None:
            projections.append(Projection(len(layers), spec.recurrent_weight))
        layers.append(make_layer(f"{where}", size, projections, bias, **spec.parameters))
        pending, shape = [], out_shape
    if pending:
        raise ConversionError(f"{pending[0][0]}: linear modules after the last neuron module (their output is not "
                              f"spikes); end the model with a neuron module")
    return make_graph(input_shape_read, layers, dt, origin)

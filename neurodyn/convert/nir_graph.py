"""NIR graphs (Neuromorphic Intermediate Representation, pip ``nir``) as a chain of stages.

A stage is a neuron node (LIF, CubaLIF, IF, LI, CubaLI, Integrator) with the linear map in
front of it: Affine ``y = W x + b``, Linear ``y = W x``, Conv2d, SumPool2d and AvgPool2d as
their dense matrices (:mod:`neurodyn.convert.nir_linear`), consecutive ones composed into
one; identity when the neuron follows its predecessor directly. ``nir.read`` returns nodes in
alphabetical (HDF5) order, so the order comes from ``graph.edges``: the chain is followed from
the single Input node to the Output node. Flatten and Identity nodes pass values on (the
network works on flattened values, C order, as NIR and PyTorch flatten).

Supported: feed-forward chains. Refused with a :class:`ConversionError` naming the node:
Conv1d, Delay, Threshold, Scale, nested graphs, branches, cycles, NaN parameters and shape
mismatches.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neurodyn.convert.layers import ConversionError
from neurodyn.convert.nir_linear import conv2d_matrix, pool2d_matrix

#: NIR neuron node -> its parameters (per neuron), in NIR's names.
NEURON_PARAMETERS = {
    "LIF": ("tau", "r", "v_leak", "v_threshold", "v_reset"),
    "CubaLIF": ("tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in"),
    "IF": ("r", "v_threshold", "v_reset"),
    "LI": ("tau", "r", "v_leak"),
    "CubaLI": ("tau_syn", "tau_mem", "r", "v_leak", "w_in"),
    "I": ("r",),
}
SPIKING = ("LIF", "CubaLIF", "IF")
_PASS_THROUGH = ("Flatten", "Identity")
_WEIGHTS = ("Affine", "Linear", "Conv2d", "SumPool2d", "AvgPool2d")


@dataclass(frozen=True)
class NIRStage:
    """One neuron node with the weights in front of it; arrays are flattened, ``weight`` is
    ``(n_out, n_in)``."""

    name: str
    kind: str
    parameters: dict
    weight: np.ndarray
    bias: np.ndarray

    @property
    def size(self) -> int:
        return self.weight.shape[0]

    @property
    def spiking(self) -> bool:
        return self.kind in SPIKING


@dataclass(frozen=True)
class NIRChain:
    """A feed-forward NIR graph as consecutive stages; ``n_in`` is the flattened input size."""

    n_in: int
    stages: tuple[NIRStage, ...]


def read_nir(graph_or_path) -> NIRChain:
    """The chain of stages of a ``nir.NIRGraph`` or of a NIR file (``nir.read``)."""
    import nir

    if isinstance(graph_or_path, (str, Path)):
        path = Path(graph_or_path)
        if not path.exists():
            raise ConversionError(f"{path}: no such file")
        try:
            graph = nir.read(path)
        except Exception as error:  # h5py and nir raise many kinds for malformed files
            raise ConversionError(f"{path}: not a readable NIR file ({type(error).__name__}: {error})") from None
    else:
        graph = graph_or_path
    if not isinstance(graph, nir.NIRGraph):
        raise ConversionError(f"expected a nir.NIRGraph or a path, got {type(graph).__name__}")
    return _chain(graph, nir)


def _ordered_names(graph, nir) -> list[str]:
    inputs = [name for name, node in graph.nodes.items() if isinstance(node, nir.Input)]
    if len(inputs) != 1:
        raise ConversionError(f"the NIR graph must have exactly one Input node, found {len(inputs)}")
    successors: dict[str, list[str]] = {}
    predecessors: dict[str, list[str]] = {}
    for source, target in graph.edges:
        for name in (source, target):
            if name not in graph.nodes:
                raise ConversionError(f"edge ({source!r}, {target!r}) names a node {name!r} that the graph lacks")
        successors.setdefault(source, []).append(target)
        predecessors.setdefault(target, []).append(source)
    order = [inputs[0]]
    while not isinstance(graph.nodes[order[-1]], nir.Output):
        current = order[-1]
        following = successors.get(current, [])
        if len(following) != 1:
            raise ConversionError(f"node {current!r} has {len(following)} outgoing edges; only feed-forward "
                                  f"chains (one edge each) are supported")
        nxt = following[0]
        if nxt in order:
            raise ConversionError(f"the edge {current!r} -> {nxt!r} closes a cycle; recurrent graphs are not supported")
        if len(predecessors[nxt]) != 1:
            raise ConversionError(f"node {nxt!r} has {len(predecessors[nxt])} incoming edges; "
                                  f"only chains are supported")
        order.append(nxt)
    unused = sorted(set(graph.nodes) - set(order))
    if unused:
        raise ConversionError(f"nodes not on the path from Input to Output: {', '.join(unused)}")
    return order


def _flat(name: str, field: str, value, size: int | None = None) -> np.ndarray:
    array = np.asarray(value, dtype=float).ravel()
    if not np.all(np.isfinite(array)):
        raise ConversionError(f"node {name!r}: {field} contains NaN or infinite values")
    if size is not None:
        if array.size == 1:
            array = np.full(size, array.item())
        elif array.size != size:
            raise ConversionError(f"node {name!r}: {field} has {array.size} values, expected {size}")
    return array


def _linear_map(name: str, kind: str, node, shape: tuple[int, ...]):
    """``(W, b, output shape)`` of a weight node receiving values of ``shape``."""
    size = int(np.prod(shape))
    if kind in ("Affine", "Linear"):
        weight = np.asarray(node.weight, dtype=float)
        if weight.ndim != 2:
            raise ConversionError(f"node {name!r} ({kind}): weight of shape {weight.shape} is not 2-D")
        if weight.shape[1] != size:
            raise ConversionError(f"node {name!r} ({kind}): weight shape {weight.shape} expects {weight.shape[1]} "
                                  f"inputs but receives {size}")
        weight = _flat(name, "weight", weight).reshape(weight.shape)
        bias = _flat(name, "bias", node.bias, weight.shape[0]) if kind == "Affine" else np.zeros(weight.shape[0])
        return weight, bias, (weight.shape[0],)
    where = f"node {name!r} ({kind})"
    image = _image_shape(name, kind, node, shape)
    if kind == "Conv2d":
        weight = _flat(name, "weight", node.weight).reshape(np.shape(node.weight))
        bias = _flat(name, "bias", node.bias) if node.bias is not None else None
        return conv2d_matrix(weight, bias, image, node.stride, node.padding, node.dilation, int(node.groups), where)
    return pool2d_matrix(kind, image, node.kernel_size, node.stride, node.padding, where)


def _image_shape(name: str, kind: str, node, shape: tuple[int, ...]) -> tuple[int, int, int]:
    if len(shape) == 3:
        return tuple(int(n) for n in shape)
    given = getattr(node, "input_shape", None)
    if kind == "Conv2d" and given is not None and np.size(given) == 2:
        image = (int(np.shape(node.weight)[1]) * int(node.groups), *(int(n) for n in np.ravel(given)))
        if int(np.prod(image)) == int(np.prod(shape)):
            return image
    raise ConversionError(f"node {name!r} ({kind}) needs a (channels, height, width) input, got shape {shape}")


def _chain(graph, nir) -> NIRChain:
    order = _ordered_names(graph, nir)
    shape = tuple(int(n) for n in np.ravel(graph.nodes[order[0]].input_type["input"]))
    n_in = int(np.prod(shape))
    stages: list[NIRStage] = []
    pending: tuple[str, np.ndarray, np.ndarray] | None = None
    for name in order[1:]:
        node = graph.nodes[name]
        kind = type(node).__name__
        if isinstance(node, nir.Output):
            break
        if kind == "Flatten":
            shape = (int(np.prod(shape)),)
            continue
        if kind == "Identity":
            continue
        if kind in _WEIGHTS:
            weight, bias, shape = _linear_map(name, kind, node, shape)
            if pending is not None:  # consecutive linear nodes compose: W2 (W1 x + b1) + b2
                weight, bias = weight @ pending[1], weight @ pending[2] + bias
            pending = (name, weight, bias)
            continue
        if kind not in NEURON_PARAMETERS:
            raise ConversionError(f"node {name!r}: unsupported NIR node type {kind}; supported: "
                                  f"{', '.join(('Input', 'Output', *_WEIGHTS, *_PASS_THROUGH, *NEURON_PARAMETERS))}")
        size = int(np.prod(shape))
        n_node = int(np.size(node.r))
        if n_node != size:
            raise ConversionError(f"node {name!r} ({kind}) has {n_node} neurons but receives {size} values")
        parameters = {field: _flat(name, field, getattr(node, field), size) for field in NEURON_PARAMETERS[kind]}
        for field in ("tau", "tau_mem", "tau_syn"):
            if field in parameters and not np.all(parameters[field] > 0):
                raise ConversionError(f"node {name!r}: {field} must be > 0")
        _, weight, bias = pending if pending is not None else (None, np.eye(size), np.zeros(size))
        stages.append(NIRStage(name, kind, parameters, weight, bias))
        pending = None
    if pending is not None:
        raise ConversionError(f"weight node {pending[0]!r} is not followed by a neuron node")
    if not stages:
        raise ConversionError("the NIR graph has no neuron node")
    return NIRChain(n_in, tuple(stages))

"""NIR graphs (Neuromorphic Intermediate Representation, pip ``nir``) as a SpikingGraph.

Nodes: Input, Output, neurons (LIF, CubaLIF, IF, LI, CubaLI, I), linear maps (Affine ``y = W x
+ b``, Linear, Conv2d, SumPool2d, AvgPool2d as dense matrices, :mod:`neurodyn.convert.nir_linear`;
consecutive ones composed), Flatten and Identity (values stay flattened, C order), and nested
NIRGraphs (flattened). A neuron may receive several paths (summed); a path from the neuron
itself or from a later one closes a cycle and becomes a recurrent projection (its spikes
arrive in the next step, as snnTorch's ``RLeaky``/``RSynaptic`` exports mean). Scalar neuron
parameters are broadcast. Refused with a :class:`ConversionError` naming the node: other node
types (Conv1d, Delay, Threshold, Scale, ...), branches of linear nodes, NaN parameters and
shape mismatches.

Time (``exporter=None``): NIR's equations in ``time_unit`` (seconds unless told; jaxsnn writes
ms) are stepped with ``h = dt / time_unit``, a spike being the value 1 during one step::

    LIF      decay = 1 - h/tau, gain = h r/tau, leak = h v_leak/tau;  v > v_threshold -> v = v_reset
    CubaLIF  alpha = 1 - h/tau_syn, input_gain = h w_in/tau_syn, then v as LIF with tau_mem and the
             new synaptic current (the sequential update of snnTorch, Norse and Lava)
    IF, I    decay = 1, gain = h r;   LI, CubaLI: LIF, CubaLIF without threshold

``dt`` rule: give ``dt``, or leave it ``None`` to use the step the graph implies (every LIF and
CubaLIF node with ``r = tau / dt'`` for one ``dt'``, as snnTorch's exporter writes); a given
``dt`` that differs from an implied one gives a :class:`ConversionWarning`.

Known exporters (``exporter=``), whose graphs do not say what their framework computed:

- ``"snntorch"`` (``snntorch.export_nir``): ``dt = 1e-4`` s is fixed (``tau = dt/(1-beta)``,
  ``r = tau/dt``, so the step above is snnTorch's ``v = beta v + cur``); the exporter writes
  ``v_reset = 0`` whatever the reset, so ``reset=`` must name snnTorch's mechanism; a learned
  ``beta > 1`` gives ``tau < 0``, read back as snnTorch's clamp to [0, 1];
  (``"subtract"``, its default, ``"zero"`` or ``"none"``), applied as snnTorch does (a step
  late; zero reset of Synaptic and recurrent neurons on the whole new membrane).
- ``"norse"`` (``norse.torch.to_nir``): writes ``tau = dt/tau_inv`` and ``w_in = 1``, ``r = 1``;
  ``dt`` is Norse's step (default 1 ms); the update is Norse's (current jump before the
  membrane step, :mod:`neurodyn.convert.norse_reader`), ``v`` starting at ``v_leak``; Norse
  does not export ``v_reset`` (NIR's default 0 is used).
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from brian2 import Quantity, second

from neurodyn.convert.layers import ConversionError
from neurodyn.convert.readers import optional_import
from neurodyn.convert.nir_linear import conv2d_matrix, pool2d_matrix
from neurodyn.convert.spiking_graph import (INPUT, Projection, SpikingGraph, check_dt, make_graph, make_layer,
                                           neuron_array)


class ConversionWarning(UserWarning):
    """A conversion that runs but may not compute what the exporting framework did."""


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
EXPORTERS = ("snntorch", "norse")
SNNTORCH_DT = 1e-4 * second
SNNTORCH_RESETS = ("subtract", "zero", "none")


def read_nir(graph_or_path, dt: Quantity | None = None, *, exporter: str | None = None, reset: str | None = None,
             time_unit: Quantity = 1 * second) -> SpikingGraph:
    """The :class:`SpikingGraph` of a ``nir.NIRGraph`` or of a NIR file (``nir.read``); ``dt``,
    ``exporter``, ``reset`` and ``time_unit`` as in the module docstring."""
    nir = optional_import("nir", "nir")

    graph = _load(graph_or_path, nir)
    if exporter not in (None, *EXPORTERS):
        raise ConversionError(f"unknown exporter {exporter!r}; choose one of {', '.join(EXPORTERS)} or None (NIR's "
                              f"own equations)")
    if exporter == "snntorch":
        if reset not in SNNTORCH_RESETS:
            raise ConversionError("snnTorch's exporter writes v_reset = 0 for every reset mechanism: name the one the "
                                  "model was trained with, reset='subtract' (snnTorch's default), 'zero' or 'none'")
        if dt is not None and abs(float(check_dt(dt)) - float(SNNTORCH_DT)) > 1e-12:
            raise ConversionError(f"snnTorch's exporter fixes dt = 1e-4 s (tau = dt/(1-beta)); got dt={dt!r} (leave "
                                  f"dt unset)")
        dt = SNNTORCH_DT
    elif reset is not None:
        raise ConversionError("reset= names the mechanism snnTorch's exporter drops; use it with exporter='snntorch'")
    if exporter == "norse":
        dt = 1e-3 * second if dt is None else check_dt(dt)
    check_dt(time_unit, "time_unit")
    nodes, edges = _flatten(graph, nir, "")
    return _graph(nodes, edges, nir, dt, exporter, reset, float(time_unit))


def _load(graph_or_path, nir):
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
    return graph


def _flatten(graph, nir, prefix: str):
    """Nodes and edges with nested graphs replaced by their nodes (``outer.inner`` names);
    a nested graph's Input and Output become Identity nodes."""
    nodes, edges = {}, []
    for name, node in graph.nodes.items():
        if isinstance(node, nir.NIRGraph):
            inner_nodes, inner_edges = _flatten(node, nir, f"{prefix}{name}.")
            for inner_name, inner in inner_nodes.items():
                if isinstance(inner, (nir.Input, nir.Output)):
                    inner_nodes[inner_name] = _Through()
            nodes.update(inner_nodes)
            edges += inner_edges
        else:
            nodes[prefix + name] = node
    nested = {name for name, node in graph.nodes.items() if isinstance(node, nir.NIRGraph)}

    def endpoint(name: str, role: str) -> str:
        if name not in nested:
            return prefix + name
        inner = graph.nodes[name]
        kind = nir.Input if role == "target" else nir.Output
        ends = [n for n, node in inner.nodes.items() if isinstance(node, kind)]
        if len(ends) != 1:
            raise ConversionError(f"nested graph {prefix + name!r} needs exactly one {kind.__name__} node")
        return f"{prefix}{name}.{ends[0]}"

    for source, target in graph.edges:
        for name in (source, target):
            if name not in graph.nodes:
                raise ConversionError(f"edge ({source!r}, {target!r}) names a node {name!r} that the graph lacks")
        edges.append((endpoint(source, "source"), endpoint(target, "target")))
    return nodes, edges


class _Through:
    """The Input or Output node of a nested graph: passes values on."""


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


def _kind(node) -> str:
    return "Identity" if isinstance(node, _Through) else type(node).__name__


def _graph(nodes, edges, nir, dt, exporter, reset, time_unit) -> SpikingGraph:
    kinds = {name: _kind(node) for name, node in nodes.items()}
    for name, kind in kinds.items():
        if kind not in ("Input", "Output", *_WEIGHTS, *_PASS_THROUGH, *NEURON_PARAMETERS):
            raise ConversionError(f"node {name!r}: unsupported NIR node type {kind}; supported: "
                                  f"{', '.join(('Input', 'Output', *_WEIGHTS, *_PASS_THROUGH, *NEURON_PARAMETERS))}")
    inputs = [name for name, kind in kinds.items() if kind == "Input"]
    outputs = [name for name, kind in kinds.items() if kind == "Output"]
    if len(inputs) != 1 or len(outputs) != 1:
        raise ConversionError(f"the NIR graph must have exactly one Input and one Output node, found {len(inputs)} "
                              f"and {len(outputs)}")
    predecessors: dict[str, list[str]] = {}
    successors: dict[str, list[str]] = {}
    for source, target in edges:
        successors.setdefault(source, []).append(target)
        predecessors.setdefault(target, []).append(source)
    order = _depth_first_order(inputs[0], successors)
    unused = sorted(set(nodes) - set(order))
    if unused:
        raise ConversionError(f"nodes not reachable from the Input node: {', '.join(unused)}")
    neurons = [name for name in order if kinds[name] in NEURON_PARAMETERS]
    if not neurons:
        raise ConversionError("the NIR graph has no neuron node")
    paths = {name: _paths_into(name, predecessors, nodes, kinds, ()) for name in neurons}
    neurons = _output_last(neurons, _output_source(outputs[0], predecessors, kinds), paths)
    position = {name: k for k, name in enumerate(neurons)}
    position[inputs[0]] = INPUT
    shapes = {inputs[0]: tuple(int(n) for n in np.ravel(nodes[inputs[0]].input_type["input"]))}
    feed_forward, sizes = {}, {}
    for name in neurons:
        forward = [(source, chain) for source, chain in paths[name] if position[source] < position[name]]
        if not forward:
            raise ConversionError(f"node {name!r} receives nothing from the Input side (only from itself or later "
                                  f"neurons)")
        maps = [(source, *_compose(chain, shapes[source], nodes, kinds)) for source, chain in forward]
        out_sizes = {int(np.prod(shape)) for _, _, _, shape in maps}
        if len(out_sizes) != 1:
            raise ConversionError(f"node {name!r}: its incoming paths deliver different sizes {sorted(out_sizes)}")
        sizes[name] = out_sizes.pop()
        shapes[name] = _neuron_shape(nodes[name], kinds[name], maps[0][3], sizes[name])
        feed_forward[name] = maps
    recurrent = {name: [(source, *_compose(chain, shapes[source], nodes, kinds)) for source, chain in paths[name]
                        if position[source] >= position[name]] for name in neurons}
    h, dt = _step(nodes, kinds, neurons, dt, exporter, time_unit)
    layers = []
    for name in neurons:
        projections, bias = [], np.zeros(sizes[name])
        for source, weight, b, shape in feed_forward[name] + recurrent[name]:
            if int(np.prod(shape)) != sizes[name]:
                raise ConversionError(f"node {name!r}: a recurrent path from {source!r} delivers {int(np.prod(shape))} "
                                      f"values to {sizes[name]} neurons")
            projections.append(Projection(position[source], weight))
            bias = bias + b
        parameters = _neuron(name, kinds[name], nodes[name], sizes[name], h, exporter, reset, bool(recurrent[name]))
        layers.append(make_layer(name, sizes[name], projections, bias, **parameters))
    return make_graph(shapes[inputs[0]], layers, dt, "NIR" if exporter is None else f"NIR ({exporter})")


def _depth_first_order(start: str, successors) -> list[str]:
    """Nodes reachable from ``start`` in topological order, edges closing a cycle left out."""
    order, state = [], {}
    stack = [(start, iter(successors.get(start, [])))]
    state[start] = "open"
    while stack:
        node, following = stack[-1]
        nxt = next(following, None)
        if nxt is None:
            stack.pop()
            state[node] = "done"
            order.append(node)
        elif nxt not in state:
            state[nxt] = "open"
            stack.append((nxt, iter(successors.get(nxt, []))))
    return order[::-1]


def _paths_into(name, predecessors, nodes, kinds, seen) -> list[tuple[str, list[str]]]:
    """``(source, linear nodes from source to name)`` for every path from a neuron or the Input."""
    paths = []
    for previous in predecessors.get(name, []):
        kind = kinds[previous]
        if kind == "Input" or kind in NEURON_PARAMETERS:
            paths.append((previous, []))
            continue
        if kind == "Output":
            raise ConversionError(f"the Output node {previous!r} has outgoing edges")
        if previous in seen:
            raise ConversionError(f"node {previous!r} lies on a cycle without a neuron")
        if len(predecessors.get(previous, [])) != 1:
            raise ConversionError(f"node {previous!r} ({kind}) has {len(predecessors.get(previous, []))} incoming "
                                  f"edges; only neuron nodes sum their inputs")
        paths += [(source, chain + [previous])
                  for source, chain in _paths_into(previous, predecessors, nodes, kinds, seen + (previous,))]
    return paths


def _compose(chain, shape, nodes, kinds):
    """``(W, b, output shape)`` of the linear nodes ``chain`` applied to values of ``shape``."""
    size = int(np.prod(shape))
    weight, bias = np.eye(size), np.zeros(size)
    for name in chain:
        kind = kinds[name]
        if kind == "Flatten":
            shape = (int(np.prod(shape)),)
        elif kind in _WEIGHTS:
            w, b, shape = _linear_map(name, kind, nodes[name], shape)
            weight, bias = w @ weight, w @ bias + b
    return weight, bias, shape


def _neuron_shape(node, kind, incoming_shape, size):
    """The shape of a neuron node's values: its parameters' (e.g. (C, H, W)) if they hold one
    value per neuron, else what arrives."""
    shape = np.shape(getattr(node, NEURON_PARAMETERS[kind][0]))
    return tuple(int(n) for n in shape) if int(np.prod(shape)) == size and len(shape) > 1 else incoming_shape


def _output_source(output, predecessors, kinds) -> str:
    """The neuron node whose values the Output node receives."""
    sources = predecessors.get(output, [])
    while len(sources) == 1 and kinds[sources[0]] in _PASS_THROUGH:
        sources = predecessors.get(sources[0], [])
    if len(sources) != 1 or kinds[sources[0]] not in NEURON_PARAMETERS:
        raise ConversionError(f"the Output node must receive one neuron node's values (through Flatten/Identity "
                              f"only), got {sources}")
    return sources[0]


def _output_last(neurons, output, paths) -> list[str]:
    """``neurons`` with the output neuron moved last, if that keeps every edge's direction."""
    later = neurons[neurons.index(output) + 1:]
    if any(source == output for name in later for source, _ in paths[name]) or \
            any(source in later for source, _ in paths[output]):
        raise ConversionError(f"the Output node receives {output!r}, which other neuron nodes depend on; the output "
                              f"must be the last neuron node")
    return [name for name in neurons if name != output] + [output]


def _step(nodes, kinds, neurons, dt, exporter, time_unit):
    """``(h, dt)``: the step in NIR's time unit, and the Brian2 step (the dt rule, module docstring)."""
    implied = _implied_dt(nodes, kinds, neurons)
    if exporter is None:
        if dt is None:
            if implied is None:
                raise ConversionError("give dt: the graph's time constants do not imply a step (no LIF/CubaLIF node "
                                      "with r = tau/dt for one dt)")
            dt = implied * time_unit * second
        else:
            check_dt(dt)
            if implied is not None and not np.isclose(implied * time_unit, float(dt), rtol=1e-5, atol=0):
                warnings.warn(f"the graph's LIF/CubaLIF nodes have r = tau/dt with dt = {implied * time_unit:g} s "
                              f"(snnTorch's exporter writes r = tau/dt at dt = 1e-4 s), but dt = {float(dt):g} s is "
                              f"used: the membranes decay differently from the exporting framework's; for snnTorch "
                              f"exports use exporter='snntorch'", ConversionWarning, stacklevel=3)
    return float(dt) / time_unit, dt


def _implied_dt(nodes, kinds, neurons) -> float | None:
    values = []
    for name in neurons:
        node, kind = nodes[name], kinds[name]
        if kind in ("LIF", "CubaLIF"):
            tau = np.asarray(node.tau if kind == "LIF" else node.tau_mem, dtype=float).ravel()
            r = np.asarray(node.r, dtype=float).ravel()
            with np.errstate(divide="ignore", invalid="ignore"):
                values.append(np.broadcast_to(tau / r, np.broadcast_shapes(tau.shape, r.shape)))
    if not values:
        return None
    values = np.concatenate(values)
    if not np.all(np.isfinite(values) & (values > 0)) or not np.allclose(values, values[0], rtol=1e-5, atol=0):
        return None
    return float(values[0])


_TAUS = ("tau", "tau_syn", "tau_mem")


def _neuron(name, kind, node, size, h, exporter, reset, recurrent) -> dict:
    """:func:`make_layer` keyword arguments of one NIR neuron node (module docstring)."""
    where = f"node {name!r} ({kind})"
    defaults = {"v_reset": 0.0, "w_in": 1.0}
    p = {}
    for field in NEURON_PARAMETERS[kind]:
        value = getattr(node, field, None)
        snntorch_tau = exporter == "snntorch" and field in _TAUS  # tau = dt/(1-beta): < 0 or inf for beta >= 1
        p[field] = neuron_array(defaults[field] if value is None else value, size, where, field,
                                positive=field in _TAUS and not snntorch_tau, allow_inf=snntorch_tau or
                                (exporter == "snntorch" and field in ("r", "w_in")))
    spiking = kind in SPIKING
    if exporter == "norse":
        if kind not in ("LIF", "CubaLIF", "LI"):
            raise ConversionError(f"{where}: Norse does not export {kind} nodes this reader knows the update of")
        rate = h * h / (p["tau_mem"] if kind == "CubaLIF" else p["tau"])  # Norse's dt*tau_inv, tau = dt/tau_inv
        out = {"decay": 1 - rate, "gain": rate, "leak": rate * p["v_leak"], "v_init": p["v_leak"]}
        if kind == "CubaLIF":
            out.update(alpha=1 - h * h / p["tau_syn"])
    else:
        with np.errstate(invalid="ignore"):  # inf/inf (snnTorch's beta = 1) is resolved below
            if kind in ("IF", "I"):
                out = {"decay": 1.0, "gain": h * p["r"]}
            else:
                tau = p["tau"] if kind in ("LIF", "LI") else p["tau_mem"]
                out = {"decay": 1 - h / tau, "gain": h * p["r"] / tau, "leak": h * p["v_leak"] / tau}
            if kind in ("CubaLIF", "CubaLI"):
                out.update(alpha=1 - h / p["tau_syn"], input_gain=h * p["w_in"] / p["tau_syn"])
        if exporter == "snntorch":  # snnTorch clamps beta and alpha to [0, 1] in its forward pass
            out.update({key: np.clip(out[key], 0, 1) for key in ("decay", "alpha") if key in out})
            out.update({key: np.where(np.isfinite(out[key]), out[key], 1.0)  # r/tau = 1/dt for tau = inf
                        for key in ("gain", "input_gain") if key in out})
    if spiking:
        out.update(threshold=p["v_threshold"], v_reset=p["v_reset"], reset="to_value")
        if exporter == "snntorch":
            out["reset"] = "zero_after" if reset == "zero" and (kind != "LIF" or recurrent) else reset
    return out

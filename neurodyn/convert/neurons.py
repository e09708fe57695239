"""Brian2 neuron and synapse models for converted ANN layers.

Time is discrete: every Brian2 step applies the ANN once. Variables with unit ``Hz`` are
activations per second; ``drive`` holds the constant current of a neuron (its bias, and for
constant-current input encoding also ``W x`` of the first layer).

Integrate-and-fire with reset by subtraction (Rueckauer et al. 2017), per step::

    v += drive*dt + sum_j w_ij * c_j        (c_j: what neuron j's spike carries, 1 for IF)
    v >= theta  ->  spike, v -= theta

Its rate is ``ReLU(W a + b) / theta`` spikes per step (at most one spike per step).

Quantized neuron with temporally diffused error (Voelker, Rasmussen & Eliasmith 2020,
arXiv:2002.03553; keras-spiking's SpikingActivation), activations in Hz::

    x   = drive + sum_j w_ij * c_j / dt     input activation this step (synaptic part cleared each step)
    v  += dt * ReLU(x) / amplitude
    v >= 1  ->  spike carrying n = floor(v) quanta, v -= n
    output  a = amplitude * n / dt          so the time average of a is ReLU(x)

``amplitude / dt`` is one quantum of output: a large ``dt`` (or small ``amplitude``) gives
many quanta per step and approaches the ANN; a small ``dt`` gives at most one per step.

How the spike count reaches the next layer. Brian2GeNN refuses presynaptic variables in
``on_pre`` (docs/eicil.md). Each synapse therefore copies ``c = amplitude * n_pre`` once per
step, after the reset and before delivery, exactly like the EI neuron's sign copy
(:mod:`neurodyn.models.eicil`), and ``on_pre`` adds ``w * c``.

EI neuron for signed (linear) activations: the non-leaky EICIL neuron of
:mod:`neurodyn.models.eicil` with ``theta_e = theta_i = 1`` and inhibition always on, per step::

    v += drive*dt + sum_j w_ij * c_j
    v >= 1   ->  spike with sign s = +1, v -= 1
    v <= -1  ->  spike with sign s = -1, v += 1

Its signed rate is ``clip(W a + b, -1, 1)`` per step. Its spikes leave through the EICIL
synapses (per-synapse sign copy, ``v_post += w * s``). With its inhibitory threshold switched
off it is the IF neuron above, which is what converted ReLU layers use.
"""
from __future__ import annotations

import numpy as np
from brian2 import NeuronGroup, SpikeMonitor, Synapses

from neurodyn.model import NeuronModel
from neurodyn.models.eicil import NON_LEAKY_EQUATIONS, RESET as EI_RESET, SIGN_COPY_ORDER, SIGN_MONITOR_ORDER
from neurodyn.models.eicil import THRESHOLD as EI_THRESHOLD, sign_monitor, sign_synapses

#: Factor of every constant drive on GeNN, where a layer at depth d waits d steps (GeNN
#: delivers one step later per layer; :mod:`neurodyn.convert.spiking_network`).
GATE = " * int(timestep(t, dt) >= onset)"
_ONSET = "\nonset : integer (constant)"
_QUANTIZED_INPUT = """
dx/dt = -x / dt : Hz
drive : Hz (constant)
"""


def ann_neuron_model(neuron: str, spiking: bool, gated: bool = False) -> NeuronModel:
    """The Brian2 model of a converted ANN layer (module docstring): ``neuron`` ``"if"``,
    ``"quantized"``, ``"ei"`` or ``"poisson"`` (encoder); ``spiking=False``: its non-spiking
    readout (the membrane integrates the input); ``gated``: constant drives act from step
    ``onset`` on.

    The IF and EI neurons integrate ``v += drive*dt`` (Euler is exact here). In the quantized
    neuron Euler reads the old ``x`` for ``v`` and sets ``x = 0`` (``x - dt*x/dt``), so ``x``
    holds exactly one step of synaptic input; ``amplitude`` is a per-neuron constant, not a shared
    one: Brian2GeNN turns a shared presynaptic variable into a synapse parameter named
    ``amplitude_pre``, which GeNN rejects ("already has a variable substitution")."""
    gate, onset = (GATE, _ONSET) if gated else ("", "")
    if neuron == "poisson":
        return NeuronModel("drive : Hz (constant)", threshold="rand() < drive * dt")
    if neuron == "quantized":
        if not spiking:
            return NeuronModel(f"dv/dt = x + drive{gate} : 1" + _QUANTIZED_INPUT + onset, method="euler")
        # gated outside ReLU (SymPy cannot compare the gate); x is 0 until the layer's onset
        return NeuronModel(f"dv/dt = (x + drive) * int(x + drive > 0*Hz){gate} / amplitude : 1\namplitude : 1 (constant)\nn : 1"
                           + _QUANTIZED_INPUT + onset, threshold="v >= 1", reset="n = floor(v)\nv = v - n",
                           method="euler")
    if not spiking:  # IF and EI readouts alike: the membrane integrates W a + b
        return NeuronModel(f"dv/dt = drive{gate} : 1\ndrive : Hz (constant)" + onset, method="euler")
    if neuron == "ei":  # the non-leaky EICIL neuron, its drive x gated
        return NeuronModel(NON_LEAKY_EQUATIONS.replace("dv/dt = x :", f"dv/dt = x{gate} :") + onset,
                           threshold=EI_THRESHOLD, reset=EI_RESET, method="euler")
    return NeuronModel(f"dv/dt = drive{gate} : 1\ndrive : Hz (constant)\ntheta : 1 (constant)" + onset,
                       threshold="v >= theta", reset="v = v - theta", method="euler")


#: Non-spiking readout of an IF network: the membrane integrates the input, no threshold.
IF_READOUT = ann_neuron_model("if", spiking=False)
#: Parameters of the EI neuron of converted linear layers: thresholds 1, inhibition always on.
EI_LAYER_VALUES = {"theta_e": 1.0, "theta_i": 1.0, "cycle_steps": 1, "inh_steps": 1}


def dense_synapses(source: NeuronGroup, target: NeuronGroup, weight: np.ndarray, n_samples: int,
                   carries: str, target_variable: str, name: str) -> Synapses:
    """Synapses for the non-zero entries of ``weight`` ``(n_out, n_in)`` within each of
    ``n_samples`` parallel copies (block diagonal; a dense layer is all-to-all, a convolution's
    dense equivalent sparse).

    Neuron ``u`` of sample ``s`` is index ``s * n_units + u`` in both groups. ``carries``: what each
    spike of the source carries, ``c``: ``"spike"`` 1 (IF, Poisson), ``"count"`` ``amplitude * n``
    (quantized; copied per synapse, module docstring) or ``"sign"`` the EI sign ``s`` (the EICIL
    synapses, :func:`neurodyn.models.eicil.sign_synapses`). ``target_variable``: ``"v"`` (IF, EI or readout
    target: ``v_post += w*c``), ``"x"`` (quantized target: ``x_post += w*c/dt``) or any other variable
    that collects the step's input (``"inp"`` of :mod:`neurodyn.convert.spiking_network`: ``inp_post += w*c``).
    """
    n_out, n_in = weight.shape
    post_unit, pre_unit = np.nonzero(weight)
    offsets = np.arange(n_samples)[:, None]
    i = (offsets * n_in + pre_unit[None, :]).ravel().astype(np.int32)
    j = (offsets * n_out + post_unit[None, :]).ravel().astype(np.int32)
    w = np.tile(weight[post_unit, pre_unit], n_samples)
    if carries == "sign":  # EI layers feed IF, EI or readout membranes (v) only
        return sign_synapses(source, target, (i, j), w, name)
    counts = carries == "count"
    carried = "w * c" if counts else "w"
    on_pre = f"{target_variable}_post += {carried}" + (" / dt" if target_variable == "x" else "")
    model = "w : 1 (constant)"
    if counts:
        model += "\ndc/dt = (amplitude_pre * n_pre - c) / dt : 1 (clock-driven)"
    synapses = Synapses(source, target, model=model, on_pre=on_pre, method="euler", name=name, namespace={})
    synapses.connect(i=i, j=j)
    synapses.w = w
    if counts:
        synapses.state_updater.when, synapses.state_updater.order = "thresholds", SIGN_COPY_ORDER
    return synapses


def layer_monitor(group: NeuronGroup, carries: str, name: str) -> SpikeMonitor:
    """Spikes of a layer, with the count ``n`` (quantized) or the sign ``s`` (EI) of each spike,
    recorded after the reset, which must run in the ``thresholds`` slot at
    :data:`neurodyn.models.eicil.RESET_ORDER` (as in EICIL groups and the LMU's hidden layer)."""
    if carries == "sign":
        return sign_monitor(group, name)
    if carries == "count":
        return SpikeMonitor(group, variables=["n"], when="thresholds", order=SIGN_MONITOR_ORDER, name=name)
    return SpikeMonitor(group, name=name)

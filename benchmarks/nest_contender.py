"""The suite's workload in NEST 3.10, run inside NEST's own virtual environment.

    <nest-venv>/bin/python benchmarks/nest_contender.py --workload JSON --arrays FILE.npz [--threads T]

prints ``RESULT {json}`` like contenders.py. Needs only NumPy and NEST (no Brian2).

Mapping of the dimensionless model onto ``iaf_psc_alpha`` (exact integration in NEST too).
With a voltage scale ``V0`` (mV per unit of ``v``), ``C_m`` (pF) and ``tau_m`` (ms),
``R = tau_m / C_m`` (GOhm):

* ``E_L = V_reset = 0``, ``V_th = V0``, ``t_ref = 0``, ``V_m(0) = V0 v0_i``;
* ``I_e,i = V0 I_i / R`` (pA): the constant input ``I_i`` of ``tau_m dv/dt = I_i - v``;
* ``tau_syn_in = tau_m / alpha``: NEST's alpha current ``w e t/tau_syn exp(-t/tau_syn)``
  peaks at ``w``; matching ``g/K`` times the unit-area pulse
  ``alpha^2 (t/tau_m) exp(-alpha t/tau_m)`` in ``tau_m dv/dt`` gives
  ``w = -V0 g alpha C_m / (e K tau_m)`` (pA);
* ``delay = tau_d``, resolution ``dt``, one ``spike_recorder`` for all neurons;
* connectivity: the arrays' ``pre -> post`` (one_to_one), or, where the arrays hold none
  (global coupling, bench_scaling.py), NEST's ``all_to_all`` rule with autapses (K = N).

With these values NEST gives the very same number of spikes as Brian2 and the Numba
kernel on the suite's workloads (printed by bench_network.py), so the work is equal.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from contenders import peak_self_mb  # noqa: E402
from workload import Workload, load_arrays  # noqa: E402

V0_MV = 20.0
C_M_PF = 250.0


def nest_parameters(workload: Workload) -> dict:
    """Neuron parameters and the synaptic weight (pA) of ``iaf_psc_alpha`` for ``workload``."""
    resistance = workload.tau_m_ms / C_M_PF        # GOhm; mV = GOhm * pA
    weight = -V0_MV * workload.g * workload.alpha * C_M_PF / (math.e * workload.K * workload.tau_m_ms)
    neuron = {"E_L": 0.0, "V_reset": 0.0, "V_th": V0_MV, "t_ref": 0.0, "C_m": C_M_PF,
              "tau_m": workload.tau_m_ms, "tau_syn_in": workload.tau_m_ms / workload.alpha,
              "tau_syn_ex": workload.tau_m_ms / workload.alpha}
    return {"neuron": neuron, "weight": weight, "current_scale": V0_MV / resistance}


def run(workload: Workload, arrays: dict, threads: int) -> dict:
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    started = time.perf_counter()
    nest.ResetKernel()
    nest.local_num_threads = threads
    nest.resolution = workload.dt_ms
    params = nest_parameters(workload)
    neurons = nest.Create("iaf_psc_alpha", workload.N, params=params["neuron"])
    neurons.set({"I_e": (params["current_scale"] * arrays["I"]).tolist(), "V_m": (V0_MV * arrays["v0"]).tolist()})
    if "pre" in arrays:
        first = neurons.tolist()[0]
        n_synapses = len(arrays["pre"])
        nest.Connect(arrays["pre"] + first, arrays["post"] + first, "one_to_one",
                     {"synapse_model": "static_synapse", "weight": np.full(n_synapses, params["weight"]),
                      "delay": np.full(n_synapses, workload.tau_d_ms)})
    else:  # global coupling: all-to-all, autapses included (K = N)
        nest.Connect(neurons, neurons, {"rule": "all_to_all", "allow_autapses": True},
                     {"synapse_model": "static_synapse", "weight": params["weight"], "delay": workload.tau_d_ms})
    recorder = nest.Create("spike_recorder")
    nest.Connect(neurons, recorder)
    nest.Prepare()
    built = time.perf_counter()
    nest.Run(workload.duration_ms)
    finished = time.perf_counter()
    nest.Cleanup()
    return dict(build_s=built - started, run_s=finished - built, n_spikes=int(recorder.n_events),
                peak_mb=peak_self_mb())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", required=True)
    parser.add_argument("--arrays", required=True, type=Path)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    measured = run(Workload.from_json(args.workload), load_arrays(args.arrays), args.threads)
    print("RESULT " + json.dumps(measured), flush=True)


if __name__ == "__main__":
    main()

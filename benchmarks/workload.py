"""The reference workload of the benchmark suite, defined once for every contender.

The delayed inhibitory network of :mod:`neurodyn.models.inhibitory` (dimensionless LIF,
time in units of ``tau_m``)::

    tau_m dv/dt = I_i - v - g x        v >= 1 -> spike, v <- 0
    tau_m dx/dt = alpha (y - x)        x: the inhibitory field (alpha pulses of unit area)
    tau_m dy/dt = -alpha y             a spike arriving after tau_d: y += alpha / K

with fixed in-degree ``K`` (no autapses), ``dt = 0.1 ms`` and every spike recorded. The
excitabilities ``I_i``, initial potentials and connectivity are drawn once, by neurodyn's
own generators from ``seed``, and handed to every contender as arrays (an ``.npz`` file),
so all build the same network. Work is counted as synaptic events: spikes x K.

This module needs only NumPy, JSON and (for :func:`draw_arrays`) neurodyn; the NEST
runner, which lives in its own environment without Brian2, reads the same files.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Workload:
    """One network size of the suite; times in ms, other values dimensionless."""

    name: str
    N: int
    K: int
    duration_ms: float
    g: float = 1.0
    I_l: float = 1.2
    I_u: float = 1.6
    alpha: float = 20.0
    tau_m_ms: float = 10.0
    tau_d_ms: float = 1.5
    dt_ms: float = 0.1
    seed: int = 1

    @property
    def steps(self) -> int:
        return int(round(self.duration_ms / self.dt_ms))

    @property
    def delay_steps(self) -> int:
        return int(round(self.tau_d_ms / self.dt_ms))

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "Workload":
        return cls(**json.loads(text))

    def neurodyn_parameters(self) -> dict:
        """Keyword arguments of :class:`neurodyn.InhibitoryNetwork` for this workload."""
        return dict(N=self.N, K=self.K, g=self.g, I_l=self.I_l, I_u=self.I_u, alpha=self.alpha,
                    tau_m=f"{self.tau_m_ms}ms", tau_d=f"{self.tau_d_ms}ms", dt=f"{self.dt_ms}ms",
                    seed=self.seed, pulse="alpha", I_sampling="random")


WORKLOADS = {
    "N1k": Workload("N=1,000 K=100", N=1_000, K=100, duration_ms=10_000.0),
    "N10k": Workload("N=10,000 K=1,000", N=10_000, K=1_000, duration_ms=1_000.0),
}


def quick(workload: Workload) -> Workload:
    """The ``--quick`` variant: at most 1 s of biology."""
    return replace(workload, duration_ms=min(workload.duration_ms, 1_000.0))


def draw_arrays(workload: Workload, path: Path) -> Path:
    """Draw excitabilities ``I``, initial potentials ``v0`` and connectivity ``pre -> post``
    with neurodyn's generators and save them to ``path`` (``.npz``)."""
    from neurodyn import InhibitoryNetwork

    model = InhibitoryNetwork(**workload.neurodyn_parameters())
    pre, post = model.connectivity()
    np.savez(path, I=model.excitabilities(), v0=model.initial_potentials(),
             pre=pre.astype(np.int32), post=post.astype(np.int32))
    return path


def load_arrays(path: Path) -> dict[str, np.ndarray]:
    with np.load(path) as stored:
        return {name: stored[name] for name in stored.files}

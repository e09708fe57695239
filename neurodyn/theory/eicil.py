"""Free firing of an isolated EI neuron (see :mod:`neurodyn.models.eicil`) under constant drive.

Drive ``x`` is in potential per second. Without leak, ``v`` grows by ``x`` per second and
every reset subtracts exactly one threshold, so the neuron emits +1 spikes at rate
``x/theta_e`` for x > 0 and -1 spikes at ``|x|/theta_i`` for x < 0; over a window T the
count is ``|x| T / theta`` within one spike, whatever the time step.

With leak, ``tau dv/dt = mu - v`` with ``mu = x tau``. Scaling ``u = v/theta`` gives the
dimensionless LIF of :func:`neurodyn.theory.meanfield.free_rate` (threshold 1, reset 0)
with drive ``mu/theta``, so::

    rate = free_rate(mu/theta_e) / tau              for mu > theta_e   (+1 spikes)
         = free_rate(|mu|/theta_i) / tau            for mu < -theta_i  (-1 spikes)

that is ``1 / (tau ln(mu / (mu - theta)))``. Reset by subtraction lands on 0 only for an
exact crossing; on a grid of step dt the overshoot ``delta`` is kept. It lies in
``[0, (mu - theta)(1 - exp(-dt/tau)))``, so starting from it shortens the next climb by
``tau ln(mu/(mu - delta)) < dt (mu - theta)/mu < dt``, and detecting the crossing at the
next grid point lengthens it by less than dt: every simulated interval lies within one
time step of ``tau ln(mu/(mu - theta))``, and so does their mean.
"""
from __future__ import annotations

import numpy as np

from neurodyn.errors import ParameterError
from neurodyn.theory.meanfield import free_rate


def ei_free_rate(x, theta_e: float, theta_i: float, tau: float | None = None) -> np.ndarray:
    """Signed free firing rate (Hz) of an EI neuron with constant drive ``x`` (Hz).

    Parameters
    ----------
    x : float or array_like
        Drive in potential per second (dv/dt = x without leak).
    theta_e, theta_i : float
        Excitatory and inhibitory thresholds (> 0).
    tau : float, optional
        Membrane time constant in seconds; ``None`` for the non-leaky integrator.

    Returns
    -------
    ndarray
        Rate of +1 spikes where positive, minus the rate of -1 spikes where negative
        (inhibition always on): ``x/theta`` without leak, ``free_rate(|x| tau/theta)/tau``
        with leak (module docstring).
    """
    if not (theta_e > 0 and theta_i > 0):
        raise ParameterError(f"thresholds must be > 0, got theta_e={theta_e}, theta_i={theta_i}")
    x = np.asarray(x, dtype=float)
    theta = np.where(x >= 0, theta_e, theta_i)
    if tau is None:
        return x / theta
    if not tau > 0:
        raise ParameterError(f"tau must be > 0 s, got {tau}")
    return np.sign(x) * free_rate(np.abs(x) * tau / theta) / tau

"""A memory estimate of a run, checked before anything is built.

A network that cannot fit would otherwise die in a ``MemoryError`` (or be killed by the
kernel) after minutes of connectivity generation. :func:`check_resources` refuses it at once
with a :class:`~neurodyn.errors.ResourceError` when the estimate exceeds the machine's
physical memory. The estimate counts what grows with the network (Brian2 runtime storage)::

    bytes = N * 100                     state variables, spike space, monitors' per-neuron arrays
          + S * 64                      per synapse: pre/post indices and counts (Brian2), the
                                        spike queue's entry, index arrays while connecting
          + min(N, 256) * N * 8         sparse coupling: one chunk of the random keys drawn by
                                        :func:`neurodyn.models.inhibitory.fixed_in_degree`
          + (n_recorded + 1) * steps * 8  recorded voltages and their times

with ``S = N * K`` synapses for in-degree ``K`` (the model's ``in_degree``, else its ``K``
value, unset meaning all-to-all ``K = N``), or the model's own ``n_synapses`` where it has one
(the shared-field global network has ``S = N``). Spikes are not counted (they depend on the
dynamics). It is a lower bound of the real need, so a refusal is always justified.
"""
from __future__ import annotations

import os

from neurodyn.errors import ResourceError

BYTES_PER_NEURON = 100
BYTES_PER_SYNAPSE = 64
KEY_CHUNK_ROWS = 256


def physical_memory() -> int | None:
    """Bytes of physical memory of this machine (``None`` where the OS does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def in_degree(model) -> int:
    """Inputs per neuron of ``model``: its ``in_degree`` property, else its ``K`` value (unset: ``N``)."""
    degree = getattr(model, "in_degree", None)
    if degree is None:
        degree = model.values.get("K")
    return model.n_neurons if degree is None else int(degree)


def n_synapses(model) -> int:
    """Synapses of ``model``: its ``n_synapses`` property, else ``N`` times its in-degree."""
    count = getattr(model, "n_synapses", None)
    return model.n_neurons * in_degree(model) if count is None else int(count)


def estimated_bytes(model, duration, n_recorded: int) -> int:
    """The module docstring's estimate for ``model`` (which has a parameter ``N``) run for
    ``duration`` with ``n_recorded`` traces."""
    n = model.n_neurons
    steps = int(float(duration / model.dt)) + 1
    sparse_keys = min(n, KEY_CHUNK_ROWS) * n * 8 if in_degree(model) < n else 0
    return (n * BYTES_PER_NEURON + n_synapses(model) * BYTES_PER_SYNAPSE + sparse_keys
            + (n_recorded + 1) * steps * 8 * (n_recorded > 0))


def check_resources(model, duration, n_recorded: int = 0, available: int | None = None) -> None:
    """Raise :class:`ResourceError` if the run's estimate exceeds ``available`` bytes (default:
    physical memory). Models without an ``N`` parameter (user models whose sizes are known
    only once built) are not estimated."""
    available = physical_memory() if available is None else available
    if available is None or model.n_neurons is None:
        return
    need = estimated_bytes(model, duration, n_recorded)
    if need > available:
        raise ResourceError(
            f"this run needs at least {need / 2**30:,.1f} GiB ({model.n_neurons:,} neurons, "
            f"{n_synapses(model):,} synapses, {n_recorded} recorded traces), more than the "
            f"{available / 2**30:,.1f} GiB of memory here: use fewer neurons, a smaller in-degree K or fewer "
            f"recorded neurons")

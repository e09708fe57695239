"""Uncaught neurodyn errors are reported as neurodyn errors, not as Brian2 bugs.

Brian2 installs ``sys.excepthook = brian_excepthook`` at import: every uncaught exception then
prints "An unexpected error has occurred ... please report to Brian 2" and writes a debug log,
also for a user's mistake that neurodyn named (a :class:`~neurodyn.errors.NeurodynError`).
:func:`install` wraps the hook in place: neurodyn errors go to Python's own hook (a plain
traceback ending in the named error), everything else to the hook that was there before.
"""
from __future__ import annotations

import sys

from neurodyn.errors import NeurodynError


def install() -> None:
    """Put :func:`neurodyn_excepthook` in front of the current ``sys.excepthook`` (once)."""
    if getattr(sys.excepthook, "wraps_for_neurodyn", None) is None:
        sys.excepthook = _wrapping(sys.excepthook)


def _wrapping(previous):
    def neurodyn_excepthook(kind, value, traceback):
        if isinstance(value, NeurodynError):
            sys.__excepthook__(kind, value, traceback)
        else:
            previous(kind, value, traceback)

    neurodyn_excepthook.wraps_for_neurodyn = previous
    return neurodyn_excepthook

"""neurodyn's C++ standalone device: Brian2's ``cpp_standalone`` with four faster parts.

The generated program computes the same thing in the same order (tested: identical spikes to
plain Brian2 standalone, sparse and all-to-all synapses, heterogeneous delays, refractoriness,
random thresholds, OpenMP); four parts of Brian2 2.5.4 are replaced (the files in
``neurodyn/standalone_templates/``, each Brian2's own with the change described at its top):

- ``threshold.cpp``: the condition is evaluated in blocks of 64 neurons into a bit mask (a
  vectorised loop), whose set bits are then listed;
- ``network.cpp``: the loop reads the clock (``std::clock()``, a system call) once after the
  run instead of every step, unless a maximum run time is set;
- ``objects.cpp``: state arrays of 2 MB or more on 2 MB-aligned memory advised for transparent
  huge pages (Linux), so that a pass over 10^6 neurons misses the TLB once per 2 MB, not per 4 kB;
- ``spikequeue.h``: each source's synapses in one compressed array (no ``std::vector`` per
  source to miss in cache for every spike), a homogeneous delay's queue grown once per step,
  one-to-one synapses (source k has synapse k) pushed without lookups.

Measured (``benchmarks/bench_scaling.py``, 2026-12-02): the shared-field network runs in 0.43x
(N = 10^4) and 0.39x (N = 10^6) of its time on Brian2's device; ``benchmarks/bench_overhead.py``:
sparse N = 10^4, K = 10^3 0.89x. ``set_device("neurodyn_cpp_standalone", directory=...)`` takes
the options of ``cpp_standalone``.
"""
from __future__ import annotations

import os
import shutil

from brian2.devices.cpp_standalone.codeobject import CPPStandaloneCodeObject
from brian2.devices.cpp_standalone.device import CPPStandaloneDevice
from brian2.devices.device import all_devices

#: Name under which the device is registered with Brian2 (``set_device(DEVICE_NAME, ...)``).
DEVICE_NAME = "neurodyn_cpp_standalone"
TEMPLATES = "standalone_templates"


class FastStandaloneCodeObject(CPPStandaloneCodeObject):
    """Brian2's standalone code object with neurodyn's ``threshold.cpp``, ``network.cpp`` and
    ``objects.cpp``."""

    templater = CPPStandaloneCodeObject.templater.derive("neurodyn", templates_dir=TEMPLATES)


class FastStandaloneDevice(CPPStandaloneDevice):
    """``cpp_standalone`` generating :class:`FastStandaloneCodeObject` code and neurodyn's
    spike queue (see the module docstring)."""

    def code_object_class(self, codeobj_class=None, fallback_pref=None):
        return FastStandaloneCodeObject if codeobj_class in (None, CPPStandaloneCodeObject) else codeobj_class

    def copy_source_files(self, writer, directory):
        """Brian2's sources, then neurodyn's ``spikequeue.h`` over Brian2's (a fresh modification
        time, so that make rebuilds what includes it in a reused build directory)."""
        super().copy_source_files(writer, directory)
        shutil.copyfile(os.path.join(os.path.dirname(__file__), TEMPLATES, "spikequeue.h"),
                    os.path.join(directory, "brianlib", "spikequeue.h"))


all_devices[DEVICE_NAME] = FastStandaloneDevice()

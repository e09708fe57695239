"""A C++ standalone device that puts every value a script assigns into files the program reads.

Brian2 2.5.4's ``cpp_standalone`` device writes arrays assigned from Python (``group.v = array``,
``synapses.connect(i=..., j=...)``) as raw files under ``static_arrays/`` that the program reads
when it starts, but it compiles scalar assignments (``group.tau = 10*ms``, a shared
``synapses.w = 0.5``, ``group.v[3] = 1``) and the seed of ``brian2.seed(n)``
(``rk_seed(nL + i, ...)``) into ``main.cpp``. :class:`ValueFileDevice` (``set_device("neurodyn_standalone")``)
sends those through files as well:

- a scalar assigned to a whole variable becomes a one-element static array copied into every
  element (``x[i] = file[0]`` for ``i < size``, the same loop as Brian2's constant fill);
- a scalar assigned to one index goes through Brian2's index/value static arrays;
- ``seed(n)`` becomes a one-element ``int64`` static array; thread ``k`` is seeded with
  ``file[0] + k``, as Brian2 seeds it with ``n + k``.

The generated program then differs between two configurations of one network only in the
``static_arrays/`` files, unless a value enters the code itself: names from the run namespace
(constants of equations and string expressions), string assignments (``group.v = "rand()"``),
the run duration, the sizes of groups and of assigned arrays. :mod:`neurodyn.programs` compares
the generated code to find out. Otherwise the device behaves exactly as neurodyn's ``cpp_standalone`` (:mod:`neurodyn.fast_standalone`):
random numbers drawn inside the program with seed ``n`` are those of a plain build.
"""
from __future__ import annotations

import numpy as np
from brian2 import prefs
from brian2.core.variables import DynamicArrayVariable
from brian2.devices.device import all_devices
from brian2.units import Quantity

from neurodyn.fast_standalone import FastStandaloneDevice

#: Name under which the device is registered with Brian2 (``set_device(DEVICE_NAME, ...)``).
DEVICE_NAME = "neurodyn_standalone"
#: Static array holding the seed of ``brian2.seed(n)``.
SEED_ARRAY = "neurodyn_seed"


class ValueFileDevice(FastStandaloneDevice):
    """neurodyn's ``cpp_standalone`` (:mod:`neurodyn.fast_standalone`) with scalar values and the seed
    read from ``static_arrays/`` files."""

    def fill_with_array(self, var, arr):
        arr = np.asarray(arr)
        if arr.size != 1:
            super().fill_with_array(var, arr)
            return
        array_name = self.get_array_name(var, access_data=False)
        dynamic = isinstance(var, DynamicArrayVariable)
        if dynamic:
            self.array_cache[var] = None
        else:
            self.array_cache[var] = np.full(var.size, arr.item(), dtype=var.dtype)
        value_file = self.static_array(array_name, np.asarray([arr.item()], dtype=var.dtype))
        size = f"{array_name}.size()" if dynamic else f"_num_{array_name}"
        self.main_queue.append(("insert_code", f"for(int i=0; i<{size}; i++) {array_name}[i] = {value_file}[0];"))

    def variableview_set_with_index_array(self, variableview, item, value, check_units):
        single = isinstance(item, (int, np.integer)) or (isinstance(item, np.ndarray) and item.shape == ())
        if single and Quantity(value).size == 1:
            item = np.asarray([int(item)])  # Brian2's index/value static arrays instead of a code line
        super().variableview_set_with_index_array(variableview, item, value, check_units)

    def seed(self, seed=None):
        if seed is None:  # a random seed: nothing to reproduce, as in Brian2
            super().seed(seed)
            return
        value_file = self.static_array(SEED_ARRAY, np.asarray([seed], dtype=np.int64))
        threads = max(1, prefs.devices.cpp_standalone.openmp_threads)
        self.main_queue.append(("insert_code", f"for (int _i=0; _i<{threads}; _i++) "
                                               f"rk_seed({value_file}[0] + _i, brian::_mersenne_twister_states[_i]);"))


all_devices[DEVICE_NAME] = ValueFileDevice()

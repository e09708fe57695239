"""Mutation testing of neurodyn's core modules with mutmut, one module at a time.

Each module is mutated in its own scratch copy of the repository and run only against the
fast tests that exercise it (``MODULES``); mutmut then runs, for every mutant, only the tests
that call the mutated function. One child process, so it can share a small machine::

    python tools/mutation.py                      # every module below (about an hour on one core)
    python tools/mutation.py theory/meanfield.py analysis/bursting.py
    python tools/mutation.py --list               # modules and their tests
    python tools/mutation.py --planted            # the bugs of issue 17 planted by hand: which test fails
    python tools/mutation.py theory/sparse.py --functions siegert_rates   # only these functions' mutants

Prints, per module, mutants killed / survived / equivalent, the score
killed / (all - equivalent) (a mutant in a function no selected test calls counts as a
survivor), each surviving non-equivalent mutant as a diff,
and the command that reruns the module. Not part of CI (too slow).

Not mutated: ``raise`` statements (the wording of error messages; the tests check the phrase
where it matters, and the condition that raises is mutated). Survivors known to be
equivalent (no input can tell them apart) are listed in ``EQUIVALENT`` with the reason; the
README's testing section lists them by module.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: module (under neurodyn/) -> the fast tests that exercise it (no Brian2 compilation).
MODULES = {
    "theory/meanfield.py": ["tests/test_theory_meanfield.py", "--doctest-modules", "neurodyn/theory/meanfield.py"],
    "analysis/bursting.py": ["tests/test_analysis_bursting.py"],
    "analysis/oscillations.py": ["tests/test_analysis_oscillations.py"],
    "studies/store.py": ["tests/test_study_store.py",
                         "tests/test_study_rerun.py::test_store_reports_only_ok_points_as_finished",
                         "tests/test_study_rerun.py::test_store_layout_and_atomic_writes"],
    "studies/grid.py": ["tests/test_study_grid.py", "tests/test_study_grid_values.py", "--doctest-modules",
                        "neurodyn/studies/grid.py"],
    "results.py": ["tests/test_results_voltage.py", "tests/test_results_and_cli.py", "tests/test_model_layer.py",
                   "tests/test_result_storage.py",  # less the GeNN, C++ and SIGKILL-loop tests:
                   *(f"--deselect=tests/test_{name}" for name in (
                       "model_layer.py::test_on_genn_the_model_is_built_unseeded",
                       "model_layer.py::test_genn_check_and_randomness_detection_work_on_any_model",
                       "result_storage.py::test_a_save_killed_at_any_moment_never_mixes_two_results",
                       "result_storage.py::test_build_dir_that_is_a_file_is_a_named_error",
                       "result_storage.py::test_genn_generate_into_a_file_is_a_named_error")),
                   "tests/test_notebook.py::test_result_and_traces_reprs_are_one_short_line",
                   "tests/test_notebook.py::test_reprs_give_the_recorded_window_in_ms_and_short_neuron_lists"],
    "parameters.py": ["tests/test_parameters.py", "tests/test_parameter_spec.py", "tests/test_parameter_checks.py",
                      "tests/test_study_grid.py", "tests/test_validation.py",  # less its two subprocess tests:
                      "--deselect=tests/test_validation.py::test_after_refused_inputs_and_a_broken_clock_the_next_"
                      "run_equals_a_fresh_process",
                      "--deselect=tests/test_validation.py::test_brian2_pyparsing_deprecations_are_not_shown_but_"
                      "model_warnings_are"],
    "analysis/spikes.py": ["tests/test_analysis_spikes.py", "tests/test_analysis_rates.py"],
    "analysis/rates.py": ["tests/test_analysis_rates.py", "tests/test_analysis_summary.py"],
    "analysis/irregularity.py": ["tests/test_analysis_irregularity.py"],
    "analysis/synchrony.py": ["tests/test_analysis_synchrony.py"],
    "analysis/summary.py": ["tests/test_analysis_summary.py"],
    "theory/eicil.py": ["tests/test_theory_eicil.py"],
    "theory/stability.py": [f"tests/test_theory_stability.py::{name}" for name in (
        "test_rate_response_at_zero_is_the_slope_of_the_free_rate", "test_rate_response_is_its_defining_integral",
        "test_free_oscillators_answer_a_growing_modulation_with_H", "test_population_response_matches_the_direct_average",
        "test_zero_coupling_is_stable", "test_bad_input_is_refused_by_name",
        "test_line_crossings_are_roots_of_the_directly_averaged_characteristic",
        "test_onset_is_the_smallest_coupling_with_a_root_on_the_onset_line",
        "test_onset_search_reports_a_network_stable_up_to_g_max",
        "test_root_count_and_leading_root_match_a_brute_force_search",
        "test_delta_pulses_are_the_limit_of_fast_alpha_pulses",
        "test_a_longer_loop_delay_lowers_the_crossing_frequency_and_coupling",
        "test_population_response_with_a_cutoff_matches_the_weighted_direct_average",
        "test_population_response_of_one_excitability_and_of_a_silent_population",
        "test_default_cutoff_is_the_shot_noise_of_the_field", "test_more_bad_input_is_refused_by_name",
        "test_edge_values_are_accepted", "test_characteristic_is_one_plus_g_times_the_loop_gain",
        "test_rate_response_of_a_silent_neuron_is_zero", "test_rate_response_near_zero_is_continuous_and_broadcasts",
        "test_composite_gauss_legendre_integrates_smooth_functions")],
    "theory/sparse.py": [f"tests/test_theory_sparse.py::{name}" for name in (
        "test_vectorised_siegert_matches_adaptive_quadrature", "test_without_quenched_term_it_is_the_diffusion_mean_field",
        "test_shot_noise_theory_without_coupling_gives_the_free_rates", "test_bad_input_is_refused_by_name",
        "test_siegert_rates_at_the_silent_barrier_and_without_noise",
        "test_quenched_state_is_a_fixed_point_of_its_defining_integral",
        "test_quenched_term_vanishes_when_every_neuron_is_an_input",
        "test_uncoupled_quenched_state_is_the_free_rate_distribution", "test_shot_noise_bad_input_is_refused_by_name",
        "test_uncoupled_shot_noise_state_reports_its_sampled_neurons",
        "test_shot_noise_inhibition_with_many_tiny_pulses_is_the_deterministic_mean_field",
        "test_quenched_state_counts_silent_neurons_and_takes_one_excitability",
        "test_shot_noise_accepts_the_edges_of_its_valid_input")],
    "convert/neurons.py": ["tests/test_convert_if.py::test_dense_if_layer_rates_equal_relu_over_theta_within_one_over_T",
                           "tests/test_convert_if.py::test_if_rate_saturates_at_one_spike_per_step",
                           "tests/test_convert_if.py::test_potential_readout_integrates_the_normalised_ann_output",
                           "tests/test_convert_quantized.py",  # the Poisson encoder feeds a quantized layer there
                           "tests/test_convert_ei.py::test_dense_ei_layer_signed_rates_equal_linear_over_theta_within_one_over_T",
                           "tests/test_convert_ei.py::test_ei_rate_saturates_at_one_spike_per_step_of_either_sign",
                           *(f"tests/test_convert_genn.py::test_{kind}_generates_a_genn_project"  # the gated drives
                             for kind in ("quantized_network", "if_network_with_poisson_input", "ei_network")),
                           "tests/test_convert_layer_monitor.py"],
    "studies/plots.py": ["tests/test_study_plots.py"],
}

#: Survivors that no input can distinguish from the original: (module, mutated line as mutmut
#: writes it, stripped) -> reason. Keyed by the text of the line, so it survives renumbering.
_M, _B, _O, _S = "theory/meanfield.py", "analysis/bursting.py", "analysis/oscillations.py", "studies/store.py"
_R = "results.py"
_ZERO_MEDIAN = ("a zero median comes only with an all-zero spectrum (silence), where psd/median is 0/0 = NaN "
                "like the explicit NaN")
_BRACKET = "a wider search interval for the unique root R gives the same root"
_SPLIT = ("another split of the Siegert integral: the integral is the same; the case that needs a split "
          "(upper > 1, lower << 0) is split by this variant too")
_LIMIT = "quad's subdivision limit: these integrals converge within 50 subintervals (tests agree to 1e-9)"
_FLOAT = "integers are promoted to float by the arithmetic that follows"
_ZERO_VARIANCE = ("a mean neuron variance of 0 means every trace is constant, so the population variance is 0 too: "
                  "0/0 = NaN like the explicit NaN")
_CHUNKS = "chunks only bound the memory: any split of the intervals (or none) gives the same sums"
EQUIVALENT: dict[tuple[str, str], str] = {
    (_M, "above = mu >= 1"): "at mu = 1 the formula gives 1/ln(1/0) = 1/inf = 0, the same 0",
    (_M, "safe = np.where(above, mu, 3.0)"): "placeholder of the masked entries, never returned",
    (_M, "mu = np.asarray(mu, )"): _FLOAT,
    (_M, "mu = np.asarray(mu, dtype=None)"): _FLOAT,
    (_M, "excitability = np.asarray(excitability, )"): _FLOAT,
    (_M, "excitability = np.asarray(excitability, dtype=None)"): _FLOAT,
    (_M, "return float(np.mean(function(np.asarray(excitabilities, ))))"): _FLOAT,
    (_M, "return float(np.mean(function(np.asarray(excitabilities, dtype=None))))"): _FLOAT,
    (_M, "active_of = lambda I: (neuron_rates(I, rate) > 0).astype(None)  # noqa: E731"):
        "astype(None) is astype(float64)",
    (_M, "if upper > 27.0:  # exp(u^2) overflows: the neuron essentially never reaches threshold"):
        "for 26 < upper <= 27 the integral exceeds exp(676): the rate is below 1e-290 either way",
    (_M, "if upper >= 26.0:  # exp(u^2) overflows: the neuron essentially never reaches threshold"):
        "differs only at upper == 26.0 exactly, by a rate below 1e-290",
    (_M, "if rhs(0.0) < 0:"): "with rhs(0) = 0, R = 0 is a root at the end of the bracket, which brentq returns",
    (_M, "return optimize.brentq(lambda R: R - rhs(R), 0.0, upper, )"):
        "brentq's default xtol 2e-12 instead of 1e-12, far below every tolerance",
    (_M, "float(free_rate(top)) + 1.000000000001)"): _BRACKET,
    (_M, "upper = max(float(free_rate(top)), siegert_rate(top, g * np.sqrt(1.0 * K))) + 1.0"): _BRACKET,
    (_M, "upper = max(float(free_rate(top)), siegert_rate(top, g * np.sqrt(1.0 / K))) + 2.0"): _BRACKET,
    (_M, "upper = max(float(free_rate(top)), siegert_rate(top, g * np.sqrt(2.0 / K))) + 1.0"): _BRACKET,
    (_M, "upper = max(float(free_rate(top)), siegert_rate(top, g / np.sqrt(1.0 / K))) + 1.0"): _BRACKET,
    (_M, "split = [0.0] if (lower < 0.0 < upper) or True else None"): _SPLIT,
    (_M, "split = [0.0] if lower < 0.0 <= upper else None"): _SPLIT,
    (_M, "split = [0.0] if lower < 1.0 < upper else None"): _SPLIT,
    (_M, "split = [0.0] if lower <= 0.0 < upper else None"): _SPLIT,
    (_M, "split = [1.0] if lower < 0.0 < upper else None"): _SPLIT,
    (_M, "integral, _ = integrate.quad(lambda u: special.erfcx(-u), lower, upper, limit=201, points=split)"): _LIMIT,
    (_M, "integral, _ = integrate.quad(lambda u: special.erfcx(-u), lower, upper, points=split)"): _LIMIT,
    (_M, "value, _ = integrate.quad(lambda I: float(function(np.array([I]))[0]), I_l, I_u, )"): _LIMIT,
    (_M, "value, _ = integrate.quad(lambda I: float(function(np.array([I]))[0]), I_l, I_u, limit=201)"): _LIMIT,
    **{(_B, line): "numpy's floating-point warning settings: the values are the same" for line in (
        'with np.errstate(invalid=None, divide="ignore"):', 'with np.errstate(invalid="ignore", divide=None):',
        'with np.errstate(divide="ignore"):', 'with np.errstate(invalid="ignore", ):')},
    (_B, "hist = np.bincount(owner * n_bins + bins, minlength=n * n_bins).reshape(n, n_bins).astype(None)"):
        "astype(None) is astype(float64)",
    (_B, 'hist = gaussian_filter1d(hist, 1.0, mode="constant")'): "the default axis -1 is axis 1 of this 2-D array",
    (_B, "intra = np.where(peak & (centres < np.log10(max_intra_isi)), hist, -np.inf)"):
        "bin centres are k/10 + 0.05 in log10 s, never equal to log10(0.1) = -1",
    (_B, "first_of_neuron = np.concatenate(([0], np.cumsum(np.bincount(bursts.neuron, minlength=None))))"):
        "only neurons that have bursts are looked up, and the counts up to them are the same",
    (_B, "first_of_neuron = np.concatenate(([0], np.cumsum(np.bincount(bursts.neuron, ))))"):
        "only neurons that have bursts are looked up, and the counts up to them are the same",
    (_O, 'ratio = float(psd[peak] / median) if (median > 0) or True else float("nan")'): _ZERO_MEDIAN,
    (_O, 'ratio = float(psd[peak] / median) if median >= 0 else float("nan")'): _ZERO_MEDIAN,
    (_O, "segment = max(2, min(int(round(1 / (resolution_hz * bin_width))), len(rate) / 3))"):
        "scipy's welch truncates a float nperseg to an integer",
    (_S, 'return sorted(path.stem for path in self.points_dir.glob("*.parquet")) if (self.points_dir.is_dir()) or True '
         'else []'): "globbing a missing directory finds nothing, like the explicit []",
    **{(_S, line): "reads every column, then takes the same status (or the whole row, as read() wants)" for line in (
        'table = self._read_point(self.point_path(key), columns=None)', 'table = self._read_point(self.point_path(key), )',
        "return pq.read_table(path, columns=None)",
        "return pq.read_table(path, )")},
    **{(_S, line): "the temporary file exists when the write fails: missing_ok is not consulted"
       for line in ("partial.unlink(missing_ok=None)", "partial.unlink(missing_ok=False)")},
    (_S, 'partial = path.parent / f".{path.stem}.{os.getpid()}.{uuid.uuid4().hex[:9]}.partial"'):
        "one more random hex digit in a name that is unique already",
    (_S, "self._warned_no_locks = None"): "None is falsy like False: the first warning is still given",
    **{(_S, line): "a point file to move aside exists, so its store directory does: corrupt/ needs no parents"
       for line in ("self.corrupt_dir.mkdir(parents=None, exist_ok=True)", "self.corrupt_dir.mkdir(exist_ok=True)",
                    "self.corrupt_dir.mkdir(parents=False, exist_ok=True)")},
    (_S, "if key in self.finished(None):"): "the key is in the status of all points exactly when it is in its own",
    (_S, "os.ftruncate(handle, 1)"): "the pid line written next is longer than one byte and overwrites it",
    (_R, 'order = np.argsort(self.spike_t, kind="STABLE")'): "numpy reads the sort kind case-insensitively",
    (_R, "metadata = {**(table.schema.metadata and {}), _METADATA_KEY: json.dumps(self._metadata()).encode()}"):
        "drops pyarrow's pandas metadata, which restores only index and dtypes these int64/float64 columns keep",
    **{(_R, line): "a RangeIndex is stored as metadata only (index=None, the default): the same columns"
       for line in ('table = pa.Table.from_pandas(self.spikes_frame(), preserve_index=None)',
                    'table = pa.Table.from_pandas(self.spikes_frame(), )',
                    *(f'{frame}.to_parquet(staging / {name}, {index})'
                      for frame, name in (("trace.frame()", "_state_file(key)"),
                                          ("self.population_rate_frame()", '"population_rate.parquet"'),
                                          ("self.summary(t_start)", '"summary.parquet"'))
                      for index in ("index=None", "")))},
    (_R, 'values = frame[variable].to_numpy()[order].reshape(len(neurons), -2)'):
        "numpy takes any negative size as 'infer'",
    **{(_R, line): "recorded keys are '<population>.<variable>' with one dot (Brian2 names have none): the same split"
       for line in ('states = {key.split(".", )[1]: trace for key, trace in self.states.items() if key.startswith(name + ".")}',
                    'states = {key.rsplit(".", 1)[1]: trace for key, trace in self.states.items() if key.startswith(name + ".")}',
                    'states = {key.split(".", 2)[1]: trace for key, trace in self.states.items() if key.startswith(name + ".")}')},
    (_R, "spike_t=self.spike_t[keep], states=states, populations=(),"):
        "a multi-population result records v as '<population>.v', so its voltage is None already",
    **{(_R, line): "without populations, offsets is [0] and every neuron index >= 0 falls into bin 0: the model, offset 0"
       for line in ('which = np.searchsorted(offsets, self.spike_i, side="right") - 1 if (self.populations) or True else \\',
                    "return names[which], self.spike_i - (offsets[which] if (self.populations) or True else 0)")},
    (_R, 'which = np.searchsorted(offsets, self.spike_i, side="RIGHT") - 1 if self.populations else \\'):
        "numpy reads the side name case-insensitively by its first letter",
    ("parameters.py", 'if array.dtype.kind not in "XXiufXX":'): "no numpy dtype has the kind X",
    ("parameters.py", "array = array.astype(None)"): "astype(None) is astype(float64)",
    **{("parameters.py", line): "not reached: .item() above has turned a 0-d dimensionless Quantity into a float, "
       "so a dimensionless Quantity here has ndim >= 1 and is refused" for line in ("raw = float(None)", "raw = None")},
    ("parameters.py", "close = difflib.get_close_matches(name, self.names, )"):
        "more suggestions, but the message shows only the first",
    ("parameters.py", "close = difflib.get_close_matches(name, self.names, n=2)"):
        "more suggestions, but the message shows only the first",
    ("studies/grid.py",
     "return int(np.random.SeedSequence([int(study_seed), int(repeat), *words]).generate_state(2)[0] % 2**31)"):
        "generate_state is a stream: its first word does not depend on how many are drawn",
    (_R, "t0 = self.t_start if (t_start is None) and False else t_start"):
        "summarize itself reads t_start=None as the result's own t_start",
}

_SP = "analysis/spikes.py"
_FAST_PATH = ("_in_neuron_time_order only lets input already in (neuron, time) order skip the sort; this variant "
              "answers False more often, and sorting sorted input gives the same arrays")
_SORT_CHOICE = "both sorts give the (neuron, time) order for this input; the choice only changes the speed"
EQUIVALENT.update({
    **{(_SP, line): _FAST_PATH for line in (
        "return bool(None)",
        "return bool(np.all(None) and np.all((i[1:] > i[:-1]) | (t[1:] >= t[:-1])))",
        "return bool(np.all(i[1:] > i[:-1]) and np.all((i[1:] > i[:-1]) | (t[1:] >= t[:-1])))",
        "return bool(np.all(i[1:] >= i[:-1]) and np.all(None))",
        "return bool(np.all(i[1:] >= i[:-1]) and np.all((i[1:] > i[:-1]) & (t[1:] >= t[:-1])))",
        "return bool(np.all(i[1:] >= i[:-1]) and np.all((i[1:] > i[:-1]) | (t[1:] > t[:-1])))")},
    **{(_SP, line): _SORT_CHOICE for line in (
        "t = t[np.lexsort((t, i))] if np.any(t[1:] <= t[:-1]) else _stable_sort_by_neuron(i, t, n_neurons)",
        "t = t[np.lexsort((t, i))] if (np.any(t[1:] < t[:-1])) or True else _stable_sort_by_neuron(i, t, n_neurons)")},
    **{(_SP, line): "the shape inferred from the indices has fewer empty rows; the CSR data are the same" for line in (
        "return coo_matrix((t, (i, columns)), shape=None).tocsr().data",
        "return coo_matrix((t, (i, columns)), ).tocsr().data")},
    **{(_SP, line): "copy= only decides whether int64 input is copied; nothing writes to these arrays" for line in (
        "return SpikeTrains(i.astype(np.int64, ), t, int(n_neurons), t_start, t_stop, params, voltage)",
        "return SpikeTrains(i.astype(np.int64, copy=True), t, int(n_neurons), t_start, t_stop, params, voltage)")},
    ("analysis/rates.py", "return np.bincount(bins[bins < n_bins], minlength=n_bins).astype(None)"):
        "astype(None) is astype(float64)",
    ("analysis/rates.py", "return gaussian_filter1d(signal, width_bins, )"): "scipy's default mode is 'reflect'",
    ("analysis/rates.py", "return uniform_filter1d(signal, max(1, int(round(width_bins))), )"):
        "scipy's default mode is 'reflect'",
    **{("analysis/irregularity.py", line): "bins n and n + 1 hold the pairs straddling two neurons; [:n] drops both"
       for line in ("n_pairs = np.bincount(pair_owner, minlength=n + 2)[:n]",
                    "cv2 = 2 * np.bincount(pair_owner, weights=np.abs(ratio), minlength=n + 2)[:n] / n_pairs",
                    "lv = 3 * np.bincount(pair_owner, weights=ratio * ratio, minlength=n + 2)[:n] / n_pairs")},
    ("analysis/irregularity.py", 'return float(defined.mean()) if (defined.size) or True else float("nan")'):
        "the mean of no values is NaN, like the explicit NaN",
    ("analysis/irregularity.py",
     '"cv_gt1_frac": float(np.mean(cv[defined] > 1)) if (defined.any()) or True else float("nan")}'):
        "the mean of no values is NaN, like the explicit NaN",
    ("analysis/irregularity.py", "cv[n_isi < 2] = None"): "None assigned into a float array is NaN",
    **{("analysis/summary.py", line): "neuron is the only column these frames share, so merge joins on it anyway"
       for line in ('.merge(burst_statistics(trains, max_isi=max_isi), on=None))',
                    '.merge(burst_statistics(trains, max_isi=max_isi), ))',
                    '.merge(irregularity(trains), on=None)', '.merge(irregularity(trains), )')},
    ("analysis/summary.py", "if window <= shortest - 1e-12:"):
        "differs only for a window exactly 1e-12 s shorter than the shortest, inside the rounding allowance",
    **{("theory/eicil.py", line): _FLOAT for line in ("x = np.asarray(x, )", "x = np.asarray(x, dtype=None)")},
    ("theory/eicil.py", "theta = np.where(x > 0, theta_e, theta_i)"): "at x = 0 the rate is 0 / theta for either threshold",
    **{("analysis/synchrony.py", line): _ZERO_VARIANCE for line in (
        'return float(np.sqrt(population_var / mean_neuron_var)) if (mean_neuron_var > 0) or True else float("nan")',
        'return float(np.sqrt(population_var / mean_neuron_var)) if mean_neuron_var >= 0 else float("nan")')},
    ("analysis/synchrony.py", "left = np.arange(len(bins) + 1)"): "the loop drops partners beyond the last spike first",
    **{("analysis/synchrony.py", line): _FLOAT for line in (
        "v = np.asarray(record, dtype=None)", "v = np.asarray(record, )", "v = np.asarray(record.v, dtype=None)[:, keep]",
        "v = np.asarray(record.v, )[:, keep]", "population_mean = np.asarray(population_mean, dtype=None)",
        "population_mean = np.asarray(population_mean, )",
        "sum_v, sum_v2 = np.asarray(sum_v, ), np.asarray(sum_v2, dtype=np.float64)",
        "sum_v, sum_v2 = np.asarray(sum_v, dtype=None), np.asarray(sum_v2, dtype=np.float64)",
        "sum_v, sum_v2 = np.asarray(sum_v, dtype=np.float64), np.asarray(sum_v2, dtype=None)",
        "sum_v, sum_v2 = np.asarray(sum_v, dtype=np.float64), np.asarray(sum_v2, )")},
    ("analysis/synchrony.py", "keep = times >= t_start"): "keep starts all True, so = and &= give the same mask",
    **{("analysis/synchrony.py", line): "numpy reads the mode/side name case-insensitively by its first letter" for line in (
        'lag_weight = np.correlate(kernel, kernel, "FULL")[2 * half:]       # A(0) ... A(2 half)',
        'population = np.convolve(wrapped, kernel, "VALID") / trains.n_neurons',
        'seam = np.searchsorted(neuron, neuron[early], side="RIGHT")')},
    ("analysis/synchrony.py", "reach = len(lag_weight) + 1"):
        "copies of spikes beyond the reach pair with nothing within it (_close_pair_sums checks the lag)",
    ("analysis/synchrony.py", "reach = len(lag_weight) - 2"):
        "only early selects with it: bins <= reach - 1 is bins < reach, equivalent as below",
    ("analysis/synchrony.py", "early = np.flatnonzero(bins < reach)"):
        "the copy of a spike in bin reach lies reach + 1 or more bins after every spike: it pairs with none",
    **{("analysis/synchrony.py", line): _CHUNKS for line in (
        "splits = np.searchsorted(ends, np.arange(_CHUNK, None, _CHUNK))",
        "splits = np.searchsorted(ends, np.arange(_CHUNK, ends[-1] if len(ends) else 0, None))",
        "splits = np.searchsorted(ends, np.arange(_CHUNK, _CHUNK))",
        "splits = np.searchsorted(ends, np.arange(_CHUNK, ends[-1] if len(ends) else 0, ))",
        "splits = np.searchsorted(ends, np.arange(_CHUNK, ends[-1] if (len(ends)) and False else 0, _CHUNK))",
        "splits = np.searchsorted(ends, np.arange(_CHUNK, ends[-1] if len(ends) else 1, _CHUNK))")},
    **{("analysis/synchrony.py", line): "r = |sum of e^(i phase)| / M does not change when real or imag changes sign"
       for line in ("real -= np.bincount(point, weights=np.cos(phase), minlength=len(grid))",
                    "imag -= np.bincount(point, weights=np.sin(phase), minlength=len(grid))")},
    **{("analysis/synchrony.py", line): "the grid has at least one point, so max() never needs initial; an initial 1 "
       "only matters for a silent population, which then averages NaN over every point with M = 0, as returned"
       for line in ("most = n_phase.max(initial=None)", "most = n_phase.max(initial=1)")},
    ("analysis/synchrony.py", "row = np.full(trains.n_neurons, -2)"): "any negative row marks a neuron left out",
    ("analysis/synchrony.py", "replace=None))"): "replace=None is falsy: drawn without replacement, the same sample",
    (_SP, "if not np.issubdtype(None, np.integer):"):
        "integer indices then take the float path: whole, finite, converted to int64, as the int64 cast at the end",
    (_SP, "rec_start, rec_stop = (0.0 if (t_start is None) or True else float(t_start)), float(t_stop)"):
        "for arrays the recording starts where the given window does; an earlier recording start refuses nothing more",
})

_P = "studies/plots.py"
EQUIVALENT.update({
    (_P, "table = finished(frame).pivot_table(index=y, columns=x, values=value, )"): "pivot_table's default aggfunc is 'mean'",
    (_P, 'cmap: str = "viridis", fmt: str = "{:.2F}", vmin: float | None = None, vmax: float | None = None,'):
        "'F' differs from 'f' only for inf and NaN, which are not annotated (np.isfinite)",
    **{(_P, line): "without ax, matplotlib takes the colorbar's space from the image's own axes, which is ax"
       for line in ("ax.figure.colorbar(image, ax=None)", "ax.figure.colorbar(image, )")},
    (_P, "ax.figure.colorbar(None, ax=ax)"): "without a mappable, matplotlib uses the current image: the one just drawn",
})

_ST = "theory/stability.py"
_ONSET_GRID = ("another bracketing grid for the onset: the bisection then narrows the same sign change of "
               "excess(g) to the same 1e-3 (grids differ only where two onsets lie within one grid step)")
EQUIVALENT.update({
    **{(_ST, line): _ONSET_GRID for line in (
        "grid = np.geomspace(2e-2, g_max, )", "grid = np.geomspace(2e-2, g_max, 13)",
        "for lo, hi in zip(grid[:-1], grid[2:]):")},
    (_ST, "def critical_coupling(network: Network, g_max: float = 101.0, sigma: float = SIGMA_ONSET,"):
        "differs only for an onset between g = 100 and 101",
    **{(_ST, line): "the same state: characteristic computes network.state(g) itself when given none" for line in (
        "state = None", "magnitude = np.abs(network.characteristic(grid.ravel(), g, None)).reshape(grid.shape)",
        "magnitude = np.abs(network.characteristic(grid.ravel(), g, )).reshape(grid.shape)",
        "value = network.characteristic(complex(z[0], z[1]), g, None)",
        "value = network.characteristic(complex(z[0], z[1]), g, )",
        "network.characteristic(z, g, None)) < 1e-8:", "network.characteristic(z, g, )) < 1e-8:",
        "values = network.characteristic(path, g, None)", "values = network.characteristic(path, g, )")},
    **{(_ST, line): "with the end point each side's last point repeats the next corner: a step of zero angle"
       for line in ("side = np.linspace(0.0, 1.0, points, )", "side = np.linspace(0.0, 1.0, points, endpoint=True)")},
    (_ST, "path = np.concatenate([a + (b - a) * side for a, b in zip(corners[:-1], corners[1:])] + [[corners[1]]])"):
        "the extra step runs back along the real axis, where F is real and positive (module notes): no angle",
    (_ST, "for k in np.argsort(magnitude.ravel())[:31]:"): "one more Newton start finds the same isolated roots",
    **{(_ST, line): "scipy's root takes 'hybr' by default and lower-cases the method name" for line in (
        "solution = optimize.root(residual, [start.real, start.imag], )",
        'solution = optimize.root(residual, [start.real, start.imag], method="HYBR")')},
    **{(_ST, line): "differs only for a root exactly on the rectangle's edge or |F| exactly 1e-8" for line in (
        "if solution.success and sigma <= z.real < sigma_max and 0 < z.imag < omega_max and abs(",
        "if solution.success and sigma < z.real < sigma_max and 0 <= z.imag < omega_max and abs(",
        "if solution.success and sigma < z.real <= sigma_max and 0 < z.imag < omega_max and abs(",
        "if solution.success and sigma < z.real < sigma_max and 0 < z.imag <= omega_max and abs(",
        "network.characteristic(z, g, state)) <= 1e-8:")},
    (_ST, "def count_unstable_roots(network: Network, g: float, sigma: float = SIGMA_MIN, sigma_max: float = 101.0,"):
        "differs only for a root with 100 < Re lam < 101",
    (_ST, "omega_max: float | None = None, points: int = 4001) -> int:"):
        "one more point per side of a path that resolves the phase already: the same winding number",
    (_ST, "side = np.linspace(0.0, 1.0, points, endpoint=None)"): "endpoint=None is falsy like False",
    **{(_ST, line): "the same state: characteristic computes network.state(g) itself when given none" for line in (
        "return 1.0 + g * self.loop_gain(lam, self.state(g) if (state is None) or True else state)",)},
    **{(_ST, line): ("without dtype=complex a real lam stays real: the same values (Re lam >= 0), complex input "
                     "stays complex") for line in (
        "lam = np.asarray(lam, dtype=None)", "lam = np.asarray(lam, )")},
    (_ST, "def population_response(self, lam, nodes: int = 1001) -> np.ndarray:"):
        "1001 // 32 = 1000 // 32 = 31 panels: the same nodes",
    **{(_ST, line): "differs only where a drive equals 1 or the cutoff edge exactly" for line in (
        "if mu_l < 1 and self.cutoff == 0 and self.I_u > self.I_l:", "if mu_u >= edge:", "if mu_l <= edge and self.cutoff > 0:")},
    **{(_ST, line): "not reached: with I_u == I_l or cutoff 0 and mu_l < 1 an earlier branch has returned or raised"
       for line in ("if mu_l <= 1 and self.cutoff == 0 and self.I_u >= self.I_l:",
                    "if mu_l < edge and self.cutoff >= 0:")},
    (_ST, "return rate_response(lam, mu_u) * min(1.0, (mu_u - 1.0) / self.cutoff if self.cutoff > 0 else 2.0)"):
        "min(1, 2) is 1 like min(1, 1)",
    **{(_ST, line): "lam = 0 entries are replaced by the static sum; the others are unchanged" for line in (
        "lam_safe = np.where(None, 1.0, lam)", "lam_safe = np.where(zero, 2.0, lam)")},
    (_ST, "weight = (mu - 1.0) / self.cutoff if below else np.ones_like(None)"): "a scalar 1 broadcasts like ones",
    **{(_ST, line): ("Im(-1/gain) = Im(gain)/|gain|^2 changes sign where Im(-gain), Im(1/gain) or Im(-2/gain) do: "
                     "the same scan positions and refined roots") for line in (
        "coupling = -1.0 * gain", "coupling = +1.0 / gain", "coupling = -2.0 / gain",
        "w = optimize.brentq(lambda w: float((-1.0 * network.loop_gain(sigma + 1j * w, state)).imag),",
        "w = optimize.brentq(lambda w: float((+1.0 / network.loop_gain(sigma + 1j * w, state)).imag),",
        "w = optimize.brentq(lambda w: float((-2.0 / network.loop_gain(sigma + 1j * w, state)).imag),")},
    **{(_ST, line): "gain(conj lam) = conj gain(lam): the same root of Im G, the same g = Re(-1/gain) and |F|"
       for line in ("w = optimize.brentq(lambda w: float((-1.0 / network.loop_gain(sigma - 1j * w, state)).imag),",
                    "gain_w = complex(network.loop_gain(sigma - 1j * w, state))")},
    **{(_ST, line): "differs only where gain, g or |F| equals the bound exactly" for line in (
        "g = (-1.0 / gain_w).real if (gain_w != 0) or True else np.inf",
        "g = (-1.0 / gain_w).real if gain_w != 1 else np.inf",
        "if 0 <= g < np.inf and abs(1.0 + g * gain_w) < 1e-6:  # a root, not a pass of G through infinity",
        "if 0 < g <= np.inf and abs(1.0 + g * gain_w) < 1e-6:  # a root, not a pass of G through infinity",
        "if 0 < g < np.inf and abs(1.0 + g * gain_w) <= 1e-6:  # a root, not a pass of G through infinity",
        "small = np.abs(lam_t) <= 1e-10")},
    **{(_ST, line): _FLOAT for line in ("mu = np.asarray(mu, dtype=None)", "mu = np.asarray(mu, )")},
    (_ST, "safe = np.where(above, mu, 3.0)"): "placeholder of the silent entries, never returned",
    **{(_ST, line): "the small entries take 1/period from the outer where; the others divide by 1 - w as before"
       for line in ("lam_over = np.where(small, 1.0 / period, lam / np.where(None, 1.0, one_minus_w))  # lam / (1 - w)",
                    "lam_over = np.where(small, 1.0 / period, lam / np.where(small, 2.0, one_minus_w))  # lam / (1 - w)")},
    (_ST, "gain = network.loop_gain(sigma - 1j * omega, state)"):
        "F is real on the real axis, so gain(conj lam) = conj gain(lam): Im changes sign at the same omegas",
    **{(_ST, line): "the same scan: the arange still ends at omega_max (or one step before it, where no crossing lies "
       "within 0.2 of the end)" for line in (
        "omega = np.arange(omega_step, omega_max + omega_step / 3, omega_step)",
        "omega = np.arange(omega_step, omega_max - omega_step / 2, omega_step)")},
    **{(_ST, line): "differs only where a loop gain is exactly 0 (an infinite G) or a sign change lies in the last step"
       for line in ("if not (np.isfinite(coupling[k]) or np.isfinite(coupling[k + 1])):",
                    "if not (np.isfinite(coupling[k]) and np.isfinite(coupling[k - 1])):",
                    "if not (np.isfinite(coupling[k]) and np.isfinite(coupling[k + 2])):", "break")},
    (_ST, "omega[k], omega[k + 1], )"): "brentq's default xtol 2e-12 is finer than 1e-10: the same crossing",
    (_ST, "t_long = period_of(mu_l) if mu_l >= 1 else np.inf"): "period_of(1) = ln(1/0) = inf, the same inf",
    (_ST, "return ((edges[:-1, None] + half) - half * x).ravel(), (half * w).ravel()"):
        "Gauss-Legendre nodes and weights are symmetric about 0: the same nodes with the same weights",
    (_ST, "end_weight = (1.0 / np.expm1(ends) / self.cutoff) if below else np.ones(3)"):
        "only the first two entries are read",
    (_ST, "magnitude = np.abs(network.characteristic(grid.ravel(), g, state)).reshape(None)"):
        "the magnitudes are only argsorted after ravel(): the 1-D array gives the same order",
    **{(_ST, line): ("the grid only seeds Newton's method: another grid of starting points (the 30 smallest |F| of "
                     "it) converges to the same isolated roots") for line in (
        "re = np.geomspace(sigma, 40)", "re = np.geomspace(sigma, sigma_max, )", "re = np.geomspace(sigma, sigma_max, 41)",
        "im = np.linspace(omega_max / 200, 200)", "im = np.linspace(omega_max / 200, omega_max, )",
        "im = np.linspace(omega_max / 201, omega_max, 200)", "im = np.linspace(omega_max / 200, omega_max, 201)",
        "grid = re[:, None] + 2j * im[None, :]")},
    (_ST, "def leading_root(network: Network, g: float, sigma: float = SIGMA_MIN, sigma_max: float = 101.0,"):
        "differs only for a root with 100 < Re lam < 101 (e-folding in 0.01 tau_m)",
    **{(_ST, line): "excess is exactly 0 only where a crossing's g equals the trial g to all digits" for line in (
        "if excess(hi) < 0:", "lo, hi = (mid, hi) if excess(mid) >= 0 else (lo, mid)")},
    (_ST, "while hi / lo >= 1 + 1e-3:  # bisection: excess may jump (another branch, or no crossing below)"):
        "one more bisection step only when hi / lo is exactly 1.001",
})

_SQ = "theory/sparse.py"
_FIXED_POINT = ("the damped variance iteration converges to the same unique fixed point (from another start, or "
                "running all max_iter steps, or stopping at 2e-9 instead of 1e-9)")
_SYMMETRIC = "Gauss-Legendre and Gauss-Hermite nodes and weights are symmetric about 0: the same sums"
_NODES = "one more quadrature node or iteration: the same state to 1e-9 (the tests compare to 1e-7 and looser)"
EQUIVALENT.update({
    **{(_SQ, line): _FIXED_POINT for line in (
        "variance = 1.0",
        "if not quenched and abs(new_variance - variance) < tol * max(1.0, variance):",
        "if not quenched or abs(new_variance + variance) < tol * max(1.0, variance):",
        "if not quenched or abs(new_variance - variance) <= tol * max(1.0, variance):",
        "if not quenched or abs(new_variance - variance) < tol / max(1.0, variance):",
        "if not quenched or abs(new_variance - variance) < tol * max(2.0, variance):")},
    **{(_SQ, line): _SYMMETRIC for line in (
        "excitability = (I_l + I_u) / 2 - (I_u - I_l) / 2 * x",
        "m = np.maximum(R - spread * z, 0.0)  # mean input rate per neuron (z: quenched draw)")},
    **{(_SQ, line): _NODES for line in (
        "window: float | None = None, quenched: bool = True, nodes_I: int = 65,",
        "nodes_z: int = 41, tol: float = 1e-9, max_iter: int = 200,",
        "nodes_z: int = 40, tol: float = 1e-9, max_iter: int = 201,")},
    **{(_SQ, line): "R is below the largest rate < 1 <= top: any of these brackets holds the unique root" for line in (
        "top = float(rates(1.0, variance)[0].max()) + 1.0", "top = float(rates(0.0, variance)[0].max()) + 2.0")},
    (_SQ, "return optimize.brentq(lambda R: R - weighted(rates(R, variance)[0]), 0.0, top, )"):
        "brentq's default xtol 2e-12 instead of 1e-12, far below every tolerance",
    (_SQ, "active = 1.0 - np.exp(-nu * window) if window is not None else (nu > 0).astype(None)"):
        "astype(None) is astype(float64)",
    **{(_SQ, "mu, sigma = np.broadcast_arrays(" + pair + ")"): _FLOAT for pair in (
        "np.asarray(mu, dtype=None), np.asarray(sigma, dtype=float)", "np.asarray(mu, ), np.asarray(sigma, dtype=float)",
        "np.asarray(mu, dtype=float), np.asarray(sigma, dtype=None)", "np.asarray(mu, dtype=float), np.asarray(sigma, )")},
    **{(_SQ, line): "a scalar start of x or y broadcasts to the same values in the first step" for line in (
        "v, x, y = rng.random(excitability.size), np.full(None, R), np.full(excitability.size, alpha * R)",
        "v, x, y = rng.random(excitability.size), np.full(excitability.size, R), np.full(None, alpha * R)")},
    (_SQ, "fired = v > 1"): "v is exactly 1 at a step end with probability 0",
    **{(_SQ, line): ("another sample size, seed or iteration count: the same state within the sampling error "
                     "sqrt(nu / duration) the docstring states") for line in (
        "alpha: float = 20.0, window: float | None = None, n_excitabilities: int = 65,",
        "n_draws: int = 17, duration: float = 60.0, dt: float = 0.01, iterations: int = 12,",
        "n_draws: int = 16, duration: float = 61.0, dt: float = 0.01, iterations: int = 12,",
        "n_draws: int = 16, duration: float = 60.0, dt: float = 0.01, iterations: int = 13,",
        "seed: int = 1, tau_m=None) -> RateDistribution:")},
    (_SQ, "s = np.where(noisy, sigma, 2.0)"): "placeholder of the noiseless entries, whose rate is the free one",
    (_SQ, "return (half * w * special.erfcx(-((a + b)[..., None] / 2 - half * x))).sum(-1)"): _SYMMETRIC,
    (_SQ, "rate = np.where(upper >= SILENT_BARRIER, 0.0, 1.0 / (np.sqrt(np.pi) * integral))"):
        "differs only at (1 - mu)/sigma == 6.0 exactly, by a rate below 1e-15",
})

_N = "convert/neurons.py"
EQUIVALENT.update({
    **{(_N, line): "Brian2 reads the integration method's name in lower case" for line in (
        'return NeuronModel(f"dv/dt = x + drive{gate} : 1" + _QUANTIZED_INPUT + onset, method="EULER")',
        'method="EULER")', 'return NeuronModel(f"dv/dt = drive{gate} : 1\\ndrive : Hz (constant)" + onset, method="EULER")',
        'threshold=EI_THRESHOLD, reset=EI_RESET, method="EULER")',
        'threshold="v >= theta", reset="v = v - theta", method="EULER")',
        'synapses = Synapses(source, target, model=model, on_pre=on_pre, method="EULER", name=name, namespace={})')},
    **{(_N, line): "the synapses' equations name only their own variables, dt and pre/post variables: no namespace "
       "is consulted" for line in (
        'synapses = Synapses(source, target, model=model, on_pre=on_pre, method="euler", name=name, namespace=None)',
        'synapses = Synapses(source, target, model=model, on_pre=on_pre, method="euler", name=name, )')},
})

#: Mutations that are equivalent by construction, recognised from the changed line pair.
EQUIVALENT_PATTERNS = [
    (re.compile(r'float\("NAN"\)'), 'float("NAN") is float("nan")'),
]

#: The unnoticed bugs of issue 17, planted by hand: (name, file, original, planted, tests that must fail).
PLANTED = [
    ("burst ISI link < instead of <=", "neurodyn/analysis/bursting.py", "(trains.gaps <= threshold",
     "(trains.gaps < threshold", ["tests/test_analysis_bursting.py"]),
    ("burst threshold x 1.5", "neurodyn/analysis/bursting.py", "(trains.gaps <= threshold[trains.neuron[:-1]])",
     "(trains.gaps <= 1.5 * threshold[trains.neuron[:-1]])", ["tests/test_analysis_bursting.py"]),
    ("logISI threshold x 1.5", "neurodyn/analysis/bursting.py", "threshold[bimodal] = 10 ** middle[bimodal]",
     "threshold[bimodal] = 1.5 * 10 ** middle[bimodal]", ["tests/test_analysis_bursting.py"]),
    ("oscillation cutoff 3x", "neurodyn/analysis/oscillations.py", "min_peak_ratio: float = 5.0",
     "min_peak_ratio: float = 3.0", ["tests/test_analysis_oscillations.py"]),
    ("voltage labels misaligned", "neurodyn/results.py", '"neuron": np.repeat(self.neurons, n_t),',
     '"neuron": np.tile(self.neurons, n_t),', ["tests/test_results_voltage.py"]),
    ("failed points finished", "neurodyn/studies/store.py", "for key, status in self.status(keys).items() if status in DONE}",
     "for key, status in self.status(keys).items()}", ["tests/test_study_rerun.py"]),
    ("free rate x 1.05", "neurodyn/theory/meanfield.py", "return np.where(above, 1.0 / np.log(safe / (safe - 1.0)), 0.0)",
     "return np.where(above, 1.05 / np.log(safe / (safe - 1.0)), 0.0)",
     ["tests/test_inhibitory_network.py::test_global_coupling_matches_mean_field_in_the_asynchronous_regime"]),
    ("sparse_mean_field raises", "neurodyn/theory/meanfield.py", "    if K < 1:",
     "    raise RuntimeError('planted')\n    if K < 1:", ["tests/test_theory_meanfield.py"]),
    ("CLI Hz for tau_m = 10 ms", "neurodyn/models/inhibitory.py",
     'global_mean_field(v["g"], excitabilities=self.excitabilities(), tau_m=v["tau_m"])',
     'global_mean_field(v["g"], excitabilities=self.excitabilities(), tau_m=0.01)',
     ["tests/test_results_voltage.py"]),
    ("README mean-field number", "README.md", "R = 0.2369, n_A = 0.526 at g = 1", "R = 0.2370, n_A = 0.526 at g = 1",
     ["tests/test_theory_meanfield.py"]),
    ("TimeStepWarning one frame too far", "neurodyn/parameters.py", "frame, level = sys._getframe(), 1",
     "frame, level = sys._getframe(), 2", ["tests/test_parameter_checks.py"]),
    ("delay one step too long", "neurodyn/models/inhibitory.py", 'delay=v["tau_d"], name="inhibition"',
     'delay=v["tau_d"] + v["dt"], name="inhibition"', ["tests/test_inhibitory_synapses.py"]),
    ("sparse kick g/N", "neurodyn/models/inhibitory.py",
     'kick = (v["alpha"] if alpha_pulse else v["g"]) / self.in_degree',
     'kick = v["alpha"] / self.in_degree if alpha_pulse else v["g"] / v["N"]', ["tests/test_inhibitory_synapses.py"]),
]


def run_planted(workdir: Path) -> int:
    """Plant each bug of PLANTED in a scratch copy, run its tests, report which test fails."""
    missed = 0
    for name, path, original, planted, tests in PLANTED:
        copy = workdir / "planted"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns("__pycache__", ".git", ".venv", "mutants"))
        source = (copy / path).read_text()
        if original not in source:
            print(f"{name}: original text not found in {path} (update PLANTED)")
            missed += 1
            continue
        (copy / path).write_text(source.replace(original, planted, 1))
        done = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-W", "ignore",
                               *tests], cwd=copy, capture_output=True, text=True,
                              env={**__import__("os").environ, "PYTHONPATH": str(copy)})
        failed = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("FAILED")]
        missed += not failed
        print(f"{name}: {'caught by ' + failed[0] if failed else 'NOT CAUGHT'}")
    return missed


STATUS_LINE = re.compile(r"^\s*(\S+): (\w[\w ]*)$")


def scratch_copy(module: str, tests: list[str], workdir: Path) -> Path:
    """A copy of the package, tests, benchmarks, data (the shipped networks) and README with a [mutmut]
    section for ``module``."""
    copy = workdir / module.replace("/", "_").removesuffix(".py")
    shutil.rmtree(copy, ignore_errors=True)
    copy.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("neurodyn", "tests", "benchmarks", "data"):
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    shutil.copy(ROOT / "README.md", copy / "README.md")
    selection = "\n    ".join(tests)
    (copy / "setup.cfg").write_text(f"""[tool:pytest]
testpaths = tests

[mutmut]
source_paths = neurodyn
only_mutate = neurodyn/{module}
pytest_add_cli_args_test_selection =
    {selection}
pytest_add_cli_args = -p no:cacheprovider -W ignore -q
do_not_mutate_patterns = ^\\s*raise\\b
use_git_change_detection = false
also_copy =
    README.md
    benchmarks
    data
""")
    return copy


def mutmut(copy: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "mutmut", *args], cwd=copy, capture_output=True, text=True)
    return done.stdout + done.stderr


_DIFFS = """
import json, sys
from mutmut.mutation.diff_apply import find_mutant, get_diff_for_mutant
print(json.dumps({name: get_diff_for_mutant(name, path=find_mutant(name).path) for name in sys.argv[1:]}))
"""


def changed_lines(copy: Path, mutants: list[str]) -> dict[str, tuple[str, str]]:
    """(original, mutated) line of each mutant's diff (what ``mutmut show`` prints), in one process."""
    if not mutants:
        return {}
    done = subprocess.run([sys.executable, "-c", _DIFFS, *mutants], cwd=copy, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"reading the mutants' diffs failed:\n{done.stderr[-3000:]}")
    lines = {}
    for name, diff in json.loads(done.stdout.splitlines()[-1]).items():
        diff = diff.splitlines()
        old = [line[1:].strip() for line in diff if line.startswith("-") and not line.startswith("---")]
        new = [line[1:].strip() for line in diff if line.startswith("+") and not line.startswith("+++")]
        lines[name] = " / ".join(old), " / ".join(new)
    return lines


def equivalence(module: str, old: str, new: str) -> str | None:
    if (module, new) in EQUIVALENT:
        return EQUIVALENT[(module, new)]
    if old.startswith("with np.errstate(") and new.startswith("with np.errstate("):
        return "numpy's floating-point warning settings: the values are the same"
    for pattern, reason in EQUIVALENT_PATTERNS:
        if pattern.search(new) and not pattern.search(old):
            return reason
    return None


def function_of(mutant: str) -> str:
    """``neurodyn.theory.stability.xǁNetworkǁstate__mutmut_3`` -> ``Network.state``."""
    name = mutant.rsplit(".", 1)[1].rsplit("__mutmut_", 1)[0]
    return name[2:].replace("ǁ", ".") if name.startswith("xǁ") else name.removeprefix("x_")


def run_module(module: str, workdir: Path, rerun: bool = True, functions: list[str] | None = None) -> dict:
    """Mutate ``module`` (``functions``: only the mutants of these functions, e.g. ``critical_coupling``
    or ``Network.state``) and classify the results."""
    copy = workdir / module.replace("/", "_").removesuffix(".py")
    prefix = "neurodyn." + module.removesuffix(".py").replace("/", ".")
    globs = [f"{prefix}.x{'ǁ' + name.replace('.', 'ǁ') if '.' in name else '_' + name}__mutmut_*"
             for name in functions or []]
    if rerun or not copy.is_dir():
        copy = scratch_copy(module, MODULES[module], workdir)
        log = mutmut(copy, "run", "--max-children", "1", *globs)
        if "Failed to run clean test" in log or "failed to collect stats" in log:
            raise SystemExit(f"{module}: the clean tests fail in the scratch copy\n{log[-3000:]}")
    statuses = {}
    for line in mutmut(copy, "results", "--all", "true").splitlines():
        match = STATUS_LINE.match(line)
        if match and (not functions or function_of(match[1]) in functions):
            statuses[match[1]] = match[2]
    counts = {status: list(statuses.values()).count(status) for status in set(statuses.values())}
    survivors, equivalent = [], []
    left = sorted(name for name, status in statuses.items() if status in ("survived", "no tests", "suspicious"))
    diffs = changed_lines(copy, left)
    for name in left:
        status = statuses[name]
        old, new = diffs[name]
        reason = equivalence(module, old, new)
        (equivalent if reason else survivors).append((name, old, new, reason or status))
    untested = counts.get("no tests", 0)
    considered = len(statuses) - len(equivalent) - counts.get("skipped", 0)
    killed = sum(counts.get(status, 0) for status in ("killed", "timeout", "segfault", "caught by type check"))
    return {"module": module, "total": len(statuses), "killed": killed, "survived": considered - killed,
            "equivalent": equivalent, "untested": untested, "survivors": survivors,
            "score": killed / considered if considered else float("nan"), "counts": counts,
            "functions": functions}


def report(outcome: dict) -> None:
    module = outcome["module"]
    only = f" (functions {', '.join(outcome['functions'])} only)" if outcome["functions"] else ""
    print(f"\n== neurodyn/{module}{only}: {outcome['killed']} killed, {outcome['survived']} survived, "
          f"{len(outcome['equivalent'])} equivalent ({outcome['untested']} of the survivors reached by no test), "
          f"of {outcome['total']} -> score {outcome['score']:.1%}  (statuses {outcome['counts']})")
    for name, old, new, status in outcome["survivors"]:
        print(f"  {status} {name}\n      - {old}\n      + {new}")
    for name, old, new, reason in outcome["equivalent"]:
        print(f"  equivalent {name}: {reason}\n      + {new}")
    by_function = {}
    for name, *_ in outcome["survivors"]:
        by_function[function_of(name)] = by_function.get(function_of(name), 0) + 1
    print("  survivors by function: " + (", ".join(f"{f} {n}" for f, n in sorted(by_function.items(),
                                                                                key=lambda item: -item[1])) or "none"))
    functions = f" --functions {' '.join(outcome['functions'])}" if outcome["functions"] else ""
    print(f"  rerun: python tools/mutation.py {module}{functions}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", help="modules under neurodyn/ (default: all of MODULES)")
    parser.add_argument("--list", action="store_true", help="print the modules and their tests")
    parser.add_argument("--planted", action="store_true", help="plant the bugs of issue 17 by hand instead")
    parser.add_argument("--workdir", type=Path, default=None, help="scratch directory (default: a temporary one)")
    parser.add_argument("--functions", nargs="+", default=None,
                        help="with one module: mutate (or report) only these functions, e.g. Network.state")
    parser.add_argument("--report-only", action="store_true",
                        help="classify and print the results already in --workdir without running mutmut")
    args = parser.parse_args(argv)
    if args.list:
        for module, tests in MODULES.items():
            print(f"{module}: {' '.join(tests)}")
        return 0
    if args.planted:
        return run_planted(args.workdir or Path(tempfile.mkdtemp(prefix="neurodyn-planted-")))
    if args.functions and len(args.modules) != 1:
        parser.error("--functions needs exactly one module")
    unknown = [module for module in args.modules if module not in MODULES]
    if unknown:
        parser.error(f"unknown modules {unknown}; choose from {', '.join(MODULES)}")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="neurodyn-mutation-"))
    outcomes = []
    for module in args.modules or MODULES:
        outcomes.append(run_module(module, workdir, rerun=not args.report_only, functions=args.functions))
        report(outcomes[-1])
        sys.stdout.flush()
    killed = sum(o["killed"] for o in outcomes)
    considered = sum(o["killed"] + o["survived"] for o in outcomes)
    print(f"\nTOTAL: {killed} of {considered} non-equivalent mutants killed = {killed / considered:.1%} "
          f"(goal >= 85 %); command: python tools/mutation.py {' '.join(args.modules)}".rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())

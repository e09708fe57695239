"""Grid construction, point labels and seeds against their documented definitions (no simulation)."""
import hashlib
import json

import numpy as np
import pytest
from brian2 import ms, second

from neurodyn import InhibitoryNetwork, ParameterError
from neurodyn.studies import Study, StudyError, points, product, zipped
from neurodyn.studies.grid import Grid, derive_seed, stable_digest


def test_product_zipped_points_and_sums():
    grid = product(g=[1, 2, 3], I_u=[1.2, 1.5])
    assert grid.entries[:3] == ({"g": 1, "I_u": 1.2}, {"g": 1, "I_u": 1.5}, {"g": 2, "I_u": 1.2})  # first slowest
    assert grid.axes == ("g", "I_u") and len(grid) == 6 and len(grid.repeat(3)) == 18
    walked = zipped(g=[1, 2], I_u=[1.2, 1.5])
    assert walked.entries == ({"g": 1, "I_u": 1.2}, {"g": 2, "I_u": 1.5}) and walked.axes == ("g", "I_u")
    listed = points([{"g": 1}, {"g": 2, "tau_d": "2ms"}])
    assert listed.axes == ("g", "tau_d") and len(listed) == 2
    both = product(g=[1]) + points([{"I_u": 1.4}, {"g": 3, "alpha": 2}])
    assert both.entries == ({"g": 1}, {"I_u": 1.4}, {"g": 3, "alpha": 2}) and both.axes == ("g", "I_u", "alpha")
    assert (product(g=[1]).repeat(2) + product(g=[2]).repeat(2)).repeats == 2
    with pytest.raises(StudyError, match="different repeats"):
        product(g=[1]).repeat(2) + product(g=[2])
    # a scalar or a string is one value, not a sequence of values
    assert product(g=2.0, pulse="delta").entries == ({"g": 2.0, "pulse": "delta"},)


@pytest.mark.parametrize("n, ok", [(1, True), (2, True), (2.0, True), (0, False), (1.5, False), (-1, False)])
def test_repeat_counts(n, ok):
    grid = product(g=[1.0, 2.0])
    if ok:
        repeated = grid.repeat(n)
        assert repeated.repeats == int(n) and repeated.axes == ("g",) and repeated.entries == grid.entries
    else:
        with pytest.raises(StudyError, match="repeats must be a positive integer"):
            grid.repeat(n)


def test_point_label_formats_floats_compactly():
    point = study_points(product(g=[2.5], tau_d=["2ms"]))[0]
    assert point.label(["g", "tau_d", "K"]) == "g=2.5 tau_d=2ms"
    assert study_points(product(g=[1.0]))[0].label(["g"]) == "g=1"
    assert study_points(product(N=[20]))[0].label(["N"]) == "N=20"


def study_points(grid, **changes):
    return Study("s", InhibitoryNetwork, grid, duration=0.2 * second, fixed=dict(N=20), target="numpy",
                 **changes).points()


def test_digest_is_sha256_of_sorted_json():
    record = {"b": 2, "a": 1.5, "tau": 2 * ms}
    expected = hashlib.sha256(json.dumps({"a": 1.5, "b": 2, "tau": str(2 * ms)}).encode()).hexdigest()
    assert stable_digest(record) == expected == stable_digest(dict(reversed(list(record.items()))))


def test_seeds_follow_the_documented_derivation():
    """seed = SeedSequence([study_seed, repeat, four 32-bit words of the parameter digest]) mod 2**31,
    the digest taken over the record without its seed; repeats count from 0."""
    found = study_points(product(g=[1.0, 3.0]).repeat(2), seed=5)
    for point in found:
        record = {key: value for key, value in point.record.items() if key != "seed"}
        digest = hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()
        words = [int(digest[8 * k:8 * k + 8], 16) for k in range(4)]
        state = np.random.SeedSequence([5, point.repeat, *words]).generate_state(1)[0]
        assert point.seed == int(state) % 2 ** 31 == derive_seed(5, point.repeat, digest)
        assert point.record["seed"] == point.seed == point.overrides["seed"]
    assert [point.repeat for point in found] == [0, 1, 0, 1]


def test_fixed_values_are_checked_like_grid_values():
    with pytest.raises(StudyError, match="do not put 'seed'"):
        Study("s", InhibitoryNetwork, product(g=[1.0]), duration=0.2 * second, fixed=dict(N=20, seed=3),
              target="numpy").points()
    with pytest.raises(ParameterError, match=r"grid point \(g=-1, I_u=1.5\): g must be >= 0"):
        study_points(points([{"g": -1, "I_u": 1.5}]))
    assert isinstance(product(g=[1]), Grid) and zipped(g=[1]).entries == ({"g": 1},)

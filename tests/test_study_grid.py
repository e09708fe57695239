"""Study grids: validation before anything runs, and seeds derived from the study seed."""
import pytest
from brian2 import ms, second

from neurodyn import InhibitoryNetwork, ParameterError
from neurodyn.studies import Study, StudyError, points, product, zipped


def study_of(grid, **changes):
    return Study("bad", InhibitoryNetwork, grid, duration=0.2 * second, fixed=dict(N=20), target="numpy").replace(
        **changes)


@pytest.mark.parametrize("make_grid, error, message", [
    (lambda: product(gg=[1, 2]), ParameterError, "unknown parameter 'gg' (did you mean 'g'?)"),
    (lambda: product(g=[1, 2], tau_d=[1, 2]), ParameterError, "tau_d needs a unit of s such as ms"),
    (lambda: product(g=[1, 2], tau_d=["2mV"]), ParameterError, "tau_d needs a unit of s such as ms"),
    (lambda: points([{"g": 1}, {"g": -1}]), ParameterError, "grid point (g=-1): g must be >= 0"),
    (lambda: points([{"K": 50}]), ParameterError, "K must be <= N"),
    (lambda: product(g=[]), StudyError, "grid axis 'g' has no values"),
    (lambda: points([]), StudyError, "the grid has no points"),
    (lambda: zipped(g=[1, 2], I_u=[1.5]), StudyError, "zipped axes must have equal lengths"),
    (lambda: product(seed=[1, 2]), StudyError, "do not put 'seed' in the grid"),
    (lambda: points([{"g": 1}, {"g": 2}, {"g": 1.0}]), StudyError, "the grid lists the same point more than once"),
])
def test_bad_grid_fails_before_anything_runs(tmp_path, make_grid, error, message):
    out = tmp_path / "study"
    with pytest.raises(error) as raised:
        study_of(make_grid()).run(out, progress=False)
    assert message in str(raised.value)
    assert not out.exists()


def test_bad_study_settings_fail_with_a_message(tmp_path):
    with pytest.raises(ParameterError, match="duration needs a unit of time"):
        study_of(product(g=[1]), duration=2).run(tmp_path, progress=False)
    with pytest.raises(ParameterError, match="t_start must be a time in"):
        study_of(product(g=[1]), t_start=1 * second).run(tmp_path, progress=False)
    with pytest.raises(ValueError, match="unknown target 'cuda'"):
        study_of(product(g=[1]), target="cuda").run(tmp_path, progress=False)


def test_point_seed_depends_on_parameters_not_on_grid_position():
    seeds = {p.overrides["g"]: p.seed for p in study_of(product(g=[1.0, 2.0])).points()}
    reordered = {p.overrides["g"]: p.seed for p in study_of(product(g=[3.0, 2.0, 1.0])).points()}
    assert seeds == {g: reordered[g] for g in seeds}
    assert seeds[1.0] != seeds[2.0]
    other_study_seed = {p.overrides["g"]: p.seed for p in study_of(product(g=[1.0, 2.0]), seed=1).points()}
    assert other_study_seed[1.0] != seeds[1.0]


def test_repeats_get_distinct_seeds_and_keys():
    study = study_of(product(g=[1.0], tau_d=[1 * ms, "2ms"]).repeat(3))
    tasks = study.tasks()
    assert len(tasks) == 6
    assert len({task.overrides["seed"] for task in tasks}) == 6
    assert len({task.key for task in tasks}) == 6
    assert [task.key for task in tasks] == [task.key for task in study.tasks()]  # stable


def test_run_settings_are_part_of_the_key():
    grid = product(g=[1.0])
    assert study_of(grid).tasks()[0].key != study_of(grid, duration=0.3 * second).tasks()[0].key

"""Parameter studies: a model, a grid, analyses and a target, run resumably.

Declare a :class:`Study` in a script under ``studies/`` and run it with
``python studies/NAME.py [--quick] [--out DIR] [--workers N | --scheduler ADDRESS]``.
Modules: :mod:`~neurodyn.studies.grid` (points and seeds), :mod:`~neurodyn.studies.store`
(one Parquet file per point), :mod:`~neurodyn.studies.execute` (worker processes or Dask),
:mod:`~neurodyn.studies.study`, :mod:`~neurodyn.studies.plots`, :mod:`~neurodyn.studies.cli`.
"""
from neurodyn.studies.grid import Grid, Point, StudyError, points, product, zipped
from neurodyn.studies.store import PointStore
from neurodyn.studies.study import Study

__all__ = ["Grid", "Point", "PointStore", "Study", "StudyError", "points", "product", "zipped"]

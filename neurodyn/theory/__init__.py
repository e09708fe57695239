"""Analytic results for the models: free periods, mean-field rates, active fractions."""
from neurodyn.theory.heterogeneity import fixed_mean_axes, fixed_mean_range
from neurodyn.theory.meanfield import (MeanFieldSolution, free_period, free_rate, global_mean_field,
                                       siegert_rate, sparse_mean_field)

__all__ = ["MeanFieldSolution", "fixed_mean_axes", "fixed_mean_range", "free_period", "free_rate",
           "global_mean_field", "siegert_rate", "sparse_mean_field"]

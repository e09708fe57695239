"""Analytic results for the models: free periods, mean-field rates, active fractions."""
from neurodyn.theory.meanfield import (MeanFieldSolution, free_period, free_rate, global_mean_field,
                                       siegert_rate, sparse_mean_field)

__all__ = ["MeanFieldSolution", "free_period", "free_rate", "global_mean_field", "siegert_rate",
           "sparse_mean_field"]

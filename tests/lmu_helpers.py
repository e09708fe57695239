"""Small random LMUs for the LMU tests."""
import numpy as np

from neurodyn.lmu.weights import LMUWeights


def random_lmu(n_in=2, n_hidden=5, n_out=3, order=4, theta=6.0, discretizer="zoh", dt=2.0, amplitude=1.0,
               seed=0, feedback=True) -> LMUWeights:
    """An LMU whose hidden units are active (positive bias), with encoder feedback from memory and
    hidden units unless ``feedback`` is False."""
    rng = np.random.default_rng(seed)
    scale = 1.0 if feedback else 0.0
    return LMUWeights(order, theta, discretizer,
                      encoder_input=rng.normal(size=n_in), encoder_hidden=scale * 0.3 * rng.normal(size=n_hidden),
                      encoder_memory=scale * 0.3 * rng.normal(size=order),
                      kernel_input=rng.normal(size=(n_hidden, n_in)),
                      kernel_hidden=0.3 * rng.normal(size=(n_hidden, n_hidden)),
                      kernel_memory=rng.normal(size=(n_hidden, order)), bias=rng.uniform(0.5, 2.0, size=n_hidden),
                      readout_weight=rng.normal(size=(n_out, n_hidden)), readout_bias=rng.normal(size=n_out),
                      dt=dt, amplitude=amplitude)


def random_sequences(n_samples=4, steps=12, n_in=2, seed=1) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0.0, 1.0, size=(n_samples, steps, n_in))

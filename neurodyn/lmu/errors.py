"""The named error of the LMU package."""
from neurodyn.convert.layers import ConversionError


class LMUError(ConversionError):
    """An LMU that cannot be built or imported: bad memory order or window, mismatched shapes, bad file."""

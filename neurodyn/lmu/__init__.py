"""Hybrid spiking LMUs (Voelker, Rasmussen & Eliasmith 2020): Legendre memory, quantized hidden units, Brian2."""

"""Figures of runs, sweeps and comparisons, in English or Chinese."""

"""Exploration of the model: sweeps and comparisons of scenarios on common seeds (and the analyses built on them)."""

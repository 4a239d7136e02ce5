"""Exploration of the model: sweeps and comparisons of scenarios on common seeds (and the analyses built on them:
`design` runs many points through the sweep engine; `sensitivity` (Morris, Sobol), `calibration` (ABC-SMC),
`attribution` (Shapley) and the ensemble comparison in `compare`; docs/exploration.md)."""

"""The inputs shipped with the package: `scenarios/` (with `duty_lists/` and `targets.toml`) and `experiments/`.

In a clone these are symbolic links to the folders at the top of the repository (one copy of each file in git);
a wheel or sdist carries the files themselves (package data, pyproject.toml). Read them through
`sim.io.shipped`, never by a path relative to this file.
"""

"""Where the shipped inputs are: the scenarios (with `duty_lists/` and `targets.toml`) and the experiments.

The one answer for every command, the loader and the dashboard. They are package data of `sim.shipped`, read
through `importlib.resources`: inside site-packages for a wheel, and through the symbolic links
`sim/shipped/scenarios -> scenarios/` and `sim/shipped/experiments -> experiments/` in a clone (an editable
install or PYTHONPATH). A clone whose links were checked out as plain files (git on Windows without symlink
support) falls back to the folders at the top of the repository.

`find(name, kind)` lets a command take a shipped file by name from any folder: a path that exists wins, as
always; otherwise `baseline`, `baseline.toml` or `scenarios/baseline.toml` name the shipped file. A name that is
neither is returned unchanged, so the command's own "file not found" line still names what the user typed.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

KINDS = ("scenarios", "experiments")


def folder(kind: str) -> Path:
    """The folder of shipped `scenarios` or `experiments` (a real directory on the file system)."""
    if kind not in KINDS:
        raise ValueError(f"kind: must be one of {KINDS}, got {kind!r}")
    root = resources.files("sim.shipped")
    packaged = Path(str(root)) / kind
    if packaged.is_dir():
        return packaged
    clone = Path(str(root)).resolve().parents[1] / kind  # sim/shipped -> the repository's top level
    return clone if clone.is_dir() else packaged


def scenarios_dir() -> Path:
    """The shipped scenarios (also `duty_lists/` and `targets.toml`)."""
    return folder("scenarios")


def experiments_dir() -> Path:
    """The shipped experiment files (sweeps, sensitivity, calibration)."""
    return folder("experiments")


def names(kind: str) -> list[str]:
    """The shipped files of one kind, by name without `.toml`, sorted."""
    return sorted(p.stem for p in folder(kind).glob("*.toml"))


def shipped_file(name: str, *kinds: str) -> Path | None:
    """The shipped file `name` names (`baseline`, `baseline.toml`, `scenarios/baseline.toml`), looking in
    `kinds` in order (default: scenarios, then experiments); None when none matches. Only plain names and
    `KIND/name` are looked up: nothing above or outside the shipped folders can be reached."""
    parts = Path(name).parts
    if not parts or Path(name).is_absolute() or any(p in ("..", ".") for p in parts):
        return None
    kinds = kinds or KINDS
    if len(parts) >= 2 and parts[0] in KINDS:  # a clone's path, typed in another folder
        kinds, parts = (parts[0],), parts[1:]
    for kind in kinds:
        base = folder(kind)
        for candidate in (base.joinpath(*parts), base.joinpath(*parts[:-1], parts[-1] + ".toml")):
            if candidate.suffix == ".toml" and candidate.is_file():
                return candidate
    return None


def find(name: str, *kinds: str) -> str:
    """`name` itself when such a file exists (relative to the current folder), else the shipped file it names,
    else `name` unchanged (the caller reports it as not found). Suits argparse's `type=`."""
    if not name or Path(name).exists():
        return name
    found = shipped_file(name, *kinds)
    return str(found) if found is not None else name


def scenario_arg(name: str) -> str:
    """argparse type: a scenario file by path, or a shipped scenario by name."""
    return find(name, "scenarios")


def experiment_arg(name: str) -> str:
    """argparse type: an experiment file by path, or a shipped experiment by name."""
    return find(name, "experiments", "scenarios")


def targets_arg(name: str) -> str:
    """argparse type: a targets (or scenario) file by path, or a shipped one by name (`targets`)."""
    return find(name, "scenarios", "experiments")

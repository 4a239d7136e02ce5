"""Read scenario TOML files (with `extends`) into validated Scenario objects. The only I/O of scenarios."""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Any

from sim.core.scenario import Scenario, ScenarioError, make_scenario, overridden, short_repr
from sim.io.duty_list import duty_shares
from sim.io.toml import read_toml

MAX_EXTENDS_DEPTH = 16


def read_fields(path: str | Path, _depth: int = 0) -> dict[str, Any]:
    """The raw fields of a scenario file, with every `extends` parent merged under it (child wins)."""
    path = Path(path)
    if _depth > MAX_EXTENDS_DEPTH:
        raise ScenarioError(f"{path}: field 'extends': chain deeper than {MAX_EXTENDS_DEPTH} files (a cycle?)")
    data = read_toml(path)
    dl = data.get("duty_list_file")
    if isinstance(dl, str) and dl:  # a duty-list file is named relative to the scenario file that names it
        data["duty_list_file"] = str((path.parent / dl).resolve())
        if "duty_shares" in data:
            raise ScenarioError(f"{path}: field 'duty_list_file': give either duty_list_file or duty_shares, not both")
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(f"{path}: field 'extends': must be a file name (a string), got {parent!r}")
    parent_path = extends_file(path, parent)
    merged = read_fields(parent_path, _depth + 1)
    merged.pop("name", None)
    merged.pop("description", None)
    if "duty_shares" in data:  # inline shares in the child replace a parent's duty-list file
        merged.pop("duty_list_file", None)
    merged.update(data)
    return merged


def extends_file(path: Path, parent: str) -> Path:
    """The file `extends = parent` in `path` names: a sibling of `path` if there is one, else the shipped
    scenario of that name (sim/io/shipped.py: a user's file in any folder can extend "baseline.toml")."""
    from sim.io.shipped import shipped_file

    parent_path = (path.parent / parent).resolve()
    if parent_path.is_file():
        return parent_path
    found = shipped_file(parent, "scenarios")
    if found is None:
        raise ScenarioError(f"{path}: field 'extends': file {parent!r} not found (looked for {parent_path} "
                            "and the shipped scenarios)")
    return found.resolve()


def _apply_duty_list(fields: dict[str, Any], explicit: dict[str, Any]) -> None:
    """A non-empty `duty_list_file` sets `duty_shares` from that file (sim/io/duty_list.py); shares given
    explicitly alongside it (in the same overrides) win and clear the file name."""
    if "duty_shares" in explicit and "duty_list_file" not in explicit:
        fields["duty_list_file"] = ""
        return
    name = fields.get("duty_list_file")
    if isinstance(name, str) and name:
        fields["duty_shares"] = duty_shares(name)


def load_scenario(source: str | Path | dict[str, Any] | Scenario | None = None, **overrides: Any) -> Scenario:
    """A Scenario from a TOML path, a dict of fields over the defaults, or a Scenario; keyword overrides win."""
    if not isinstance(source, str | PathLike | dict | Scenario | None):
        raise ScenarioError(f"scenario: must be a TOML file path, a dict of fields or a Scenario, got "
                            f"{type(source).__name__} {short_repr(source)}")
    if isinstance(source, str) and not source:
        raise ScenarioError("scenario: the file path is empty (a scenario TOML file is expected)")
    if isinstance(source, Scenario):
        if not overrides:
            return source
        fields = overridden(source, overrides)
        _apply_duty_list(fields, overrides)
        return make_scenario(fields, "scenario")
    if source is None:
        fields: dict[str, Any] = {}
        where = "scenario"
    elif isinstance(source, dict):
        fields = dict(source)
        where = "scenario"
    else:
        fields = read_fields(source)
        fields.setdefault("name", Path(source).stem)
        where = str(source)
    fields.update(overrides)
    _apply_duty_list(fields, overrides if source is None or not isinstance(source, dict) else {**source, **overrides})
    return make_scenario(fields, where)

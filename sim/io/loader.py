"""Read scenario TOML files (with `extends`) into validated Scenario objects. The only I/O of scenarios.

Every file a scenario names (`extends`, `duty_list_file`) is checked before it is opened (sim/io/safe_read.py):
a regular file of bounded size, else one line naming the field, the name and what the path is. With `confine`
(the dashboard's uploads), names must stay inside one folder (the shipped scenarios/). An error about a field
a parent file set names that parent and the field, and does not quote the parent's value: a message quotes only
the file the user gave.
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path
from typing import Any

from sim.core.scenario import Scenario, ScenarioError, make_scenario, overridden, short_repr
from sim.io.duty_list import duty_shares
from sim.io.safe_read import check_named
from sim.io.toml import read_toml

MAX_EXTENDS_DEPTH = 16
WHAT = {"extends": "scenario TOML file", "duty_list_file": "duty-list TOML file"}


def _named(where: str, key: str, name: str, folder: Path, confine: Path | None) -> Path:
    """The file a field names, relative to `folder`, resolved (symlinks followed) and checked to be a regular
    file of bounded size; with `confine`, it must also be a relative name that stays inside that folder."""
    if confine is not None:
        root = confine.resolve()
        target = (folder / name).resolve() if not Path(name).is_absolute() else None
        if target is None or ".." in Path(name).parts or not target.is_relative_to(root):
            raise ScenarioError(f"{where}: field {key!r}: only the names of shipped scenario files are allowed "
                                f"(like \"baseline.toml\" or \"duty_lists/national_2024.toml\"), not a path")
        check_named(where, key, name, target, WHAT[key], ScenarioError)
        return target
    target = (folder / name).resolve()
    if key == "extends" and not target.exists():  # a user's file in any folder can extend "baseline.toml"
        from sim.io.shipped import shipped_file

        found = shipped_file(name, "scenarios")
        if found is None:
            raise ScenarioError(f"{where}: field 'extends': file {name!r} not found (looked for {target} and the "
                                "shipped scenarios)")
        target = found.resolve()
    check_named(where, key, name, target, WHAT[key], ScenarioError)
    return target


def read_fields(path: str | Path, _depth: int = 0, *, origins: dict[str, str] | None = None,
                confine: Path | None = None) -> dict[str, Any]:
    """The raw fields of a scenario file, with every `extends` parent merged under it (child wins). `origins`,
    if given, is filled with the file each field came from."""
    path = Path(path)
    if _depth > MAX_EXTENDS_DEPTH:
        raise ScenarioError(f"{path}: field 'extends': chain deeper than {MAX_EXTENDS_DEPTH} files (a cycle?)")
    return resolve_fields(read_toml(path), path.parent, str(path), _depth, origins=origins, confine=confine)


def resolve_fields(data: dict[str, Any], folder: Path, where: str, _depth: int = 0, *,
                   origins: dict[str, str] | None = None, confine: Path | None = None) -> dict[str, Any]:
    """The fields of one scenario (a file's, or an upload's, named `where`) with its `extends` parents merged
    under them; `extends` and `duty_list_file` are names relative to `folder`."""
    data = dict(data)
    dl = data.get("duty_list_file")
    if isinstance(dl, str) and dl:  # a duty-list file is named relative to the scenario file that names it
        data["duty_list_file"] = str(_named(where, "duty_list_file", dl, folder, confine))
        if "duty_shares" in data:
            raise ScenarioError(f"{where}: field 'duty_list_file': give either duty_list_file or duty_shares, not both")
    parent = data.pop("extends", None)
    if parent is None:
        if origins is not None:
            origins.update(dict.fromkeys(data, where))
        return data
    if not isinstance(parent, str):
        raise ScenarioError(f"{where}: field 'extends': must be a file name (a string), got {short_repr(parent)}")
    parent_path = _named(where, "extends", parent, folder, confine)
    merged = read_fields(parent_path, _depth + 1, origins=origins, confine=confine)
    merged.pop("name", None)
    merged.pop("description", None)
    if "duty_shares" in data:  # inline shares in the child replace a parent's duty-list file
        merged.pop("duty_list_file", None)
    merged.update(data)
    if origins is not None:
        for k in ("name", "description", "duty_list_file"):
            if k not in merged:
                origins.pop(k, None)
        origins.update(dict.fromkeys(data, where))
    return merged


def blame(err: ScenarioError, where: str, origins: dict[str, str]) -> ScenarioError:
    """An error about the merged fields of `where`, told as it is: a field a parent file set is named with that
    parent, and its value (read from the parent, not from the user's file) is not quoted."""
    msg = str(err)
    m = re.match(re.escape(where) + r": field '([^']+)': (.*)$", msg, re.S)
    if m is None:
        m2 = re.match(re.escape(where) + r": unknown field '([^']+)'", msg)
        key = m2.group(1) if m2 else None
        if key is not None and origins.get(key, where) != where:
            return ScenarioError(f"{where}: field 'extends': {origins[key]} sets an unknown field "
                                 "(allowed fields: docs/scenario.md)")
        return err
    key, detail = m.group(1).split(".")[0], m.group(2)
    source = origins.get(key, where)
    if source == where:
        return err
    detail = re.split(r"\s*\(got |, got ", detail, maxsplit=1)[0]
    return ScenarioError(f"{where}: field {key!r}, set in {source} (through 'extends'): {detail}")


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
    origins: dict[str, str] = {}
    if source is None:
        fields: dict[str, Any] = {}
        where = "scenario"
    elif isinstance(source, dict):
        fields = dict(source)
        where = "scenario"
    else:
        where = str(source)
        fields = read_fields(source, origins=origins)
        origins = {k: where if v == str(Path(source)) else v for k, v in origins.items()}
        fields.setdefault("name", Path(source).stem)
    fields.update(overrides)
    for k in overrides:
        origins.pop(k, None)
    _apply_duty_list(fields, overrides if source is None or not isinstance(source, dict) else {**source, **overrides})
    try:
        return make_scenario(fields, where)
    except ScenarioError as err:
        raise blame(err, where, origins) from None


def fit_days(where: str, fields: dict[str, Any], days: int, *, fixed: dict[str, Any] | None = None,
             key: str = "field 'days'", grid: dict[str, Any] | None = None,
             hint: str = "in the scenario file or the 'set' table", error: type[Exception] = ScenarioError
             ) -> dict[str, Any]:
    """A scenario's fields with a `days` that another file sets (an experiment, a targets or sensitivity file,
    --days), under the one rule of `overridden` (and of `run --days`): a reform day at the middle of the
    scenario's own run (its days // 2, as when it is left out) follows the new length; one set to another day is
    kept, and refused here if the new run does not reach it, with one line naming the file that set `days` and
    what `policy_start_day` must be (never an error about a field the user did not set). `fixed` are fields the
    same file sets (its `set` table); a grid over policy_start_day is checked point by point later."""
    out = dict(fields)
    own = out.get("days", Scenario.model_fields["days"].default)
    psd = out.get("policy_start_day")
    if isinstance(own, int) and isinstance(psd, int) and not isinstance(psd, bool) and psd == own // 2:
        del out["policy_start_day"]
    out["days"] = days
    psd = (fixed or {}).get("policy_start_day", out.get("policy_start_day"))
    if grid is not None and "policy_start_day" in grid:
        return out
    if isinstance(psd, bool) or not isinstance(psd, int) or isinstance(days, bool) or not isinstance(days, int):
        return out  # no reform day set, or a wrong type, reported by the field itself
    if days >= 2 and not 1 <= psd < days:
        raise error(f"{where}: {key}: {days} days end before the scenario's policy_start_day ({psd}); give more "
                    f"than {psd} days, or set policy_start_day between 1 and {days - 1} {hint}")
    return out

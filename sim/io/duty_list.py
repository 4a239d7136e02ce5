"""Duty lists (履职事项清单) as data: read a `scenarios/duty_lists/*.toml` file into the scenario's `duty_shares`.

A duty-list file lists department lines; each line gives, per task kind, its items in three categories
[basic, cooperation, returned] (S2; central staffing office 2025). The model needs, per task kind, the share of
work in each category: the items of that kind summed over all lines, divided by their total. A scenario uses
a file with `duty_list_file = "duty_lists/national_2024.toml"` (a path relative to the scenario file); the
loader turns it into `duty_shares`, and `duty_list = true` switches the list on at `policy_start_day`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.core.scenario import ScenarioError
from sim.io.toml import read_toml

DUTY_KINDS = ("document", "inspection", "form", "campaign", "specialist")
CATEGORIES = ("basic", "cooperation", "returned")


@dataclass(frozen=True)
class DutyList:
    """A duty list: item counts per department line and kind, and the shares the model uses."""

    name: str
    path: str
    lines: dict[str, dict[str, tuple[float, float, float]]] = field(repr=False)

    @property
    def kind_items(self) -> dict[str, tuple[float, float, float]]:
        """Items per kind, summed over lines: kind -> (basic, cooperation, returned)."""
        out: dict[str, list[float]] = {}
        for kinds in self.lines.values():
            for kind, items in kinds.items():
                acc = out.setdefault(kind, [0.0, 0.0, 0.0])
                for i in range(3):
                    acc[i] += items[i]
        return {k: (v[0], v[1], v[2]) for k, v in out.items() if sum(v) > 0}

    @property
    def totals(self) -> tuple[float, float, float]:
        """All items: (basic, cooperation, returned); the national average is 117 : 99 : 124."""
        items = self.kind_items.values()
        return (sum(i[0] for i in items), sum(i[1] for i in items), sum(i[2] for i in items))

    @property
    def shares(self) -> dict[str, list[float]]:
        """`duty_shares` for the scenario: kind -> [basic, cooperation, returned] shares summing to 1."""
        out = {}
        for kind in DUTY_KINDS:
            items = self.kind_items.get(kind)
            if items is None:
                continue
            total = sum(items)
            b, c = items[0] / total, items[1] / total
            out[kind] = [b, c, 1.0 - b - c]
        return out

    def __str__(self) -> str:
        b, c, r = self.totals
        rows = [f"{self.name}: {b + c + r:g} items = {b:g} basic : {c:g} cooperation : {r:g} returned"]
        for kind, s in self.shares.items():
            rows.append(f"  {kind:<10s} basic {s[0]:.3f}  cooperation {s[1]:.3f}  returned {s[2]:.3f}")
        return "\n".join(rows)


def _items(value: Any, where: str) -> tuple[float, float, float]:
    ok = (
        isinstance(value, list)
        and len(value) == 3
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        and all(math.isfinite(v) and v >= 0 for v in value)
    )
    if not ok:
        raise ScenarioError(f"{where}: must be [basic, cooperation, returned], three numbers >= 0 (got {value!r})")
    return (float(value[0]), float(value[1]), float(value[2]))


def load_duty_list(path: str | Path) -> DutyList:
    """Read and check a duty-list file; bad input raises ScenarioError with one line naming file and entry."""
    path = Path(path)
    data = read_toml(path, "duty-list")
    unknown = set(data) - {"name", "description", "source", "lines"}
    if unknown:
        raise ScenarioError(f"{path}: unknown key {sorted(unknown)[0]!r} (allowed: name, description, source, lines)")
    raw_lines = data.get("lines")
    if not isinstance(raw_lines, dict) or not raw_lines:
        raise ScenarioError(f"{path}: needs at least one department line, as a [lines.NAME] table")
    lines: dict[str, dict[str, tuple[float, float, float]]] = {}
    for line, kinds in raw_lines.items():
        if not isinstance(kinds, dict):
            raise ScenarioError(f"{path}: lines.{line}: must be a table of kind = [basic, cooperation, returned]")
        entry = {}
        for kind, value in kinds.items():
            if kind in ("label", "note"):
                continue
            if kind not in DUTY_KINDS:
                raise ScenarioError(f"{path}: lines.{line}.{kind}: unknown kind (allowed: {', '.join(DUTY_KINDS)})")
            entry[kind] = _items(value, f"{path}: lines.{line}.{kind}")
        lines[line] = entry
    dl = DutyList(name=str(data.get("name", path.stem)), path=str(path), lines=lines)
    if not dl.kind_items:
        raise ScenarioError(f"{path}: the list has no items (every count is 0)")
    return dl


def duty_shares(path: str | Path) -> dict[str, list[float]]:
    """The `duty_shares` a duty-list file gives."""
    return load_duty_list(path).shares

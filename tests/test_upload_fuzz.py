"""Fuzzing the dashboard's upload reader (hypothesis): random bytes and random TOML-like scenario files either
load or are refused with one ScenarioError line, never another exception, never a message with the server's
paths, and never a file opened or looked at outside the shipped scenarios/ folder (issue 19)."""

from __future__ import annotations

import datetime
import json
import math
import os
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim.io.safe_read as safe_read
from sim.core.scenario import Scenario, ScenarioError
from sim.dashboard import classroom
from sim.dashboard.classroom import read_scenario_upload

SHIPPED = classroom.SCENARIO_DIR.resolve()
PATHS = ["/etc/passwd", "/etc/shadow", "/proc/self/environ", "/dev/zero", "/dev/stdin", "../../../../etc/passwd",
         "baseline.toml", "duty_lists/national_2024.toml", "duty_lists", ".", "..", "", "../scenarios/baseline.toml",
         "baseline.toml/../../README.md", "nowhere.toml", "targets.toml", "video_conferencing.toml", "//etc/passwd",
         "duty_lists/../baseline.toml", "\x00", "a" * 300]
KEYS = ["extends", "duty_list_file", "name", "description", "days", "policy_start_day", "n_townships", "recovery",
        "meeting_cut", "duty_shares", "video_conferencing", "accountability", "warmup_days"]

scalars = (st.sampled_from(PATHS) | st.text(max_size=20) | st.integers(-10**20, 10**20) | st.booleans()
           | st.floats(allow_nan=True, allow_infinity=True) | st.dates()
           | st.datetimes(timezones=st.none() | st.just(datetime.UTC)))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=3), max_leaves=8)
docs = st.dictionaries(st.sampled_from(KEYS) | st.text(min_size=1, max_size=10), values, max_size=6)


def _toml(v: object) -> str:
    """A value as TOML text (inline tables and arrays; strings JSON-quoted, which TOML reads as basic strings)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml(x)}" for k, x in v.items()) + "}"
    return json.dumps(v)


def _document(fields: dict) -> bytes:
    return "".join(f"{json.dumps(k)} = {_toml(v)}\n" for k, v in fields.items()).encode("utf-8", "surrogatepass")


def _check(data: bytes) -> None:
    seen: list[str] = []
    real_open, real_problem = safe_read._open, safe_read.problem

    def opened(path, *a, **kw):
        seen.append(str(path))
        return real_open(path, *a, **kw)

    def looked(path, *a, **kw):
        seen.append(str(path))
        return real_problem(path, *a, **kw)

    with mock.patch.object(safe_read, "_open", opened), mock.patch.object(safe_read, "problem", looked):
        try:
            out = read_scenario_upload(data, "up.toml")
        except ScenarioError as err:
            msg = str(err)
            assert msg.startswith("up.toml: ") and "\n" not in msg and "\r" not in msg, msg
            assert str(SHIPPED) not in msg and str(os.getpid()) not in msg, msg
        else:
            assert isinstance(out, Scenario)
    for p in seen:
        assert Path(p).resolve().is_relative_to(SHIPPED), p


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(st.binary(max_size=400))
def test_random_bytes_are_a_scenario_or_one_line(data: bytes) -> None:
    _check(data)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(docs)
def test_random_scenario_files_are_a_scenario_or_one_line_and_stay_inside_scenarios(fields: dict) -> None:
    _check(_document(fields))


def test_the_fuzz_reaches_the_shipped_files_and_refuses_the_others() -> None:
    """The strategy is not vacuous: it loads a shipped parent and refuses an outside one."""
    seen: list[str] = []
    real = safe_read._open
    with mock.patch.object(safe_read, "_open", lambda p, *a: seen.append(str(p)) or real(p, *a)):
        assert read_scenario_upload(_document({"extends": "baseline.toml", "name": "x"}), "up.toml").name == "x"
    assert [Path(p).name for p in seen] == ["baseline.toml"]
    try:
        read_scenario_upload(_document({"extends": "/etc/passwd"}), "up.toml")
    except ScenarioError as err:
        assert "only the names of shipped scenario files" in str(err)
    else:
        raise AssertionError("an upload extending /etc/passwd loaded")

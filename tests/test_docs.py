"""The documents stay true to the code: every outcome, column and field is documented."""

from sim import COLUMNS, OUTCOMES
from sim.cli.fields import table

from .conftest import ROOT


def test_every_outcome_and_column_is_documented():
    doc = (ROOT / "docs" / "outcomes.md").read_text(encoding="utf-8")
    for name in OUTCOMES:
        assert f"`{name}`" in doc, name
    kinds = ("document", "inspection", "form", "campaign", "specialist")
    for col in COLUMNS:
        flow = col.rsplit("_", 1)
        if len(flow) == 2 and flow[1] in kinds and flow[0] in ("created", "done", "faked", "returned", "dropped", "pending"):
            assert f"`{flow[0]}_<kind>`" in doc, col
        else:
            assert f"`{col}`" in doc, col


def test_scenario_fields_doc_is_generated_from_the_schema():
    assert (ROOT / "docs" / "scenario.md").read_text(encoding="utf-8") == table()


def test_odd_names_every_mechanism_module():
    doc = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    for module in ("generation.py", "cascade.py", "assignment.py", "timeuse.py", "trace.py", "accountability.py",
                   "burnout.py", "staffing.py", "service.py", "patrol.py"):
        assert module in doc, module
        assert (ROOT / "sim" / "core" / "mechanisms" / module).is_file(), module


def _documents() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]}


def test_docs_name_commands_in_one_form():
    """A clone types `./grassroots COMMAND`, a pip install `grassroots COMMAND`; no `python -m sim` or bare `sim X`."""
    import re

    bare = re.compile(r"(?<![\w/.-])sim (run|compare|sweep|plot|dashboard|fields|report|check-targets|sensitivity|"
                      r"calibrate|attribute)\b")
    for name, text in _documents().items():
        assert "python -m sim" not in text, name
        assert not bare.search(text), (name, bare.search(text))


def test_every_documented_command_exists_and_answers_help(capsys):
    """Every `./grassroots X` and `grassroots X` in the README and docs/ is a command whose --help works."""
    import re

    import pytest

    from sim.cli import main

    found = set()
    for text in _documents().values():
        # in code: `./grassroots X` anywhere, `grassroots X` after a backquote, a prompt or at a line's start
        found |= set(re.findall(r"(?:\./|`|^|\$ )grassroots ([a-z][a-z-]*)", text, flags=re.MULTILINE))
    found.discard("test")  # ./grassroots test runs pytest (the bash script), not a model command
    found.discard("sim")  # "grassroots-sim", the distribution's name
    assert {"run", "dashboard", "sensitivity", "calibrate", "check-targets", "report"} <= found, found
    for command in sorted(found):
        with pytest.raises(SystemExit) as done:
            main([command, "--help"])
        assert done.value.code == 0, command
        assert "usage:" in capsys.readouterr().out, command

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

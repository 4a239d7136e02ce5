import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SMALL = {"n_townships": 3, "days": 240, "policy_start_day": 120, "warmup_days": 30}


@pytest.fixture
def small() -> dict:
    """A small county for fast tests (3 townships, 240 days, reform day 120)."""
    return dict(SMALL)

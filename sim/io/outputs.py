"""Writing results safely: files go to a temporary folder first and move into place only when complete."""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def json_safe(obj: Any) -> Any:
    """NaN and infinities become null (JSON has no NaN)."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    return obj


def write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(json_safe(obj), indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")


@contextmanager
def staged_dir(out: Path, last: str | None = None) -> Iterator[Path]:
    """Yield a staging folder beside `out`; on success move its files into `out` (the file named `last` last,
    so its presence means the rest is there); on failure leave `out` as it was."""
    out.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    try:
        yield stage
        names = sorted(p.name for p in stage.iterdir())
        if last in names:
            names.remove(last)
            names.append(last)
        for name in names:
            target = out / name
            if target.is_dir():
                shutil.rmtree(target)
            os.replace(stage / name, target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)

"""Mesa's DataCollector, served from the daily record: a row for every day run, with nothing collected.

`mesa.batch_run`, SolaraViz's plots and a Mesa user's `get_model_vars_dataframe()` read a model's
`datacollector`: `_collection_steps` (the times collected) and `model_vars` (reporter name -> one value per
collection). GrassrootsModel already keeps one row per day (`Recorder`), so copying it into a DataCollector
every day would hold everything twice and cost time on every step. `RecordCollector` is a DataCollector whose
`_collection_steps` and `model_vars` are views onto the record: day d (d = 1 .. days run) is the collection
at step/time d, its values the published record of that day (`sim.COLUMNS` but `day`) and the run summary over
days 0 .. d-1 (`sim.core.record.summary_names()`). Record columns are read when indexed; the summary of a day is
computed the first time it is asked for and kept (the default `data_collection_period=-1` asks for the last
day only).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
from mesa import Model
from mesa.datacollection import DataCollector

from sim.core.record import COLUMNS, summarise, summary_names

RECORD_NAMES = tuple(name for name in COLUMNS if name != "day")


class _Column(Sequence):
    """One reporter's values, one per day run, read from the model on demand (a read-only list)."""

    def __init__(self, n: int, value: Callable[[int], float]) -> None:
        self._n, self._value = n, value

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self._value(j) for j in range(*i.indices(self._n))]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(i)
        return self._value(i)


class RecordCollector(DataCollector):
    """A DataCollector whose model data are the daily record of `model` (see the module docstring).

    `collect()` has nothing to do (the record already holds the day); agent data are not collected (the
    agents are views onto the arrays; read `model.agents` directly)."""

    def __init__(self, model: Model) -> None:
        """`model` is a GrassrootsModel (its `recorder` and `params` are read; no import: the model imports this)."""
        self._model = model
        self._summaries: dict[int, dict[str, Any]] = {}
        self._view: tuple[int, dict[str, _Column]] = (-1, {})
        super().__init__()
        names = (*RECORD_NAMES, *summary_names())
        self.model_reporters = dict.fromkeys(names, "the daily record")  # names, for code that lists them
        self._validated = True

    # the base class assigns these in its __init__: they are views here, so only an empty start is accepted
    @property
    def model_vars(self) -> dict[str, _Column]:  # type: ignore[override]
        """Reporter name -> its value on each day run (day 1 first), read from the record when indexed."""
        n = self._model.recorder.days_done
        if self._view[0] != n:
            record = self._model.recorder.data
            cols: dict[str, _Column] = {}
            for name in RECORD_NAMES:
                idx = COLUMNS.index(name)
                cols[name] = _Column(n, lambda i, idx=idx: float(record[i, idx]))
            for name in summary_names():
                cols[name] = _Column(n, lambda i, name=name: float(self.summary(i + 1)[name]))
            self._view = (n, cols)
        return self._view[1]

    @model_vars.setter
    def model_vars(self, value: dict) -> None:
        if value:
            raise AttributeError("model_vars is the model's daily record and cannot be set")

    @property
    def _collection_steps(self) -> list[float]:  # type: ignore[override]
        """The step (= day run, = `model.time`) of each collection: 1.0, 2.0, ... up to the days run."""
        return [float(d) for d in range(1, self._model.recorder.days_done + 1)]

    @_collection_steps.setter
    def _collection_steps(self, value: list) -> None:
        if value:
            raise AttributeError("_collection_steps are the days of the model's record and cannot be set")

    def summary(self, days: int) -> dict[str, Any]:
        """The run summary over the first `days` days (as `model.summary()` on that day), computed once."""
        if days not in self._summaries:
            p = self._model.params
            self._summaries[days] = summarise(self._model.recorder.data[:days], days, p.policy_start_day, 0)
        return self._summaries[days]

    def collect(self, model: Any = None) -> None:
        """Nothing to copy: every day run is already in the record."""

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """One row per day run (index 0 = day 1, as Mesa's), the record's columns then the summary so far."""
        n = self._model.recorder.days_done
        frame = self._model.recorder.frame(n).drop(columns="day")
        summaries = pd.DataFrame([self.summary(d) for d in range(1, n + 1)], columns=summary_names(), dtype=float)
        return pd.concat([frame, summaries], axis=1)

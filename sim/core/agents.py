"""Mesa agents: departments (task sources) and cadres. They hold no state of their own: each attribute reads
the county's arrays, so the arrays stay the one source of truth and the daily step stays vectorised."""

from __future__ import annotations

import mesa


class Department(mesa.Agent):
    """A county line department (条线部门): sends documents, meetings, inspections, forms and campaigns."""

    def __init__(self, model: mesa.Model, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def holders(self) -> int:
        """Township cadres holding this department's post across the county."""
        return int(self.model.county.holds[self.index].sum())


class Cadre(mesa.Agent):
    """A cadre slot: a row of the county arrays."""

    def __init__(self, model: mesa.Model, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def exhaustion(self) -> float:
        return float(self.model.county.exhaustion[self.index])

    @property
    def burned_out(self) -> bool:
        return self.exhaustion > self.model.params.burnout_threshold

    @property
    def at_work(self) -> bool:
        c = self.model.county
        return bool(c.active[self.index] and not c.sick[self.index])

    @property
    def vacant(self) -> bool:
        return not bool(self.model.county.filled[self.index])

    @property
    def backlog_tasks(self) -> float:
        c = self.model.county
        return float(c.fresh_n[:, self.index].sum() + c.late_n[:, self.index].sum())

    @property
    def overdue_tasks(self) -> float:
        return float(self.model.county.late_n[:, self.index].sum())


class TownshipCadre(Cadre):
    """A township (乡镇) cadre holding 2-3 posts, each tied to a department."""

    @property
    def township(self) -> int:
        return self.index % self.model.county.n_townships  # slot-major layout (county.py)

    @property
    def posts(self) -> list[int]:
        return [int(d) for d in self.model.county.holds[:, self.index].nonzero()[0]]


class VillageCadre(Cadre):
    """A village (村) cadre, doubling as a grid worker."""

    @property
    def village(self) -> int:
        c = self.model.county
        return (self.index - c.n_township_cadres) % c.n_villages  # slot-major layout (county.py)

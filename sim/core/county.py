"""The county: who sits where (townships, villages, cadre slots, posts) and the arrays that hold their state.

One row per cadre slot, township slots first, then village slots; per-kind arrays are kind-major (kind, cadre)
so that sums over kinds are row additions (MODEL.md, "Architecture and speed").

Within each level the slots are slot-major: township cadre k of township t sits at `k * T + t`, village cadre k
of village v at `Nt + k * V + v`. A sum over a unit's cadres is then a sum over the first axis of a (slots,
units) view, which numpy adds slot after slot in a fixed order; and the extra-staff slots (k >= the base count)
are the last rows of each level, so the base cadres keep their places and the county's sums over them run in
the same order whether extra slots exist or not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from sim.core.jit import kernel
from sim.core.scenario import Scenario

N_BACKLOG = 5
REAL = np.float32  # dtype of the (kind, cadre) stocks and the daily allocation: half the memory traffic of float64


@dataclass
class County:
    """Structure (fixed at set-up) and state (changed by the daily step) of one county."""

    # structure
    n_departments: int
    n_townships: int
    t_slots: int  # cadre slots per township (base + extra)
    v_slots: int  # cadre slots per village (base + extra)
    n_villages: int
    town_of_village: np.ndarray  # (V,)
    households: np.ndarray  # (V,)
    grids: np.ndarray  # (V,) grids per village
    holds: np.ndarray  # (D, Nt) 1 where a township cadre holds a department's post
    extra: np.ndarray  # (N,) True for slots that only the extra_staff lever fills
    seconded_pick: np.ndarray  # (N,) True for township cadres borrowed upward unless banned
    resilience: np.ndarray  # (N,) individual multiplier on exhaustion gain
    secretary: np.ndarray  # (N,) assignment weight within a village (secretary heavier)
    secretary_form: np.ndarray  # (N,) assignment weight of forms within a village
    # state
    filled: np.ndarray  # (N,) a person sits in the slot (not vacant, and for extra slots: hired)
    seconded: np.ndarray  # (N,)
    vacancy_timer: np.ndarray  # (N,) day a vacant slot is filled again (0: not vacant)
    exhaustion: np.ndarray  # (N,)
    severe_days: np.ndarray  # (N,)
    sick: np.ndarray  # (N,)
    stock: np.ndarray  # (2, 2, 5, N) pending upper tasks: [count, hours] x [late (past deadline), fresh] x kind x cadre
    fake_stock: np.ndarray  # (N,) faked completions not yet found
    fake_hours: np.ndarray  # (N,) the work those faked tasks needed (hours), for their rework once found
    stress: np.ndarray  # (N,) accountability stress, decaying
    queue: np.ndarray  # (give-up age + 1, V) service requests waiting, by age in days (row = age)
    petitions: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (V,) complaint tasks due tomorrow
    post_share: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (D, Nt) who does a department's work
    active: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # (N,) filled and not seconded
    uncovered: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (D,) townships with nobody on a line
    line_empty: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (D, T) 1 where a township has nobody on a line
    draw_order: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # (N,) slots unit by unit

    @property
    def n_base_township(self) -> int:
        """Township slots filled in the baseline (the first rows of the township level)."""
        return int((~self.extra[: self.n_township_cadres]).sum())

    @property
    def n_base_village(self) -> int:
        """Village slots filled in the baseline (the first rows of the village level)."""
        return int((~self.extra[self.n_township_cadres :]).sum())

    def per_village(self, a: np.ndarray) -> np.ndarray:
        """(..., V) from (..., village cadres): sum over each village's slots, slot after slot."""
        return a.reshape(*a.shape[:-1], self.v_slots, self.n_villages).sum(-2)

    def per_township(self, a: np.ndarray) -> np.ndarray:
        """(..., T) from (..., township cadres): sum over each township's slots, slot after slot."""
        return a.reshape(*a.shape[:-1], self.t_slots, self.n_townships).sum(-2)

    def to_village_cadres(self, a: np.ndarray) -> np.ndarray:
        """(..., V) per village -> (..., village cadres): every slot of a village gets the village's value."""
        return np.tile(a, self.v_slots)

    def unit_of(self, i: int) -> np.ndarray:
        """The slots of cadre i's unit (its township's or its village's cadres), in slot order."""
        Nt = self.n_township_cadres
        if i < Nt:
            return np.arange(i % self.n_townships, Nt, self.n_townships)
        return np.arange(Nt + (i - Nt) % self.n_villages, self.n_cadres, self.n_villages)

    @property
    def stock_n(self) -> np.ndarray:
        """(2, 5, N) pending tasks: [0] late, [1] fresh."""
        return self.stock[0]

    @property
    def stock_h(self) -> np.ndarray:
        """(2, 5, N) hours of work they need."""
        return self.stock[1]

    @property
    def late_n(self) -> np.ndarray:
        return self.stock_n[0]

    @property
    def late_h(self) -> np.ndarray:
        return self.stock_h[0]

    @property
    def fresh_n(self) -> np.ndarray:
        return self.stock_n[1]

    @property
    def fresh_h(self) -> np.ndarray:
        return self.stock_h[1]

    @property
    def n_township_cadres(self) -> int:
        return self.n_townships * self.t_slots

    @property
    def n_cadres(self) -> int:
        return self.n_township_cadres + self.n_villages * self.v_slots

    def at_work(self) -> np.ndarray:
        """(N,) 1.0 for the cadres at work today (in post and not off sick), 0.0 for the others."""
        out = np.empty(len(self.active))
        _at_work(self.active, self.sick, out)
        return out

    def refresh_active(self) -> None:
        """Recompute `active` (filled and not seconded) after staffing changes."""
        self.active = self.filled & ~self.seconded


@kernel
def _at_work(active, sick, out) -> None:
    """`(active & ~sick).astype(float)`."""
    for i in range(len(out)):
        out[i] = 1.0 if active[i] and not sick[i] else 0.0


def build_county(s: Scenario, rng: np.random.Generator, rng_extra: np.random.Generator) -> County:
    """Lay out the county. Draws from `rng` never depend on lever values (so reform runs match the baseline
    before the reform day); extra-staff slots draw from `rng_extra`."""
    T, D = s.n_townships, s.n_departments
    st_base, sv_base = s.township_cadres, s.village_cadres
    st, sv = st_base + s.extra_staff, sv_base + s.extra_staff
    V = T * s.villages_per_township
    Nt, Nv = T * st, V * sv
    N = Nt + Nv

    extra = np.zeros(N, bool)
    extra[:Nt] = np.repeat(np.arange(st) >= st_base, T)  # slot-major: extra slots are each level's last rows
    extra[Nt:] = np.repeat(np.arange(sv) >= sv_base, V)
    base = ~extra
    n_base = int(base.sum())
    # Random numbers go to cadres unit by unit (township by township, village by village), whatever the layout
    draw_order = np.concatenate([np.arange(Nt).reshape(st, T).T.ravel(), Nt + np.arange(Nv).reshape(sv, V).T.ravel()])

    households = np.maximum(1, np.round(s.households_per_village * (1 + s.households_spread * rng.uniform(-1, 1, V))))
    grids = np.maximum(1.0, np.round(households / s.grid_households))

    # posts: each township cadre holds posts_min..posts_max department lines; every line has a holder
    holds = np.zeros((D, Nt))
    for t in range(T):
        n_posts = rng.integers(s.posts_min, s.posts_max + 1, st_base)
        order = np.concatenate([rng.permutation(D) for _ in range(int(np.ceil(n_posts.sum() / D)) + 1)])
        pos = 0
        for c in range(st_base):
            holds[order[pos : pos + n_posts[c]], c * T + t] = 1.0
            pos += n_posts[c]
        uncovered = np.flatnonzero(holds[:, t : st_base * T : T].sum(1) == 0)
        for d in uncovered:
            holds[d, rng.integers(st_base) * T + t] = 1.0
        for c in range(st_base, st):  # an extra hire takes two posts of the busiest lines
            holds[rng_extra.choice(D, min(2, D), replace=False), c * T + t] = 1.0

    u = np.empty((2, N))
    in_draw_order = np.empty((2, N))
    in_draw_order[:, base[draw_order]] = rng.random((2, n_base))
    in_draw_order[:, extra[draw_order]] = rng_extra.random((2, N - n_base))
    u[:, draw_order] = in_draw_order
    resilience = 1 + s.resilience_spread * (2 * u[0] - 1)
    seconded_pick = np.zeros(N, bool)
    seconded_pick[:Nt] = base[:Nt] & (u[1, :Nt] < s.secondment_share)
    secretary = np.ones(N)
    secretary[Nt : Nt + V] = s.secretary_weight  # slot 0 of each village: the secretary takes more (S2)
    secretary_form = np.ones(N)
    secretary_form[Nt : Nt + V] = s.secretary_form_weight  # and keeps the village's reports (S2: 10-20 forms a day)

    c = County(
        n_departments=D,
        n_townships=T,
        t_slots=st,
        v_slots=sv,
        n_villages=V,
        town_of_village=np.repeat(np.arange(T), s.villages_per_township),
        households=households,
        grids=grids,
        holds=holds,
        extra=extra,
        seconded_pick=seconded_pick,
        resilience=resilience,
        secretary=secretary,
        secretary_form=secretary_form,
        filled=base.copy(),
        seconded=seconded_pick.copy(),
        vacancy_timer=np.zeros(N),
        exhaustion=np.zeros(N),
        severe_days=np.zeros(N),
        sick=np.zeros(N, bool),
        stock=np.zeros((2, 2, N_BACKLOG, N), REAL),
        fake_stock=np.zeros(N),
        fake_hours=np.zeros(N),
        stress=np.zeros(N),
        queue=np.zeros((s.request_give_up_days + 1, V)),  # ages 0..give-up: allocated once (service.py)
        petitions=np.zeros(V),
        draw_order=draw_order,
    )
    c.refresh_active()
    update_post_share(c)
    return c


def update_post_share(c: County, towns: np.ndarray | None = None) -> None:
    """Split each department's township work over the active holders of its post; a line whose holders are
    all away falls to the township's other active cadres (MODEL.md mechanism 3). One compiled pass
    (`_post_shares`) doing what `post_shares` does step by step. `towns`: only these townships' cadres came or
    went (a province loses a few cadres a day: their townships are worked out again, not all 1,200). The rule
    that keeps the shares right: whatever changes who is in post (`filled`, `seconded`) calls this, with the
    townships touched or with none (all)."""
    D, Nt = c.holds.shape
    T = c.n_townships
    if towns is None or c.post_share.shape != (D, Nt) or c.line_empty.shape != (D, T):
        c.post_share, c.uncovered, c.line_empty = np.empty((D, Nt)), np.empty(D), np.zeros((D, T))
        towns = np.arange(T)
    _post_shares(c.holds, c.active, T, c.t_slots, np.asarray(towns, np.int64), c.post_share, c.line_empty, c.uncovered)


def post_shares(holds: np.ndarray, active: np.ndarray, n_townships: int, t_slots: int) -> tuple[np.ndarray, np.ndarray]:
    """(D, Nt) share of each department's township work per township cadre, and (D,) townships where the line
    has nobody at all: the step-by-step definition of `update_post_share`."""
    Nt = holds.shape[1]
    act = active[:Nt].astype(float)
    h = holds * act

    def per_township(a: np.ndarray) -> np.ndarray:
        return a.reshape(a.shape[0], t_slots, n_townships).sum(-2)

    per_town = per_township(h)  # (D, T) active holders
    fallback = np.tile((per_town == 0).astype(float), t_slots) * act  # (D, Nt)
    w = h + fallback
    tot = per_township(w)
    return w / np.tile(np.where(tot > 0, tot, 1.0), t_slots), (tot == 0).sum(1).astype(float)


@kernel
def _post_shares(holds, active, n_townships, t_slots, towns, post_share, line_empty, uncovered) -> None:
    """`post_shares` one department and township at a time, for the townships `towns`; `line_empty` (D, T)
    keeps which township has nobody on a line, and `uncovered` counts them. Every value is a whole number of 0/1
    posts until the last division, so each sum is exact in any order."""
    D = holds.shape[0]
    for d in range(D):
        for t in towns:
            holders = 0.0
            for s in range(t_slots):
                i = s * n_townships + t
                holders += holds[d, i] * (1.0 if active[i] else 0.0)
            fallback = 1.0 if holders == 0 else 0.0
            total = 0.0
            for s in range(t_slots):
                i = s * n_townships + t
                act = 1.0 if active[i] else 0.0
                w = holds[d, i] * act + fallback * act
                post_share[d, i] = w
                total += w
            line_empty[d, t] = 1.0 if total == 0 else 0.0
            for s in range(t_slots):
                post_share[d, s * n_townships + t] /= total if total > 0 else 1.0
        nobody = 0.0
        for t in range(n_townships):
            nobody += line_empty[d, t]
        uncovered[d] = nobody


def hierarchy(c: County) -> nx.Graph:
    """The hierarchy as a graph: county -> departments, county -> townships -> villages -> cadres; posts link
    township cadres to departments. Node attribute `kind`; cadre nodes carry `cadre` (their row)."""
    g = nx.Graph()
    g.add_node("county", kind="county")
    for d in range(c.n_departments):
        g.add_node(f"D{d}", kind="department", index=d)
        g.add_edge("county", f"D{d}", kind="line")
    Nt = c.n_township_cadres
    for t in range(c.n_townships):
        g.add_node(f"T{t}", kind="township", index=t)
        g.add_edge("county", f"T{t}", kind="admin")
        for k in range(c.t_slots):
            i = k * c.n_townships + t
            g.add_node(f"C{i}", kind="township_cadre", cadre=i, township=t)
            g.add_edge(f"T{t}", f"C{i}", kind="member")
            for d in np.flatnonzero(c.holds[:, i]):
                g.add_edge(f"C{i}", f"D{d}", kind="post")
    for v in range(c.n_villages):
        t = int(c.town_of_village[v])
        g.add_node(f"V{v}", kind="village", index=v, township=t)
        g.add_edge(f"T{t}", f"V{v}", kind="admin")
        for k in range(c.v_slots):
            i = Nt + k * c.n_villages + v
            g.add_node(f"C{i}", kind="village_cadre", cadre=i, village=v)
            g.add_edge(f"V{v}", f"C{i}", kind="member")
    return g

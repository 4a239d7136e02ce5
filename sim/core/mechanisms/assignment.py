"""Mechanism 3, assignment by post: township work goes to the holders of the department's post (see
`county.update_post_share`); village work goes to the village's cadres at work, the least loaded first and
the secretary more.

Village cadres are laid out slot-major (`county.py`): a village's cadres are a column of a (slots, V) view."""

from __future__ import annotations

import numpy as np

from sim.core.jit import kernel
from sim.core.levers import FORM


def village_shares(load_hours: np.ndarray, at_work: np.ndarray, secretary: np.ndarray, v_slots: int,
                   load_aversion: float = 0.125) -> np.ndarray:
    """Each village cadre's share of the village's new tasks, as (slots, V): columns sum to 1, or 0 if nobody.
    A cadre's weight is her role's (`secretary`: the secretary heavier) over 1 + `load_aversion` x hours pending."""
    w = (at_work * secretary / (1.0 + load_hours * load_aversion)).reshape(v_slots, -1)
    tot = w.sum(0)  # slot after slot: a fixed order
    w /= np.where(tot > 0, tot, 1.0)
    return w


def assign_to_village_cadres(village_n: np.ndarray, shares: np.ndarray, out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Split (5, V) village arrivals over cadres by (slots, V) shares: (5, slots * V) per cadre (written into
    `out` if given), and (5,) dropped where nobody works."""
    k, (slots, V) = village_n.shape[0], shares.shape
    per_cadre = np.empty((k, slots * V)) if out is None else out
    np.multiply(village_n[:, None, :], shares, out=per_cadre.reshape(k, slots, V))
    nobody = ~shares.any(0)
    dropped = village_n[:, nobody].sum(1) if nobody.any() else np.zeros(k)
    return per_cadre, dropped


def township_tasks(per_dept: np.ndarray, post_share: np.ndarray) -> np.ndarray:
    """(k, D) tasks per department -> (k, Nt) per township cadre, by `post_share` (D, Nt): summed department
    after department (a fixed order, not a BLAS product), in one compiled pass."""
    out = np.empty((per_dept.shape[0], post_share.shape[1]))
    _township_tasks(np.ascontiguousarray(per_dept, dtype=np.float64), post_share, out)
    return out


@kernel
def _township_tasks(per_dept, post_share, out) -> None:
    """`township_tasks`: for each kind and cadre, the departments' tasks times her share, added in turn."""
    k, D = per_dept.shape
    n = post_share.shape[1]
    for j in range(k):
        for i in range(n):
            out[j, i] = per_dept[j, 0] * post_share[0, i]
        for d in range(1, D):
            pd = per_dept[j, d]
            for i in range(n):
                out[j, i] += pd * post_share[d, i]


def assign_day(stock: np.ndarray, township_n: np.ndarray, township_h: np.ndarray, village_n: np.ndarray,
               work: np.ndarray, secretary: np.ndarray, secretary_form: np.ndarray | None, v_slots: int,
               load_aversion: float, effort_village: np.ndarray) -> np.ndarray:
    """Step 3 for every cadre in one compiled pass: township tasks (5, Nt) go to the post holders as they
    arrive; a village's tasks (5, V) go to its cadres at work by `village_shares` (forms by `secretary_form`
    when it differs from `secretary`, None otherwise), as counts and hours (x `effort_village` (5,)); all join
    the fresh stocks of `stock` (2, 2, 5, N) in place. Returns the tasks (5,) dropped in villages with nobody
    at work."""
    dropped = np.zeros(village_n.shape[0])
    form = secretary if secretary_form is None else secretary_form
    _assign_day(stock, township_n, township_h, village_n, work, secretary, form, secretary_form is not None,
                v_slots, np.float32(load_aversion), effort_village, dropped)
    return dropped


@kernel
def _assign_day(stock, township_n, township_h, village_n, work, secretary, secretary_form, by_form, v_slots,
                load_aversion, effort_village, dropped) -> None:
    """`assign_day` in the dtypes and order of `village_shares` and `assign_to_village_cadres`: a cadre's load
    is her ten stocks of hours added in turn (float32), shares are float64, each village's cadres summed slot
    after slot."""
    _, _, k, n = stock.shape
    nt = township_n.shape[1]
    V = village_n.shape[1]
    one = np.float32(1.0)
    nv = n - nt
    # (loops index views of the village slots from 0, so that numba needs no check for negative indices)
    load = stock[1, 0, 0, nt:].copy()  # hours pending per village cadre: her ten stocks added in turn
    for late_fresh in range(2):
        for j in range(k):
            if late_fresh or j:
                h = stock[1, late_fresh, j, nt:]
                for i in range(nv):
                    load[i] += h[i]
    w = np.empty(nv)
    w_form = np.empty(nv)
    v_work, v_secretary, v_form = work[nt:], secretary[nt:], secretary_form[nt:]
    for i in range(nv):
        damp = one + load[i] * load_aversion
        w[i] = v_work[i] * v_secretary[i] / damp
        w_form[i] = v_work[i] * v_form[i] / damp
    w_sv, w_form_sv = w.reshape(v_slots, V), w_form.reshape(v_slots, V)  # (slots, V) views
    tot = w[:V].copy()
    tot_form = w_form[:V].copy()
    for s in range(1, v_slots):
        for v in range(V):
            tot[v] += w_sv[s, v]
            tot_form[v] += w_form_sv[s, v]
    nobody = np.zeros(V, np.bool_)
    for v in range(V):
        any_share = False
        for s in range(v_slots):
            w_sv[s, v] /= tot[v] if tot[v] > 0 else 1.0
            w_form_sv[s, v] /= tot_form[v] if tot_form[v] > 0 else 1.0
            any_share = any_share or w_sv[s, v] != 0.0
        nobody[v] = not any_share
    for j in range(k):
        n_fresh, h_fresh = stock[0, 1, j], stock[1, 1, j]
        for i in range(nt):
            n_fresh[i] += np.float32(township_n[j, i])
            h_fresh[i] += np.float32(township_h[j, i])
        shares = w_form_sv if by_form and j == FORM else w_sv
        effort = effort_village[j]
        arriving = village_n[j]
        v_n, v_h = n_fresh[nt:].reshape(v_slots, V), h_fresh[nt:].reshape(v_slots, V)
        for s in range(v_slots):
            for v in range(V):
                count = np.float32(arriving[v] * shares[s, v])
                v_n[s, v] += count
                v_h[s, v] += count * effort
    for j in range(k):  # village after village (numpy's order for the (kinds, villages) gather it replaced)
        lost = 0.0
        first = True
        for v in range(V):
            if nobody[v]:
                lost = village_n[j, v] if first else lost + village_n[j, v]
                first = False
        dropped[j] = lost

"""Mechanism 3, assignment by post: township work goes to the holders of the department's post (see
`county.update_post_share`); village work goes to the village's cadres at work, the least loaded first and
the secretary more."""

from __future__ import annotations

import numpy as np


def village_shares(load_hours: np.ndarray, at_work: np.ndarray, secretary: np.ndarray, v_slots: int) -> np.ndarray:
    """Each village cadre's share of the village's new tasks, as (V, slots): rows sum to 1, or 0 if nobody."""
    w = (at_work * secretary / (1.0 + load_hours * 0.125)).reshape(-1, v_slots)
    tot = w @ np.ones(v_slots)
    w /= np.where(tot > 0, tot, 1.0)[:, None]
    return w


def assign_to_village_cadres(village_n: np.ndarray, shares: np.ndarray, out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Split (5, V) village arrivals over cadres by (V, slots) shares: (5, Nv) per cadre (written into `out`
    if given), and (5,) dropped where nobody works."""
    k, slots = village_n.shape[0], shares.shape[1]
    per_cadre = np.multiply(np.repeat(village_n, slots, axis=1), shares.ravel(), out=out)
    nobody = shares[:, 0] == 0  # quick screen: only a village whose first slot has no share can be empty...
    if nobody.any():
        nobody &= (shares @ np.ones(slots)) == 0  # ...so check whole rows only there
    dropped = village_n[:, nobody].sum(1) if nobody.any() else np.zeros(k)
    return per_cadre, dropped

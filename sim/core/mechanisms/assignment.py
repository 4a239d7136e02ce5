"""Mechanism 3, assignment by post: township work goes to the holders of the department's post (see
`county.update_post_share`); village work goes to the village's cadres at work, the least loaded first and
the secretary more.

Village cadres are laid out slot-major (`county.py`): a village's cadres are a column of a (slots, V) view."""

from __future__ import annotations

import numpy as np


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
    after department (a fixed order, not a BLAS product)."""
    return (per_dept[:, :, None] * post_share).sum(1)

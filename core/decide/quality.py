"""The quality-control sample: automatic decisions drawn at random for a human review.

Auditors only ever see the Audit Humain queue, so without this nobody would learn how often
the automatic decisions are wrong. At scoring time, a share (``monitor.qc_share``, 2 % by
default) of each zone of automatic decisions — Rejet Auto and Validation Auto, separately — is
drawn by simple random sampling without replacement (at least one claim when the zone is not
empty and the share is not zero). Each zone's sampling rate is then known exactly, which is
what lets the error rate among automatic decisions be estimated without bias from the reviews
of the sample (:mod:`core.monitor.realised`).
"""

from __future__ import annotations

import math
import secrets

import numpy as np

from core.decide.costs import REJECT, VALIDATE

AUTOMATIC = (REJECT, VALIDATE)


def draw_quality_sample(
    decisions: np.ndarray, share: float, seed: int | None = None
) -> tuple[np.ndarray, int]:
    """(mask of the claims drawn, the seed used) for these final decisions."""
    seed = secrets.randbits(63) if seed is None else seed
    rng = np.random.default_rng(seed)
    codes = np.asarray(decisions)
    drawn = np.zeros(codes.size, dtype=bool)
    if share <= 0:
        return drawn, seed
    for zone in AUTOMATIC:
        members = np.flatnonzero(codes == zone)
        if members.size:
            size = min(members.size, max(1, math.ceil(share * members.size)))
            drawn[rng.choice(members, size=size, replace=False)] = True
    return drawn, seed

"""Cost model of the three-way decision and what one threshold pair costs (DESIGN.md, "Cost model").

For one claim with probability ``p`` of being justified, requested amount ``a`` and, when
known, label ``y`` (1 = justified), the three decisions cost

============  ==================================  ===================================
decision      expected cost (from ``p``)           realised cost (from ``y``)
============  ==================================  ===================================
validate (1)  ``(1 - p) * Cwv(a)``                 ``(1 - y) * Cwv(a)``
reject (-1)   ``p * Cwr(a)``                       ``y * Cwr(a)``
audit (0)     ``c + e * (p*Cwr(a) + (1-p)*Cwv(a))``  ``c + e * (y*Cwr(a) + (1-y)*Cwv(a))``
============  ==================================  ===================================

with ``Cwv(a) = wrongful_validation_fixed + wrongful_validation_factor * a`` (money paid on an
unjustified claim), ``Cwr(a) = wrongful_rejection_fixed + wrongful_rejection_factor * a``,
``c`` the audit cost and ``e`` the auditor error rate (an auditor who errs turns the audit
into the wrong automatic decision). Every cost is linear in ``q`` (``p`` or ``y``) and in
``q * a``, so the cost of a whole zone of claims follows from four sums
(:meth:`CostModel.zone_costs`); this is what makes the cost surface cheap.

Net gain of a policy = cost of auditing every claim - cost of the policy.

The same costs, read as Yao's (2010) decision-theoretic losses, give the Bayes-optimal
thresholds for calibrated probabilities (:func:`closed_form_per_claim`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from core.config.settings import CostConfig
from core.exceptions import WorkbenchError

REJECT, AUDIT, VALIDATE = -1, 0, 1
CODES = (REJECT, AUDIT, VALIDATE)


@dataclass(frozen=True)
class CostModel:
    """Costs in the bank's currency; build it with :meth:`from_config`."""

    audit_cost: float = 150.0
    wrongful_validation_factor: float = 1.0
    wrongful_validation_fixed: float = 0.0
    wrongful_rejection_fixed: float = 500.0
    wrongful_rejection_factor: float = 0.0
    auditor_error_rate: float = 0.0
    fallback_amount: float = 2000.0
    currency: str = "DH"

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name != "currency" and not (np.isfinite(value) and value >= 0):
                raise ValueError(f"{f.name} must be a finite number >= 0 (got {value})")
        if not self.auditor_error_rate < 0.5:
            raise ValueError("auditor_error_rate must be in [0, 0.5)")

    @classmethod
    def from_config(cls, cfg: CostConfig) -> CostModel:
        """The cost model of ``cfg.costs`` (a :class:`core.config.CostConfig`)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in dataclasses.asdict(cfg).items() if k in names})

    @property
    def depends_on_amount(self) -> bool:
        """True when some cost scales with the claim amount."""
        return self.wrongful_validation_factor > 0 or self.wrongful_rejection_factor > 0

    def wrongful_validation(self, amount: ArrayLike) -> np.ndarray:
        """``Cwv(a)``: cost of auto-validating an unjustified claim of amount ``a``."""
        a = np.asarray(amount, dtype=float)
        return self.wrongful_validation_fixed + self.wrongful_validation_factor * a

    def wrongful_rejection(self, amount: ArrayLike) -> np.ndarray:
        """``Cwr(a)``: cost of auto-rejecting a justified claim of amount ``a``."""
        a = np.asarray(amount, dtype=float)
        return self.wrongful_rejection_fixed + self.wrongful_rejection_factor * a

    def validation(self, amount: ArrayLike, q: ArrayLike) -> np.ndarray:
        """Cost of validating: ``(1 - q) * Cwv(a)``, ``q`` = probability or 0/1 label."""
        return (1.0 - np.asarray(q, dtype=float)) * self.wrongful_validation(amount)

    def rejection(self, amount: ArrayLike, q: ArrayLike) -> np.ndarray:
        """Cost of rejecting: ``q * Cwr(a)``."""
        return np.asarray(q, dtype=float) * self.wrongful_rejection(amount)

    def audit(self, amount: ArrayLike, q: ArrayLike) -> np.ndarray:
        """Cost of auditing: ``c + e * (q * Cwr(a) + (1 - q) * Cwv(a))``."""
        wrong = self.rejection(amount, q) + self.validation(amount, q)
        return self.audit_cost + self.auditor_error_rate * wrong

    def zone_costs(
        self, count: ArrayLike, sum_a: ArrayLike, sum_q: ArrayLike, sum_qa: ArrayLike
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Total (reject, audit, validate) cost of a zone from its sums of 1, a, q and q*a.

        Sum over the zone of ``q * Cwr(a)`` is ``Fr * sum_q + kr * sum_qa``; of
        ``(1 - q) * Cwv(a)`` it is ``Fv * (count - sum_q) + kv * (sum_a - sum_qa)``.
        Works elementwise on arrays of zones.
        """
        count, sum_a, sum_q, sum_qa = (
            np.asarray(x, dtype=float) for x in (count, sum_a, sum_q, sum_qa)
        )
        reject = self.wrongful_rejection_fixed * sum_q + self.wrongful_rejection_factor * sum_qa
        validate = self.wrongful_validation_fixed * (count - sum_q) + (
            self.wrongful_validation_factor * (sum_a - sum_qa)
        )
        audit = self.audit_cost * count + self.auditor_error_rate * (reject + validate)
        return reject, audit, validate

    def resolve_amounts(self, amount: ArrayLike | None, n: int) -> tuple[np.ndarray, int]:
        """Amounts as floats, with ``fallback_amount`` where missing; also how many fell back.

        ``amount=None`` (a profile without an amount column) falls back for every claim.
        """
        if amount is None:
            return np.full(n, self.fallback_amount, dtype=float), n
        a = np.asarray(amount, dtype=float).ravel()
        if a.shape != (n,):
            raise WorkbenchError(f"Got {a.size} amounts for {n} claims.")
        missing = np.isnan(a)
        if np.any(np.isinf(a)) or np.any(a[~missing] < 0):
            raise WorkbenchError("Amounts must be finite and >= 0.")
        n_missing = int(missing.sum())
        if n_missing:
            a = np.where(missing, self.fallback_amount, a)
        return a, n_missing


def as_cost_model(costs: CostModel | CostConfig) -> CostModel:
    """Accept either the configuration (``cfg.costs``) or a ready :class:`CostModel`."""
    return costs if isinstance(costs, CostModel) else CostModel.from_config(costs)


def yao_losses(costs: CostModel, amount: ArrayLike) -> dict[str, np.ndarray]:
    """Yao's six losses ``l_XY`` (action X: P validate, B audit, N reject; state Y: P
    justified, N unjustified) at each amount. An auditor errs with rate ``e``, so an audit
    of a justified claim risks a wrongful rejection and vice versa.
    """
    a = np.asarray(amount, dtype=float)
    cwv, cwr = costs.wrongful_validation(a), costs.wrongful_rejection(a)
    e, c = costs.auditor_error_rate, costs.audit_cost
    zero = np.zeros_like(cwv)
    return {
        "l_PP": zero,
        "l_PN": cwv,
        "l_BP": c + e * cwr,
        "l_BN": c + e * cwv,
        "l_NP": cwr,
        "l_NN": zero,
    }


@dataclass(frozen=True)
class ClosedFormThresholds:
    """Per-claim Yao thresholds: validate when p >= alpha, reject when p <= beta."""

    alpha: np.ndarray
    beta: np.ndarray
    gamma: np.ndarray
    low: np.ndarray
    high: np.ndarray
    three_way: np.ndarray


def closed_form_per_claim(
    costs: CostModel, amount: ArrayLike | None = None
) -> ClosedFormThresholds:
    """Bayes-optimal thresholds per claim for calibrated p (Yao 2010).

    Losses (state justified P / unjustified N; action validate P, audit B, reject N):
    lambda_PP = lambda_NN = 0, lambda_PN = Cwv(a), lambda_NP = Cwr(a),
    lambda_BP = c + e*Cwr(a), lambda_BN = c + e*Cwv(a). Then
    alpha = (l_PN - l_BN) / ((l_PN - l_BN) + (l_BP - l_PP)),
    beta = (l_BN - l_NN) / ((l_BN - l_NN) + (l_NP - l_BP)),
    gamma = (l_PN - l_NN) / ((l_PN - l_NN) + (l_NP - l_PP)).
    If alpha > beta: (low, high) = (beta, alpha); else auditing never pays and
    low = high = gamma. Degenerate signs are clipped to the decision they imply.
    """
    a = np.atleast_1d(np.asarray(costs.fallback_amount if amount is None else amount, float))
    lam = yao_losses(costs, a)  # l_PP = l_NN = 0 below
    l_pn, l_np, l_bp, l_bn = lam["l_PN"], lam["l_NP"], lam["l_BP"], lam["l_BN"]
    num_a, gap_b = l_pn - l_bn, l_np - l_bp
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(num_a > 0, num_a / (num_a + l_bp), 0.0)  # <= 0: validate beats audit
        beta = np.where(gap_b > 0, l_bn / (l_bn + gap_b), 1.0)  # <= 0: reject beats audit
        gamma = np.where(l_pn + l_np > 0, l_pn / (l_pn + l_np), 0.5)
    three_way = alpha > beta
    return ClosedFormThresholds(
        alpha=alpha,
        beta=beta,
        gamma=gamma,
        low=np.where(three_way, beta, gamma),
        high=np.where(three_way, alpha, gamma),
        three_way=three_way,
    )


class ZoneTotals(NamedTuple):
    """Totals over the claims of one decision zone (input to :func:`assemble_evaluation`).

    ``errors``: expected wrongful decisions (sum of p over rejections, of 1-p over
    validations, 0 for audits); ``error_value``: expected amount wrongly paid (validations)
    or cost of wrongful rejections (rejections). ``realised_*`` and ``justified`` are None
    without labels.
    """

    count: int
    amount: float
    expected_cost: float
    expected_audit_cost: float
    errors: float
    error_value: float
    realised_cost: float | None = None
    realised_audit_cost: float | None = None
    realised_error_value: float | None = None
    justified: int | None = None


@dataclass(frozen=True)
class Evaluation:
    """Outcome of one threshold pair on one set of claims.

    Dicts are keyed by decision code (-1 Rejet Auto, 0 Audit Humain, 1 Validation Auto).
    ``realised_*`` fields are None when the claims carry no labels. ``realised_confusion``
    gives, per zone, how many claims were ``justified`` / ``unjustified``.
    """

    low: float
    high: float
    n: int
    counts: dict[int, int]
    shares: dict[int, float]
    amounts: dict[int, float]
    automation_rate: float
    expected_cost: float
    expected_cost_audit_all: float
    expected_net_gain: float
    expected_wrongful_validations: float
    expected_wrongful_validation_amount: float
    expected_wrongful_rejections: float
    expected_wrongful_rejection_cost: float
    amount_fallback: bool
    n_amount_fallback: int = 0
    realised_cost: float | None = None
    realised_cost_audit_all: float | None = None
    realised_net_gain: float | None = None
    realised_confusion: dict[int, dict[str, int]] | None = None
    realised_wrongful_validation_amount: float | None = None
    realised_wrongful_rejection_cost: float | None = None

    @property
    def has_labels(self) -> bool:
        return self.realised_confusion is not None

    @property
    def realised_wrongful_validations(self) -> int | None:
        """Unjustified claims that were auto-validated (None without labels)."""
        return (
            None if self.realised_confusion is None else self.realised_confusion[1]["unjustified"]
        )

    @property
    def realised_wrongful_rejections(self) -> int | None:
        """Justified claims that were auto-rejected (None without labels)."""
        return None if self.realised_confusion is None else self.realised_confusion[-1]["justified"]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (decision codes become string keys)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            out[f.name] = (
                {str(k): v for k, v in value.items()} if isinstance(value, dict) else value
            )
        out["realised_wrongful_validations"] = self.realised_wrongful_validations
        out["realised_wrongful_rejections"] = self.realised_wrongful_rejections
        return out


def assemble_evaluation(
    low: float, high: float, zones: dict[int, ZoneTotals], *, n_amount_fallback: int
) -> Evaluation:
    """Build an :class:`Evaluation` from the totals of the three zones."""
    n = sum(z.count for z in zones.values())
    counts = {c: int(zones[c].count) for c in CODES}
    expected = float(sum(zones[c].expected_cost for c in CODES))
    audit_all = float(sum(zones[c].expected_audit_cost for c in CODES))
    labelled = all(z.justified is not None for z in zones.values())
    realised: dict[str, Any] = {}
    if labelled:
        cost = float(sum(zones[c].realised_cost for c in CODES))
        r_audit_all = float(sum(zones[c].realised_audit_cost for c in CODES))
        realised = {
            "realised_cost": cost,
            "realised_cost_audit_all": r_audit_all,
            "realised_net_gain": r_audit_all - cost,
            "realised_confusion": {
                c: {
                    "justified": int(zones[c].justified),
                    "unjustified": int(zones[c].count - zones[c].justified),
                }
                for c in CODES
            },
            "realised_wrongful_validation_amount": float(zones[VALIDATE].realised_error_value),
            "realised_wrongful_rejection_cost": float(zones[REJECT].realised_error_value),
        }
    return Evaluation(
        low=float(low),
        high=float(high),
        n=int(n),
        counts=counts,
        shares={c: (counts[c] / n if n else 0.0) for c in CODES},
        amounts={c: float(zones[c].amount) for c in CODES},
        automation_rate=(counts[REJECT] + counts[VALIDATE]) / n if n else 0.0,
        expected_cost=expected,
        expected_cost_audit_all=audit_all,
        expected_net_gain=audit_all - expected,
        expected_wrongful_validations=float(zones[VALIDATE].errors),
        expected_wrongful_validation_amount=float(zones[VALIDATE].error_value),
        expected_wrongful_rejections=float(zones[REJECT].errors),
        expected_wrongful_rejection_cost=float(zones[REJECT].error_value),
        amount_fallback=n_amount_fallback > 0,
        n_amount_fallback=int(n_amount_fallback),
        **realised,
    )

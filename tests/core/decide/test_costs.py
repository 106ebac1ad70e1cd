"""Cost model: config mapping, per-claim costs, zone sums, amounts, Yao closed form."""

from __future__ import annotations

import numpy as np
import pytest

from core.config.settings import CostConfig
from core.decide.costs import CostModel, closed_form_per_claim, yao_losses
from core.exceptions import WorkbenchError


def test_from_config_copies_every_cost():
    cfg = CostConfig(
        audit_cost=90,
        wrongful_validation_factor=0.8,
        wrongful_validation_fixed=10,
        wrongful_rejection_fixed=300,
        wrongful_rejection_factor=0.2,
        auditor_error_rate=0.03,
        fallback_amount=1500,
        currency="EUR",
    )
    model = CostModel.from_config(cfg)
    assert model == CostModel(90, 0.8, 10, 300, 0.2, 0.03, 1500, "EUR")


@pytest.mark.parametrize(
    "kwargs", [{"audit_cost": -1}, {"auditor_error_rate": 0.5}, {"fallback_amount": np.inf}]
)
def test_bad_costs_are_refused(kwargs):
    with pytest.raises(ValueError):
        CostModel(**kwargs)


def test_per_claim_costs_follow_the_formulas():
    m = CostModel(
        audit_cost=100,
        wrongful_validation_factor=1.0,
        wrongful_validation_fixed=20,
        wrongful_rejection_fixed=500,
        wrongful_rejection_factor=0.1,
        auditor_error_rate=0.1,
    )
    a, p = np.array([1000.0, 3000.0]), np.array([0.2, 0.9])
    np.testing.assert_allclose(m.wrongful_validation(a), [1020, 3020])
    np.testing.assert_allclose(m.wrongful_rejection(a), [600, 800])
    np.testing.assert_allclose(m.validation(a, p), [0.8 * 1020, 0.1 * 3020])
    np.testing.assert_allclose(m.rejection(a, p), [0.2 * 600, 0.9 * 800])
    wrong = np.array([0.2 * 600 + 0.8 * 1020, 0.9 * 800 + 0.1 * 3020])
    expected_audit = 100 + 0.1 * wrong
    np.testing.assert_allclose(m.audit(a, p), expected_audit)


def test_auditor_error_rate_increases_audit_cost():
    a, p = np.array([500.0, 2000.0, 9000.0]), np.array([0.1, 0.5, 0.95])
    exact = CostModel(auditor_error_rate=0.0).audit(a, p)
    fallible = CostModel(auditor_error_rate=0.05).audit(a, p)
    assert np.all(exact == 150.0)
    assert np.all(fallible > exact)


def test_zone_costs_equal_sums_of_claim_costs():
    rng = np.random.default_rng(1)
    m = CostModel(
        wrongful_validation_fixed=15, wrongful_rejection_factor=0.3, auditor_error_rate=0.2
    )
    a, q = rng.lognormal(7, 1, 500), rng.random(500)
    reject, audit, validate = m.zone_costs(a.size, a.sum(), q.sum(), (q * a).sum())
    assert reject == pytest.approx(m.rejection(a, q).sum())
    assert audit == pytest.approx(m.audit(a, q).sum())
    assert validate == pytest.approx(m.validation(a, q).sum())


def test_resolve_amounts_falls_back():
    m = CostModel(fallback_amount=1234.0)
    a, n_fallback = m.resolve_amounts(None, 3)
    assert n_fallback == 3 and np.all(a == 1234.0)
    a, n_fallback = m.resolve_amounts([10.0, np.nan, 30.0], 3)
    assert n_fallback == 1 and a.tolist() == [10.0, 1234.0, 30.0]
    with pytest.raises(WorkbenchError):
        m.resolve_amounts([-1.0, 2.0, 3.0], 3)
    with pytest.raises(WorkbenchError):
        m.resolve_amounts([1.0, 2.0], 3)


# ----------------------------------------------------------------- closed form (Yao 2010)


def test_closed_form_default_costs_by_hand():
    # c = 150, Cwv = a = 2000, Cwr = 500, e = 0:
    # alpha = (2000 - 150) / (1850 + 150) = 0.925; beta = 150 / (150 + 500 - 150) = 0.3;
    # gamma = 2000 / 2500 = 0.8.
    cf = closed_form_per_claim(CostModel(), 2000.0)
    assert cf.alpha[0] == pytest.approx(0.925)
    assert cf.beta[0] == pytest.approx(0.3)
    assert cf.gamma[0] == pytest.approx(0.8)
    assert cf.three_way[0] and (cf.low[0], cf.high[0]) == (cf.beta[0], cf.alpha[0])


def test_closed_form_with_auditor_errors_by_hand():
    # e = 0.1: l_BP = 150 + 0.1 * 500 = 200, l_BN = 150 + 0.1 * 2000 = 350;
    # alpha = (2000 - 350) / (1650 + 200) = 1650 / 1850; beta = 350 / (350 + 500 - 200) = 350 / 650.
    m = CostModel(auditor_error_rate=0.1)
    cf = closed_form_per_claim(m, 2000.0)
    assert cf.alpha[0] == pytest.approx(1650 / 1850)
    assert cf.beta[0] == pytest.approx(350 / 650)
    losses = yao_losses(m, 2000.0)
    assert float(losses["l_BP"]) == 200 and float(losses["l_BN"]) == 350


def test_closed_form_collapses_when_audit_is_too_dear():
    # c = 1000 > Cwr = 500: rejecting always beats auditing (beta = 1 >= alpha = 0.5),
    # so the decision is two-way at gamma = 2000 / 2500.
    cf = closed_form_per_claim(CostModel(audit_cost=1000.0), 2000.0)
    assert not cf.three_way[0]
    assert cf.low[0] == cf.high[0] == pytest.approx(0.8)


def test_closed_form_thresholds_at_each_threshold_are_cost_indifferent():
    m = CostModel(wrongful_rejection_factor=0.2, auditor_error_rate=0.05)
    a = np.array([300.0, 2000.0, 15000.0])
    cf = closed_form_per_claim(m, a)
    # At p = alpha validating costs as much as auditing; at p = beta rejecting as much.
    np.testing.assert_allclose(m.validation(a, cf.alpha), m.audit(a, cf.alpha))
    np.testing.assert_allclose(m.rejection(a, cf.beta), m.audit(a, cf.beta))
    assert np.all(np.diff(cf.alpha) > 0)  # dearer claims need more certainty to validate

"""core.monitor: estimated bands hold on ordinary batches, the QC sample estimates the error
rate among automatic decisions without bias, with intervals that cover the truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.config.loading import load_config
from core.decide.costs import CostModel
from core.decide.decisions import decide
from core.decide.quality import draw_quality_sample
from core.model.training_data import keyed_frame
from core.monitor.performance import batch_performance, estimate, realise
from core.synth.generator import generate_claims
from tests.helpers import train_tiny_model


@pytest.fixture(scope="module")
def scored_2025() -> pd.DataFrame:
    """The demo 2025 claims decided by a model trained on 2024, with their true labels."""
    cfg = load_config()
    model = train_tiny_model(cfg, n=6000)[0]
    raw, _ = generate_claims(8000, seed=42, year=2025, drift=True)
    frame = keyed_frame(raw, cfg.schema)
    p = np.asarray(model.predict_proba(frame.drop(columns="label"), None), dtype=float)
    return frame.assign(probability=p, decision=decide(p, 0.2, 0.8))


def test_the_qc_interval_covers_the_true_error_rate_at_least_at_its_confidence(scored_2025):
    costs, confidence = CostModel(), 0.9
    auto = scored_2025["decision"] != 0
    wrong = np.where(
        scored_2025["decision"] == 1, scored_2025["label"] == 0, scored_2025["label"] == 1
    )
    truth = wrong[auto.to_numpy()].mean()
    covered, estimates = 0, []
    for seed in range(50):
        qc, _ = draw_quality_sample(scored_2025["decision"].to_numpy(), 0.02, seed=seed)
        seen = scored_2025.assign(qc_sample=qc, label=scored_2025["label"].where(qc))
        real = realise(seen, costs, confidence)
        assert real.basis == "quality-control sample" and real.sampled == qc.sum()
        lo, hi = real.error_interval
        covered += lo <= truth <= hi
        estimates.append(real.error_rate)
    assert covered / 50 >= confidence, (covered, truth)
    assert abs(np.mean(estimates) - truth) < 0.02  # unbiased: the mean of 50 samples is close


def test_the_estimated_cost_band_holds_the_realised_cost_of_ordinary_batches(scored_2025):
    cfg = load_config()
    inside = 0
    batches = np.array_split(scored_2025.sample(frac=1.0, random_state=0), 20)
    for i, batch in enumerate(batches):
        perf = batch_performance(i, batch.reset_index(drop=True), cfg)
        lo, hi = perf.estimated.cost_band
        inside += lo <= perf.realised.cost <= hi
    assert inside / 20 >= 0.9, inside


def test_estimates_say_what_the_probabilities_expect():
    frame = pd.DataFrame(
        {"probability": [0.9, 0.9, 0.1, 0.5], "decision": [1, 1, -1, 0], "amount": 100.0}
    )
    est = estimate(frame, CostModel(audit_cost=150, wrongful_rejection_fixed=500), 0.9)
    assert (est.automatic, est.automation_rate) == (3, 0.75)
    assert est.error_rate == pytest.approx((0.1 + 0.1 + 0.1) / 3)
    assert est.cost == pytest.approx(150 + 0.1 * 100 * 2 + 0.1 * 500)
    assert est.error_band[0] < est.error_rate < est.error_band[1]


def test_without_labels_nothing_is_realised_and_nothing_alerts():
    frame = pd.DataFrame(
        {"probability": [0.9, 0.1], "decision": [1, -1], "qc_sample": [True, False]}
    )
    perf = batch_performance(1, frame, load_config())
    assert perf.realised.error_rate is None and perf.realised.basis == "none"
    assert not perf.alert

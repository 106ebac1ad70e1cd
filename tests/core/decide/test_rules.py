"""core.decide.rules: PNB rule, yearly quota across stored batches, switches, inactive rules."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from core.config.loading import load_config
from core.config.settings import AmountAbovePnbRule, Config, MaxAutoValidationsRule, RulesConfig
from core.decide.rules import (
    AMOUNT_ABOVE_PNB,
    MAX_AUTO_VALIDATIONS,
    RuleOutcome,
    apply_rules,
    rule_message,
)
from core.store.database import Store
from tests.helpers import ADMIN


def claims(rows: list[tuple[str | None, str | None, float, float]]) -> pd.DataFrame:
    """Frame keyed like a validated batch from (client_id, date, amount, pnb) tuples."""
    clients, dates, amounts, pnbs = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "row_number": np.arange(1, len(rows) + 1, dtype=np.int32),
            "id": [f"R{i}" for i in range(1, len(rows) + 1)],
            "client_id": list(clients),
            "date": pd.to_datetime(list(dates)),
            "amount": list(amounts),
            "pnb": list(pnbs),
        }
    )


def with_rules(cfg: Config, *, quota: bool = True, pnb: bool = True, limit: int = 1) -> Config:
    rules = RulesConfig(
        max_auto_validations=MaxAutoValidationsRule(enabled=quota, per_client_per_year=limit),
        amount_above_pnb=AmountAbovePnbRule(enabled=pnb),
    )
    return replace(cfg, rules=rules)


def store_scored_batch(store: Store, frame: pd.DataFrame, decisions: list[int], sha: str) -> int:
    saved = store.save_batch(
        frame,
        file_name=f"{sha[:4]}.xlsx",
        sha256=sha,
        sheet=None,
        profile="default",
        actor=ADMIN,
        report_json="{}",
    )
    scores = pd.DataFrame(
        {
            "row_number": frame["row_number"],
            "probability": 0.9,
            "decision": decisions,
            "decision_model": decisions,
            "rule_flags": "",
            "rule_reason": "",
        }
    )
    store.save_scores(saved.batch_id, scores, model_version="v1", thresholds_id=None, actor=ADMIN)
    return saved.batch_id


# --------------------------------------------------------------------------- quota


def test_quota_counts_the_current_batch_in_date_order_ties_by_row_number(cfg):
    frame = claims(
        [
            ("C1", "2024-05-01", 10, 1e6),  # third in date order
            ("C1", "2024-02-01", 10, 1e6),  # first
            ("C1", "2024-03-01", 10, 1e6),  # tie on date: row 3 before row 4
            ("C1", "2024-03-01", 10, 1e6),
            ("C2", "2024-03-01", 10, 1e6),  # another client has its own quota
        ]
    )
    outcome = apply_rules(frame, [1, 1, 1, 1, 1], with_rules(cfg, limit=2))
    assert outcome.decisions.tolist() == [0, 1, 1, 0, 1]
    assert outcome.decisions_model.tolist() == [1] * 5
    assert outcome.codes.tolist() == [MAX_AUTO_VALIDATIONS, "", "", MAX_AUTO_VALIDATIONS, ""]
    assert outcome.moved == {AMOUNT_ABOVE_PNB: 0, MAX_AUTO_VALIDATIONS: 2}
    assert "Plafond de 2 validation(s)" in outcome.reasons[0]
    assert "(3 déjà en 2024)" in outcome.reasons[0]
    assert "(2 already in 2024)" in outcome.reasons_en[3]


def test_quota_across_two_stored_batches_and_a_new_year(cfg, tmp_path):
    with Store(tmp_path / "rules.duckdb") as store:
        first = claims([("C1", "2024-01-10", 10, 1e6), ("C2", "2024-01-10", 10, 1e6)])
        store_scored_batch(store, first, [1, 0], "a" * 64)  # C1 used its 2024 validation
        second = claims([("C3", "2024-06-01", 10, 1e6), ("C2", "2023-12-31", 10, 1e6)])
        store_scored_batch(store, second, [1, 1], "b" * 64)  # C3: 2024; C2: 2023 only
        current = claims(
            [
                ("C1", "2024-12-01", 10, 1e6),  # stored validation in 2024 -> audit
                ("C1", "2025-01-02", 10, 1e6),  # a new year: quota reset
                ("C2", "2024-02-01", 10, 1e6),  # C2's stored one was in 2023
                ("C3", "2024-01-01", 10, 1e6),  # earlier date, but C3's 2024 one is stored
                ("C4", "2024-01-01", 10, 1e6),
            ]
        )
        prior = store.auto_validation_counts(current["client_id"], exclude_batch_id=None)
    outcome = apply_rules(current, [1, 1, 1, 1, 1], cfg, prior_validations=prior)
    assert outcome.decisions.tolist() == [0, 1, 1, 0, 1]
    assert outcome.reasons[0].startswith("Plafond de 1 validation(s) automatique(s)")
    assert "(1 déjà en 2024)" in outcome.reasons[0]
    assert outcome.reasons[1] == "" and outcome.codes[1] == ""


def test_only_the_latest_scoring_of_another_batch_counts(cfg, tmp_path):
    with Store(tmp_path / "rules.duckdb") as store:
        earlier = claims([("C1", "2024-01-10", 10, 1e6)])
        batch_id = store_scored_batch(store, earlier, [1], "a" * 64)
        rescored = pd.DataFrame(
            {
                "row_number": [1],
                "probability": [0.5],
                "decision": [0],
                "decision_model": [0],
                "rule_flags": [""],
                "rule_reason": [""],
            }
        )
        store.save_scores(batch_id, rescored, model_version="v2", thresholds_id=None, actor=ADMIN)
        current = claims([("C1", "2024-03-01", 10, 1e6)])
        prior = store.auto_validation_counts(["C1"], exclude_batch_id=None)
        itself = store.auto_validation_counts(["C1"], exclude_batch_id=batch_id)
    assert prior.empty and itself.empty
    assert apply_rules(current, [1], cfg, prior_validations=prior).decisions.tolist() == [1]


def test_claims_without_client_or_date_are_not_counted(cfg):
    frame = claims(
        [(None, "2024-01-01", 10, 1e6), ("C1", None, 10, 1e6), ("C1", "2024-01-01", 10, 1e6)]
    )
    outcome = apply_rules(frame, [1, 1, 1], cfg)
    assert outcome.decisions.tolist() == [1, 1, 1]


# --------------------------------------------------------------------------- PNB


def test_amount_above_pnb_sends_automatic_decisions_to_audit(cfg):
    frame = claims(
        [
            ("C1", "2024-01-01", 5000, 1000),  # validated, above PNB
            ("C2", "2024-01-01", 5000, 1000),  # rejected, above PNB: audit too
            ("C3", "2024-01-01", 1000, 1000),  # equal is not above
            ("C4", "2024-01-01", 5000, np.nan),  # unknown PNB: no rule
        ]
    )
    outcome = apply_rules(frame, [1, -1, 1, 1], cfg)
    assert outcome.decisions.tolist() == [0, 0, 1, 1]
    assert outcome.codes.tolist() == [AMOUNT_ABOVE_PNB, AMOUNT_ABOVE_PNB, "", ""]
    assert outcome.reasons[1] == rule_message(AMOUNT_ABOVE_PNB, "fr")
    assert "PNB" in outcome.reason_texts("en")[0]
    assert outcome.moved[AMOUNT_ABOVE_PNB] == 2


def test_a_claim_sent_to_audit_by_pnb_does_not_use_the_quota(cfg):
    frame = claims([("C1", "2024-01-01", 5000, 1000), ("C1", "2024-02-01", 10, 1000)])
    outcome = apply_rules(frame, [1, 1], cfg)
    assert outcome.decisions.tolist() == [0, 1]
    assert outcome.codes.tolist() == [AMOUNT_ABOVE_PNB, ""]


# --------------------------------------------------------------------------- switches


def test_rules_switched_off_change_nothing_and_say_why(cfg):
    frame = claims([("C1", "2024-01-01", 5000, 1000), ("C1", "2024-02-01", 10, 1000)])
    outcome = apply_rules(frame, [1, 1], with_rules(cfg, quota=False, pnb=False))
    assert outcome.decisions.tolist() == [1, 1]
    assert outcome.active == {AMOUNT_ABOVE_PNB: False, MAX_AUTO_VALIDATIONS: False}
    assert "rules.max_auto_validations.enabled" in outcome.inactive_reason(MAX_AUTO_VALIDATIONS)
    assert "switched off" in outcome.inactive_reason(AMOUNT_ABOVE_PNB, "en")
    only_quota = apply_rules(frame, [1, 1], with_rules(cfg, pnb=False))
    assert only_quota.decisions.tolist() == [1, 0]


@pytest.mark.parametrize(
    ("dropped", "inactive"),
    [
        ("client_id", MAX_AUTO_VALIDATIONS),
        ("date", MAX_AUTO_VALIDATIONS),
        ("pnb", AMOUNT_ABOVE_PNB),
        ("amount", AMOUNT_ABOVE_PNB),
    ],
)
def test_rules_whose_columns_are_absent_are_inactive(cfg, dropped, inactive):
    frame = claims([("C1", "2024-01-01", 5000, 1000), ("C1", "2024-02-01", 10, 1000)])
    outcome = apply_rules(frame.drop(columns=dropped), [1, 1], cfg)
    assert outcome.active[inactive] is False
    assert sum(outcome.active.values()) == 1
    assert outcome.moved[inactive] == 0
    assert "absente" in outcome.inactive_reasons[inactive]
    assert "absent" in outcome.inactive_reasons_en[inactive]


def test_an_entirely_empty_column_makes_the_rule_inactive(cfg):
    frame = claims([("C1", "2024-01-01", 5000, 1000)]).assign(pnb=np.nan)
    outcome = apply_rules(frame, [1], cfg)
    assert not outcome.active[AMOUNT_ABOVE_PNB]
    assert "PNB analytique" in outcome.inactive_reasons[AMOUNT_ABOVE_PNB]


# --------------------------------------------------------------------------- invariants


def test_rules_never_move_a_claim_away_from_audit(cfg):
    rng = np.random.default_rng(3)
    n = 2_000
    frame = pd.DataFrame(
        {
            "row_number": np.arange(1, n + 1),
            "client_id": rng.integers(0, 150, n).astype(str),
            "date": pd.Timestamp("2023-06-01") + pd.to_timedelta(rng.integers(0, 500, n), "D"),
            "amount": rng.lognormal(7, 1, n),
            "pnb": rng.lognormal(8, 1, n),
        }
    )
    prior = pd.DataFrame({"client_id": ["1", "2"], "year": [2024, 2024], "n": [1, 3]})
    model = rng.integers(-1, 2, n).astype(np.int8)
    outcome = apply_rules(frame, model, with_rules(cfg, limit=2), prior_validations=prior)
    assert isinstance(outcome, RuleOutcome)
    changed = outcome.decisions != model
    assert np.all(outcome.decisions[changed] == 0)
    assert np.all(outcome.decisions[model == 0] == 0)
    assert np.all((outcome.codes != "") == changed)
    assert outcome.n_moved == int(changed.sum()) > 0
    assert outcome.reasons[~changed].tolist() == [""] * int((~changed).sum())


def test_wrong_number_of_decisions_is_refused(cfg):
    with pytest.raises(ValueError, match="2 claims"):
        apply_rules(claims([("C1", "2024-01-01", 1, 1), ("C2", "2024-01-01", 1, 1)]), [1], cfg)


def test_roles_missing_from_the_profile_are_named():
    cfg = load_config("cfpb")  # no amount, PNB or client columns in that profile
    frame = claims([("C1", "2024-01-01", 5000, 1000)]).drop(columns=["client_id", "amount", "pnb"])
    outcome = apply_rules(frame, [1], cfg)
    assert outcome.active == {AMOUNT_ABOVE_PNB: False, MAX_AUTO_VALIDATIONS: False}
    assert "non prévu(s) par le profil : amount, pnb" in outcome.inactive_reasons[AMOUNT_ABOVE_PNB]
    assert "not in the profile: client_id" in outcome.inactive_reason(MAX_AUTO_VALIDATIONS, "en")
    assert outcome.decisions.tolist() == [1]


# --------------------------------------------------------------------------- languages
def test_stored_reasons_are_shown_in_english_with_their_numbers(cfg):
    """The scores table stores the French sentence; an English screen gets the English one,
    with the quota's limit, count and year read back (not only the rule's name)."""
    from core.decide.rules import localized_reason, localized_reasons
    from core.report.results import reason_texts

    quota_fr = rule_message(MAX_AUTO_VALIDATIONS, "fr", limit=1, count=2, year=2025)
    quota_en = rule_message(MAX_AUTO_VALIDATIONS, "en", limit=1, count=2, year=2025)
    pnb_fr, pnb_en = rule_message(AMOUNT_ABOVE_PNB, "fr"), rule_message(AMOUNT_ABOVE_PNB, "en")
    assert localized_reason(MAX_AUTO_VALIDATIONS, quota_fr, "en") == quota_en
    assert localized_reason(MAX_AUTO_VALIDATIONS, quota_en, "fr") == quota_fr
    assert localized_reason(AMOUNT_ABOVE_PNB, pnb_fr, "en") == pnb_en
    assert localized_reason("", "", "en") == ""
    unknown = localized_reason(AMOUNT_ABOVE_PNB, "texte ancien", "en")
    assert unknown == "Amount above PNB: texte ancien"  # kept, never dropped
    scored = pd.DataFrame(
        {
            "rule_flags": [AMOUNT_ABOVE_PNB, None, MAX_AUTO_VALIDATIONS],
            "rule_reason": [pnb_fr, None, quota_fr],
        }
    )
    assert reason_texts(scored, "en").tolist() == [pnb_en, "", quota_en]
    assert reason_texts(scored, "fr").tolist() == [pnb_fr, "", quota_fr]
    codes, stored = scored["rule_flags"], scored["rule_reason"]
    assert localized_reasons(codes, stored, "en").tolist() == [pnb_en, "", quota_en]


def test_a_stored_bare_rule_name_is_shown_in_the_language_asked():
    from core.decide.rules import AMOUNT_ABOVE_PNB, localized_reason

    assert localized_reason(AMOUNT_ABOVE_PNB, "Montant supérieur au PNB", "fr") == (
        "Montant supérieur au PNB"
    )
    assert localized_reason(AMOUNT_ABOVE_PNB, "Montant supérieur au PNB", "en") == (
        "Amount above PNB"
    )

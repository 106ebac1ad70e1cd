"""What-if applies the yearly cap as batch scoring does: other batches and its own batch."""

from __future__ import annotations

import pandas as pd

from core.config.loading import load_config
from core.decide.rules import MAX_AUTO_VALIDATIONS
from core.explain.whatif import cap_counts, decide_claim


def _batch() -> pd.DataFrame:
    """Client C: validated on 02/03, held back by the cap on 05/03; the claim asked about
    is on 09/03 (row 3); client D has a validation that must not count."""
    return pd.DataFrame(
        {
            "row_number": [1, 2, 3, 4, 5],
            "client_id": ["C", "C", "C", "D", "C"],
            "date": pd.to_datetime(
                ["2025-03-02", "2025-03-05", "2025-03-09", "2025-03-01", "2025-03-20"]
            ),
            "amount": [100.0] * 5,
            "pnb": [10_000.0] * 5,
            "probability": [0.95] * 5,
            "decision": [1, 0, 0, 1, 0],
            "rule_flags": ["", MAX_AUTO_VALIDATIONS, MAX_AUTO_VALIDATIONS, "", "x"],
        }
    )


def test_the_claims_before_it_in_its_own_batch_count_towards_the_cap():
    batch = _batch()
    row = batch[batch["row_number"] == 3]
    counts = cap_counts(row, batch, None)
    assert counts.to_dict("records") == [{"client_id": "C", "year": 2025, "n": 2}]
    cfg = load_config()
    decision = decide_claim(row, 0.95, 0.2, 0.8, cfg, counts)
    assert (decision.model_code, decision.code) == (1, 0)
    assert "2 déjà en 2025" in decision.reason_fr


def test_other_batches_add_to_its_own_and_a_first_claim_is_validated():
    batch = _batch()
    first = batch[batch["row_number"] == 1]
    assert cap_counts(first, batch, None) is None
    cfg = load_config()
    assert decide_claim(first, 0.95, 0.2, 0.8, cfg, None).code == 1
    elsewhere = pd.DataFrame({"client_id": ["C"], "year": [2025], "n": [1]})
    both = cap_counts(first, batch, elsewhere)
    assert int(both["n"].sum()) == 1
    assert decide_claim(first, 0.95, 0.2, 0.8, cfg, both).code == 0

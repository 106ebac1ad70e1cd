import pandas as pd

from core.report.filters import ClaimFilter, filter_claims


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["REC-1", "REC-2", "REC-3", "REC-4"],
            "client_id": ["0001", "0002", "0001", None],
            "family": ["Cartes", "Comptes", "Cartes", "Crédits"],
            "amount": [100.0, 5000.0, None, 250.0],
            "decision": [1, 0, -1, 0],
            "decision_model": [1, 1, -1, 0],
        }
    )


def test_no_filter_keeps_everything():
    assert len(filter_claims(_frame(), ClaimFilter())) == 4


def test_each_filter():
    f = _frame()
    assert list(filter_claims(f, ClaimFilter(decisions=[0]))["id"]) == ["REC-2", "REC-4"]
    assert list(filter_claims(f, ClaimFilter(families=["Cartes"]))["id"]) == ["REC-1", "REC-3"]
    # a missing amount is not hidden by the amount filter
    assert list(filter_claims(f, ClaimFilter(amount_range=(0, 300)))["id"]) == [
        "REC-1",
        "REC-3",
        "REC-4",
    ]
    assert list(filter_claims(f, ClaimFilter(moved_by_rule_only=True))["id"]) == ["REC-2"]


def test_search_matches_claim_or_client_id_case_insensitively():
    f = _frame()
    assert list(filter_claims(f, ClaimFilter(search="rec-3"))["id"]) == ["REC-3"]
    assert list(filter_claims(f, ClaimFilter(search="0001"))["id"]) == ["REC-1", "REC-3"]
    assert filter_claims(f, ClaimFilter(search="nothing")).empty


def test_filters_combine():
    f = _frame()
    out = filter_claims(f, ClaimFilter(decisions=[0, 1], families=["Cartes", "Comptes"]))
    assert list(out["id"]) == ["REC-1", "REC-2"]

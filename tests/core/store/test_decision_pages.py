"""Pages of decisions read from DuckDB equal the whole-frame way (pandas filters and sort on
the full scoring), for every filter, sort and page; the summary equals the frame's counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.ingest.pipeline import ingest
from core.model.registry import Registry
from core.report.filters import ClaimFilter, filter_claims
from core.scoring.batch import score_batch
from core.scoring.stored import load_scores
from core.store.database import Store
from core.store.decision_pages import DecisionQuery
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.helpers import ADMIN, AUDITOR, train_tiny_model


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """One scored 700-claim batch shared by this module's tests (they only read it)."""
    from dataclasses import replace

    from core.config.loading import load_config

    tmp_path = tmp_path_factory.mktemp("pages")
    base = load_config()
    paths = replace(
        base.paths, data_dir=tmp_path, database=tmp_path / "wb.duckdb", models_dir=tmp_path / "m"
    )
    cfg = replace(base, paths=paths)
    store = Store(cfg.paths.database)
    registry = Registry(cfg.paths.models_dir, store)
    registry.register(train_tiny_model(cfg)[0], actor=ADMIN, activate=True)
    raw, _ = generate_claims(700, seed=3, year=2025, drift=True)
    write_claims_xlsx(raw.drop(columns="Fondée"), tmp_path / "lot.xlsx")
    batch = ingest(tmp_path / "lot.xlsx", cfg, store, actor=AUDITOR).batch_id
    score_batch(batch, store, registry, cfg, actor=AUDITOR, queue_drift=False)
    frame = load_scores(batch, store)
    yield store, batch, store.latest_scoring(batch).scored_at, frame
    store.close()


QUERIES = [
    DecisionQuery(),
    DecisionQuery(decisions=(0,)),
    DecisionQuery(decisions=(-1, 1), sort="probability", descending=True),
    DecisionQuery(families=("Monétique",), sort="amount"),
    DecisionQuery(amount_range=(500.0, 5000.0), sort="amount", descending=True, offset=20),
    DecisionQuery(moved_by_rule_only=True),
    DecisionQuery(search="CL", limit=50, offset=50),
    DecisionQuery(search="100%_"),  # SQL wildcards are searched as text
    DecisionQuery(sort="date", limit=25, offset=100),
]


@pytest.mark.parametrize("query", QUERIES, ids=range(len(QUERIES)))
def test_a_page_equals_the_whole_frame_filtered_sorted_and_sliced(scored, query):
    store, batch, scored_at, frame = scored
    page = store.decisions_page(batch, scored_at, query)
    spec = ClaimFilter(
        query.decisions, query.families, query.amount_range, query.moved_by_rule_only, query.search
    )
    expected = filter_claims(frame, spec)
    key = {"date": "date"}.get(query.sort, query.sort)
    expected = expected.sort_values(
        [key, "row_number"], ascending=[not query.descending, True], na_position="last",
        kind="stable",
    )  # fmt: skip
    expected = expected.iloc[query.offset : query.offset + query.limit]
    assert page.total == len(filter_claims(frame, spec))
    assert page.frame["row_number"].tolist() == expected["row_number"].tolist()
    assert np.allclose(page.frame["probability"], expected["probability"])
    assert page.frame["decision"].tolist() == expected["decision"].tolist()
    assert len(page.frame) <= query.limit


def test_the_summary_counts_what_the_frame_holds(scored):
    store, batch, scored_at, frame = scored
    summary = store.decisions_summary(batch, scored_at, bins=20)
    assert summary.n == len(frame)
    assert summary.counts == {int(k): int(v) for k, v in frame["decision"].value_counts().items()}
    assert summary.n_moved == int((frame["decision"] != frame["decision_model"]).sum())
    assert summary.amount_span == (frame["amount"].min(), frame["amount"].max())
    assert summary.families == tuple(sorted(frame["family"].dropna().unique()))
    bins = np.minimum(np.floor(frame["probability"] * 20), 19).astype(int)
    expected = pd.crosstab(bins, frame["decision"]).stack()
    got = summary.histogram.set_index(["bin", "decision"])["n"]
    assert got.sum() == len(frame)
    assert {k: int(v) for k, v in expected[expected > 0].items()} == {
        k: int(v) for k, v in got.items()
    }


def test_a_bad_sort_or_page_is_refused():
    with pytest.raises(ValueError, match="sort"):
        DecisionQuery(sort="probability; DROP TABLE claims")
    with pytest.raises(ValueError, match="limit"):
        DecisionQuery(limit=0)

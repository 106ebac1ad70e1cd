"""In a real browser: the review form keeps the keyboard flow. The conclusion radio has the
focus when a claim opens; arrow keys choose, Tab reaches the comment, Enter saves and opens
the next claim, whose conclusion radio has the focus again."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.store.database import Store
from tests.e2e.conftest import add_scored_batch, data_config, prepare_data, serve, wait_app_idle

pytestmark = pytest.mark.e2e

FOCUSED_RADIO = (
    "() => { const el = document.activeElement;"
    " return el && el.type === 'radio' ? el.closest('[class*=\"st-key-review-\"]').className"
    " : null; }"
)


@pytest.fixture(scope="module")
def review_root(tmp_path_factory) -> Path:
    root = prepare_data(tmp_path_factory.mktemp("review-e2e"))
    add_scored_batch(root, "lot.xlsx", n=300, seed=21, id_start=9001, drift=False)
    return root


@pytest.fixture(scope="module")
def server(review_root: Path):
    with serve(review_root) as url:
        yield url


def _focused_claim(page) -> str:
    page.wait_for_function(FOCUSED_RADIO, timeout=15_000)
    return page.evaluate(FOCUSED_RADIO)


def test_keyboard_only_review_saves_and_moves_to_the_next_claim(server, page, review_root):
    page.goto(f"{server}/review")
    page.get_by_role("heading", name="Revue des réclamations", exact=True).wait_for()
    wait_app_idle(page)
    first = _focused_claim(page)
    assert "-audit-" in first and "-verdict" in first

    page.keyboard.press("ArrowRight")  # second option: non fondée
    page.keyboard.press("Tab")
    page.keyboard.type("Doublon")
    page.keyboard.press("Enter")
    expect(page.get_by_text("enregistrée : Non fondée (rejeter)")).to_be_visible(timeout=30_000)
    wait_app_idle(page)
    second = _focused_claim(page)
    assert second != first and "-audit-" in second

    with Store(data_config(review_root).paths.database) as store:
        (batch,) = store.list_batches()
        reviews = store.latest_reviews(batch.id)
    assert list(reviews["review_decision"]) == [-1]
    assert list(reviews["comment"]) == ["Doublon"]
    assert f"-{int(reviews['row_number'].iloc[0])}-verdict" in first

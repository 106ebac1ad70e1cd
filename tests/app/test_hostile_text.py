"""Hostile text in a batch, a deep link, a file name and the auditor's name: every text
Streamlit renders as Markdown holds it escaped (shown as typed), select boxes hold it as is,
Plotly gets it with its tags escaped. The browser test tests/e2e/test_hostile_e2e.py checks
what Streamlit's renderer makes of it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.config.identity import Actor
from core.config.loading import load_config
from core.ingest.pipeline import ingest
from core.model.registry import Registry
from core.scoring.batch import score_batch
from core.store.database import Store
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.app.conftest import MAIN, shown

PAYLOAD = (
    "**PWNB** [PWNL](https://evil.example/x) ![PWNI](http://127.0.0.1:9/x.png) $PWNK$ "
    ":red[PWNRED] :material/skull: <b>PWNH</b> www.evil.example a@evil.example"
)
# What the payload looks like unescaped: none of it may reach a Markdown text.
RAW = ("**PWNB", "[PWNL](", "![PWNI", "$PWNK", ":red[", ":material/", "<b>", "www.e", "a@e", "://")
HOSTILE_ID = f"REC-PWN-1 {PAYLOAD}"
PLOTLY_LINK = '<a href="//evil.example">PWNP</a>'
FILE_NAME = f"lot {PAYLOAD}.xlsx"
AUDITOR = f"PWN {PAYLOAD}"
# An identity as an identity provider could send it: the e-mail claim is data too.
ACTOR = Actor(AUDITOR, AUDITOR, "admin")


@pytest.fixture
def hostile_env(model_env: Path) -> Path:
    """A scored batch whose first claim holds the payload, stored under a hostile file name,
    and a threshold pair published by a hostile auditor name."""
    frame, _ = generate_claims(300, seed=41, year=2025, id_start=70_001)
    first = frame.index[0]
    frame.loc[first, ["ID Réclamation", "Catégorie", "Sous-catégorie"]] = [
        HOSTILE_ID,
        PLOTLY_LINK,
        PAYLOAD,
    ]
    path = model_env / "hostile.xlsx"
    write_claims_xlsx(frame, path)
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        registry = Registry(cfg.paths.models_dir, store)
        stored = ingest(path.read_bytes(), cfg, store, file_name=FILE_NAME, actor=ACTOR)
        batch_id = stored.batch_id
        score_batch(batch_id, store, registry, cfg, actor=ACTOR)
        version = registry.active().version
        store.publish_thresholds(version, 0.2, 0.8, source="manual", actor=ACTOR, reason=PAYLOAD)
    return model_env


def _open(page: str, claim: str | None = None) -> AppTest:
    at = AppTest.from_file(MAIN, default_timeout=60)
    if claim:
        at.query_params["claim"] = claim
    at.run()
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception, at.exception
    return at


def _markdown_texts(at: AppTest) -> list[str]:
    """Every text of the page that Streamlit renders as Markdown."""
    texts = [
        e.value
        for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "error")
        for e in getattr(at, kind)
    ]
    texts += [e.value for e in at.success]
    for metric in at.metric:
        texts += [metric.label, metric.value, metric.delta or "", metric.proto.help]
    texts += [e.label for e in at.tabs] + [e.label for e in at.expander]
    for widget in (*at.text_input, *at.selectbox, *at.button, *at.number_input):
        texts += [widget.label, widget.help or ""]
    return texts


def _raw(at: AppTest) -> list[str]:
    """The Markdown texts holding part of the payload unescaped (escaped characters left
    out, what remains is what the renderer would read as syntax)."""
    return [t for t in _markdown_texts(at) if any(r in re.sub(r"\\.", "", t) for r in RAW)]


def test_explain_shows_a_hostile_claim_as_text(hostile_env):
    at = _open("explain", HOSTILE_ID)
    assert [shown(s.value) for s in at.subheader] == [f"Réclamation {HOSTILE_ID}"]
    assert not _raw(at)
    names = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]["y"]
    assert 'Catégorie = &lt;a href="//evil.example"&gt;PWNP&lt;/a&gt;' in names
    assert not any("<a" in name for name in names)


def test_a_hostile_deep_link_is_quoted_as_text(hostile_env):
    link = f"[Support](https://evil.example/phish) {PAYLOAD}"
    at = _open("explain", link)
    assert any(f"Aucune réclamation « {link} »" in shown(w.value) for w in at.warning)
    assert not _raw(at)


def test_close_ids_are_listed_as_text(hostile_env):
    at = _open("explain", "REC-PWN")
    assert any(HOSTILE_ID in shown(c.value) for c in at.caption)
    assert not _raw(at)


def test_select_boxes_show_the_file_name_as_is(hostile_env):
    at = _open("explain")
    assert at.selectbox(key="explain.pick.batch").options == [f"Lot n° 1 — {FILE_NAME}"]
    thresholds = _open("thresholds")
    options = thresholds.selectbox(key="thresholds.source").options
    assert f"Lot n° 1 — {FILE_NAME} (300 réclamations)" in options


def test_thresholds_page_names_a_hostile_auditor_as_text(hostile_env):
    at = _open("thresholds")
    assert any(f"par {AUDITOR} le" in shown(c.value) for c in at.caption)
    assert not _raw(at)


def test_review_page_shows_a_hostile_auditor_and_comment_as_text(hostile_env):
    from core.scoring.review_queue import review_queues

    cfg = load_config()
    with Store(cfg.paths.database) as store:
        row = int(review_queues(store, 1, cfg.costs)["audit"].pending()["row_number"].iloc[0])
        store.save_review(1, row, actor=ACTOR, decision=1, comment=PAYLOAD)
    at = _open("review")
    reopen = next(s for s in at.selectbox if str(s.key).startswith("review-reopen-"))
    assert reopen.options[0].endswith(f"— Fondée (valider) — {AUDITOR}")  # as is, not escaped
    reopen.set_value(row).run()
    assert not at.exception, at.exception
    assert not _raw(at)
    history = at.dataframe[-1].value
    assert list(history["Auditeur"]) == [AUDITOR] and list(history["Commentaire"]) == [PAYLOAD]

"""Upload & score: decisions appear, match the database, filter, reopen, and no model case."""

from __future__ import annotations

import base64
import re
from html import unescape
from pathlib import Path

import pytest

from core.config.loading import load_config
from core.scoring.stored import load_scores
from core.store.database import Store
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.app.conftest import open_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def batch_bytes(tmp_path_factory) -> bytes:
    frame, _ = generate_claims(1500, seed=11, year=2025, drift=True, id_start=50_001)
    path = tmp_path_factory.mktemp("batch") / "lot.xlsx"
    write_claims_xlsx(frame, path)
    return path.read_bytes()


def _metric(at, label_part: str) -> str:
    return next(m.value for m in at.metric if label_part in m.label)


def _decisions(at):
    """The decisions table (the validation report's table, when it has lines, comes first:
    here the drifted batch holds a sub-category the model never saw)."""
    return next(d.value for d in at.dataframe if "Explication" in d.value.columns)


def _digits(text: str) -> int:
    return int("".join(ch for ch in text if ch.isdigit()))


def test_the_histogram_is_drawn_without_plotly_and_counts_the_batch(model_env, batch_bytes):
    """The batch's histogram is an SVG image (no plotly.js for a fresh tab to load; shown
    with st.image, since st.html strips SVG in the browser), and the counts in its bins, per
    decision, are the stored ones."""
    at = open_page("upload")
    at.file_uploader[0].set_value(("lot.xlsx", batch_bytes, XLSX)).run()
    assert not at.exception, at.exception
    assert not at.get("plotly_chart")
    prefix = "data:image/svg+xml;base64,"
    urls = [img.url for el in at.get("image") for img in el.proto.imgs]
    svgs = [base64.b64decode(u[len(prefix) :]).decode() for u in urls if u.startswith(prefix)]
    assert len(svgs) == 1
    counted: dict[str, int] = {}
    for tip in re.findall(r"<g><title>([^<]*)</title>", svgs[0]):
        for name, n in re.findall(r"([A-Za-z ]+) : ([\d\u202f]+)", unescape(tip)):
            counted[name.strip()] = counted.get(name.strip(), 0) + _digits(n)
    with Store(load_config().paths.database) as store:
        stored = load_scores(1, store)["decision"].value_counts()
    assert counted == {
        "Rejet Auto": stored.get(-1, 0),
        "Audit Humain": stored.get(0, 0),
        "Validation Auto": stored.get(1, 0),
    }


def test_upload_scores_and_counts_match_the_database(model_env, batch_bytes):
    at = open_page("upload")
    at.file_uploader[0].set_value(("lot.xlsx", batch_bytes, XLSX)).run()
    assert not at.exception, at.exception
    assert _digits(_metric(at, "Réclamations")) == 1500
    with Store(load_config().paths.database) as store:
        stored = load_scores(1, store)
    counts = stored["decision"].value_counts()
    assert _digits(_metric(at, "Rejet Auto")) == counts.get(-1, 0)
    assert _digits(_metric(at, "Audit Humain")) == counts.get(0, 0)
    assert _digits(_metric(at, "Validation Auto")) == counts.get(1, 0)
    moved = int((stored["decision"] != stored["decision_model"]).sum())
    assert _digits(_metric(at, "Déplacées")) == moved
    table = _decisions(at)
    assert len(table) == 200  # one page: the batch never travels whole to the browser
    assert list(table["ID Réclamation"]) == stored["id"].head(200).tolist()  # file order
    assert table["Explication"].iloc[0].startswith("explain?claim=REC-")
    assert any("1 à 200 sur 1" in c.value and "500" in c.value for c in at.caption)


def test_pages_and_sort_reach_every_claim(model_env, batch_bytes):
    at = open_page("upload")
    at.file_uploader[0].set_value(("lot.xlsx", batch_bytes, XLSX)).run()
    with Store(load_config().paths.database) as store:
        stored = load_scores(1, store)
    at.number_input(key="batch.1.page").set_value(8).run()  # the last page: 100 claims
    assert not at.exception, at.exception
    assert list(_decisions(at)["ID Réclamation"]) == stored["id"].iloc[1400:].tolist()
    at.number_input(key="batch.1.page").set_value(1).run()
    at.selectbox(key="batch.1.sort").set_value("probability").run()
    at.toggle(key="batch.1.descending").set_value(True).run()
    top = stored.sort_values(["probability", "row_number"], ascending=[False, True])
    assert list(_decisions(at)["ID Réclamation"]) == top["id"].head(200).tolist()


def test_filters_narrow_the_table(model_env, batch_bytes):
    at = open_page("upload")
    at.file_uploader[0].set_value(("lot.xlsx", batch_bytes, XLSX)).run()
    at.multiselect(key="batch.1.decisions").set_value([1]).run()
    assert not at.exception
    shown = _decisions(at)
    assert set(shown["Décision"]) == {"🟢 Validation Auto"}
    first_id = shown["ID Réclamation"].iloc[0]
    at.multiselect(key="batch.1.decisions").set_value([]).run()
    at.text_input(key="batch.1.search").set_value(first_id.lower()).run()
    assert list(_decisions(at)["ID Réclamation"]) == [first_id]


def test_reopen_a_past_batch_in_a_new_session(model_env, batch_bytes):
    first = open_page("upload")
    first.file_uploader[0].set_value(("lot.xlsx", batch_bytes, XLSX)).run()
    later = open_page("upload")
    assert not later.metric  # nothing shown until a batch is chosen
    later.selectbox(key="batches.reopen").set_value(1).run()
    assert not later.exception
    assert _digits(_metric(later, "Réclamations")) == 1500
    assert any("Modèle" in c.value and "seuils" in c.value for c in later.caption)


def test_without_a_model_the_batch_is_stored_and_the_next_step_is_said(app_env, batch_bytes):
    at = open_page("upload")
    at.file_uploader[0].set_value(("lot.xlsx", batch_bytes, XLSX)).run()
    assert not at.exception
    assert any("Aucun modèle actif" in w.value for w in at.warning)
    assert not at.metric


def test_results_download_matches_cli_format(model_env, batch_bytes, tmp_path: Path):
    from core.report.results import results_from_store, to_xlsx
    from core.scoring.stored import load_scoring

    at = open_page("upload")
    at.file_uploader[0].set_value(("lot.xlsx", batch_bytes, XLSX)).run()
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        scoring = load_scoring(1, store, cfg)
    data = to_xlsx(results_from_store(scoring.frame, cfg, "fr"), "fr")
    out = tmp_path / "r.xlsx"
    out.write_bytes(data)
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    header = rows[0]
    for column in ("Probabilite_Fondee", "Decision_Modele", "Decision_Code", "Motif_Regle"):
        assert column in header
    assert len(rows) == 1501


def _keys_under(node) -> set[str]:
    keys = {node.key} if getattr(node, "key", None) else set()
    for child in getattr(node, "children", {}).values():
        keys |= _keys_under(child)
    return keys


def test_page_buttons_and_the_filters_popover(model_env, batch_bytes):
    """Previous/next turn the table's pages; the filters sit in a popover whose label counts
    the active ones (the browser draws its widgets only when it is opened)."""
    at = open_page("upload")
    at.file_uploader[0].set_value(("lot.xlsx", batch_bytes, XLSX)).run()
    with Store(load_config().paths.database) as store:
        stored = load_scores(1, store)
    assert at.button(key="batch.1.previous").disabled
    at.button(key="batch.1.next").click().run()
    assert not at.exception, at.exception
    assert list(_decisions(at)["ID Réclamation"]) == stored["id"].iloc[200:400].tolist()
    assert any("201 à 400" in c.value for c in at.caption)
    assert at.number_input(key="batch.1.page").value == 2
    at.button(key="batch.1.previous").click().run()
    assert list(_decisions(at)["ID Réclamation"]) == stored["id"].head(200).tolist()
    for _ in range(7):
        at.button(key="batch.1.next").click().run()
    assert at.button(key="batch.1.next").disabled  # page 8 of 8 (1,500 claims)
    assert list(_decisions(at)["ID Réclamation"]) == stored["id"].iloc[1400:].tolist()

    (popover,) = at.get("popover")
    assert popover.proto.popover.label == "Filtrer et trier"
    inside = _keys_under(popover)
    for name in ("decisions", "search", "amount", "sort", "descending", "page"):
        assert f"batch.1.{name}" in inside
    assert at.number_input(key="batch.1.page").value == 8
    at.multiselect(key="batch.1.decisions").set_value([1]).run()
    assert at.number_input(key="batch.1.page").value == 1  # a filter goes back to page 1
    assert at.button(key="batch.1.previous").disabled  # and the buttons agree
    at.text_input(key="batch.1.search").set_value("  ").run()  # blanks: not a filter
    (popover,) = at.get("popover")
    assert popover.proto.popover.label == "Filtrer et trier · 1 filtre(s) actif(s)"
    validated = int((stored["decision"] == 1).sum())
    assert validated > 0
    assert at.button(key="batch.1.next").disabled == (validated <= 200)  # page 1 of the kept
    assert set(_decisions(at)["Décision"]) == {"🟢 Validation Auto"}
    assert len(_decisions(at)) == min(validated, 200)
    at.toggle(key="batch.1.moved").set_value(True).run()
    (popover,) = at.get("popover")
    assert popover.proto.popover.label.endswith("· 2 filtre(s) actif(s)")


def test_an_upload_takes_one_turn_and_gives_it_back_even_when_ingestion_fails(
    model_env, batch_bytes, monkeypatch
):
    from core.jobs.turns import INTERACTIVE

    before = INTERACTIVE._next_ticket
    at = open_page("upload")
    at.file_uploader[0].set_value(("lot.xlsx", batch_bytes, XLSX)).run()
    assert not at.exception and at.metric
    assert INTERACTIVE._next_ticket == before + 1  # one turn for ingestion and scoring
    assert INTERACTIVE._active == 0 and INTERACTIVE._serving == INTERACTIVE._next_ticket
    at.run()  # a rerun of the same upload ingests nothing: no turn
    assert INTERACTIVE._next_ticket == before + 1

    def broken(*args, **kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr("app.components.uploader.ingest", broken)
    other = open_page("upload")
    other.file_uploader[0].set_value(("autre.xlsx", batch_bytes + b" ", XLSX)).run()
    assert any("inattendue" in e.value or "unexpected" in e.value for e in other.error), [
        e.value for e in other.error
    ]
    assert INTERACTIVE._active == 0 and INTERACTIVE._serving == INTERACTIVE._next_ticket

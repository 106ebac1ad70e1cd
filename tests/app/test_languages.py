"""Languages and formats on the pages: the what-if reads the language's decimal mark, English
screens get English rule reasons and feature descriptions, amounts carry the profile's currency,
and French screens French numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.config.loading import load_config
from core.decide.rules import AMOUNT_ABOVE_PNB, rule_message
from core.scoring.stored import load_scores
from core.store.database import Store
from tests.app.conftest import open_page, shown
from tests.app.test_explain_page import CLAIM, open_explain, scored_env  # noqa: F401

NARROW = "\u202f"


def _amount_field(at):
    return at.text_input(key=f"explain.whatif.{CLAIM}.amount")


def _captions(at) -> list[str]:
    return [shown(c.value) for c in at.caption]


def test_a_decimal_comma_in_the_what_if_is_a_decimal_comma(scored_env):  # noqa: F811
    at = open_explain(CLAIM, tab="Simulation")
    _amount_field(at).set_value("10699,69").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    changes = [c for c in _captions(at) if "→" in c]
    assert changes and f"→ 10{NARROW}699,69\u00a0DH" in changes[0], changes
    assert not any("1069969" in c or f"1{NARROW}069{NARROW}969" in c for c in _captions(at))
    assert _amount_field(at).value == "10699,69"


def test_english_what_if_reads_points_and_refuses_an_ambiguous_comma(scored_env):  # noqa: F811
    at = open_explain(CLAIM, lang="en", tab="What-if")
    before = _amount_field(at).value
    assert "," not in before  # shown with a decimal point
    _amount_field(at).set_value("10699,69").run()
    assert not at.exception, at.exception
    errors = [shown(e.value) for e in at.error]
    assert errors and "is not a number" in errors[0] and "10699.69" in errors[0], errors
    assert any("No value changed" in c for c in _captions(at))  # the claim's value is kept
    _amount_field(at).set_value("10,699.69").run()
    changes = [c for c in _captions(at) if "→" in c]
    assert changes and "→ 10,699.69\u00a0DH" in changes[0], changes


def _moved_claim() -> str:
    with Store(load_config().paths.database) as store:
        scores = load_scores(1, store)
    moved = scores[scores["rule_flags"] == AMOUNT_ABOVE_PNB]
    assert len(moved), "the demo batch has claims above their PNB"
    return str(moved["id"].iloc[0])


def test_english_explain_page_gives_the_rule_reason_in_english(scored_env):  # noqa: F811
    claim = _moved_claim()
    en = open_explain(claim, lang="en")
    warnings = [shown(w.value) for w in en.warning]
    assert any(rule_message(AMOUNT_ABOVE_PNB, "en") in w for w in warnings), warnings
    assert not any("audit humain" in w for w in warnings), warnings
    fr = open_explain(claim)
    assert any(rule_message(AMOUNT_ABOVE_PNB, "fr") in shown(w.value) for w in fr.warning)


def test_english_review_page_has_english_reasons_numbers_and_batch_names(scored_env):  # noqa: F811
    at = open_page("review", lang="en")
    assert not at.exception, at.exception
    assert at.selectbox(key="review.batch").format_func(1).startswith("no. 1 — ")
    texts = [shown(i.value) for i in at.info] + [m.value for m in at.metric]
    assert not any("audit humain requis" in x or re.search(r"\d[ \u00a0]%", x) for x in texts), (
        texts
    )
    french = open_page("review")
    assert french.selectbox(key="review.batch").format_func(1).startswith("n° 1 — ")


def _feature_descriptions(at) -> list[str]:
    for frame in at.dataframe:
        for column in ("Description",):
            if column in frame.value.columns:
                return frame.value[column].tolist()
    raise AssertionError("no feature table")


def test_the_feature_table_is_in_the_interface_language(scored_env):  # noqa: F811
    fr = open_page("model")
    assert not fr.exception, fr.exception
    french = _feature_descriptions(fr)
    assert any(d.startswith("Taux de réclamations fondées de « Sous-catégorie »") for d in french)
    assert not any(
        d.startswith(("Justified rate", "Share of training", "log ratio")) for d in french
    )
    en = open_page("model", lang="en")
    english = _feature_descriptions(en)
    assert any(d.startswith("Justified rate of the Sub-category") for d in english)
    assert not any("réclamations" in d for d in english)


@pytest.fixture
def usd_env(scored_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: F811
    """The scored batch, served under a profile whose currency is USD."""
    profile = tmp_path / "usd.yaml"
    profile.write_text("costs:\n  currency: USD\n", encoding="utf-8")
    monkeypatch.setenv("WORKBENCH_PROFILE", str(profile))
    return scored_env


def _all_text(at) -> list[str]:
    texts = [
        shown(x.value) for kind in ("markdown", "caption", "info", "warning") for x in at.get(kind)
    ]
    texts += [f"{m.label} {m.value}" for m in at.metric]
    texts += [w.label for w in at.text_input]
    return texts


def test_amounts_carry_the_profile_currency(usd_env):
    at = open_explain(CLAIM, tab="Simulation")
    assert not at.exception, at.exception
    _amount_field(at).set_value("120,5").run()
    texts = _all_text(at)
    assert any("USD" in x for x in texts), texts
    assert not any("DH" in x.replace("PNB", "") for x in texts), [x for x in texts if "DH" in x]
    claim = open_explain(CLAIM)
    values = claim.dataframe[0].value
    amounts = values[values.iloc[:, 0] == "Montant demandé"].iloc[:, 1].tolist()
    assert amounts and amounts[0].endswith("\u00a0USD"), amounts

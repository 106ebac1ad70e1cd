"""Display tables: scored claims -> the decisions table an auditor reads (no Streamlit calls)."""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd

from app.i18n import catalogue
from app.theme import icon_label
from core.config.settings import Config
from core.report.results import reason_texts

# keyed column -> catalogue key of its header, in display order
_CLAIM_COLUMNS = (
    ("id", "table.id"),
    ("client_id", "table.client"),
    ("date", "table.date"),
    ("family", "table.family"),
    ("category", "table.category"),
    ("subcategory", "table.subcategory"),
    ("segment", "table.segment"),
    ("amount", "table.amount"),
)


def build_decisions_table(frame: pd.DataFrame, cfg: Config, lang: str) -> pd.DataFrame:
    """The claim's id, its probability, the decision and the rule's reason first (what an
    auditor reads, never off-screen), then the model's decision when a rule changed some,
    the other claim columns of the profile and the explanation link.

    Keeps ``frame``'s index so that a filter on ``frame`` selects the same rows here.
    """
    text = catalogue(lang)
    out = pd.DataFrame(index=frame.index)
    present = [(k, h) for k, h in _CLAIM_COLUMNS if k in frame.columns and cfg.schema.has(k)]
    if any(key == "id" for key, _ in present):
        out[text["table.id"]] = frame["id"]
    out[text["table.probability"]] = frame["probability"].astype(float)
    labels = {code: icon_label(code, lang) for code in (-1, 0, 1)}
    out[text["table.decision"]] = frame["decision"].map(labels)
    out[text["table.reason"]] = reason_texts(frame, lang)
    if (frame["decision"] != frame["decision_model"]).any():
        out[text["table.decision_model"]] = frame["decision_model"].map(labels)
    for key, header in present:
        if key != "id":
            out[text[header].format(currency=cfg.costs.currency)] = frame[key]
    if "id" in frame.columns:
        out[text["table.explain"]] = "explain?claim=" + frame["id"].astype(str).map(quote)
    return out

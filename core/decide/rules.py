"""Business rules applied after the model's three-way decision (DESIGN.md, decisions).

Rules only ever move a claim towards Audit Humain (0), never away from it:

1. ``amount_above_pnb`` — a claim whose requested amount exceeds the client's PNB (net
   banking income of last year) goes to audit, whatever the model proposed (-1 or 1).
2. ``max_auto_validations`` — at most N automatic validations per client per calendar
   year. Applied after rule 1, so a claim sent to audit by the PNB rule does not use up
   the client's quota. The count covers the automatic validations already stored for
   other batches (their latest scoring, given here as ``prior_validations``) plus the ones
   of the current batch taken in date order (ties by ``row_number``).

Both rules are vectorised (masks, one sort and a ``groupby().cumcount()``). A rule that is
switched off in the configuration, or whose input columns are absent (or entirely empty)
in the batch, is reported inactive with the reason. Each moved claim carries the code of
the rule that moved it and a reason in French and English.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from core.config.settings import Config

__all__ = [
    "AMOUNT_ABOVE_PNB",
    "MAX_AUTO_VALIDATIONS",
    "RULES",
    "RuleOutcome",
    "apply_rules",
    "localized_reasons",
    "rule_message",
]

logger = logging.getLogger(__name__)

AMOUNT_ABOVE_PNB = "amount_above_pnb"
MAX_AUTO_VALIDATIONS = "max_auto_validations"
RULES: tuple[str, ...] = (AMOUNT_ABOVE_PNB, MAX_AUTO_VALIDATIONS)  # order of application
RULE_INPUTS: dict[str, tuple[str, ...]] = {
    AMOUNT_ABOVE_PNB: ("amount", "pnb"),
    MAX_AUTO_VALIDATIONS: ("client_id", "date"),
}
RULE_NAMES: dict[str, dict[str, str]] = {
    AMOUNT_ABOVE_PNB: {"fr": "Montant supérieur au PNB", "en": "Amount above PNB"},
    MAX_AUTO_VALIDATIONS: {
        "fr": "Plafond de validations automatiques",
        "en": "Automatic validation limit",
    },
}
_MESSAGES: dict[str, dict[str, str]] = {
    AMOUNT_ABOVE_PNB: {
        "fr": "Montant demandé supérieur au PNB du client : audit humain requis.",
        "en": "Requested amount above the client's PNB: human audit required.",
    },
    MAX_AUTO_VALIDATIONS: {
        "fr": "Plafond de {limit} validation(s) automatique(s) par client et par an atteint "
        "({count} déjà en {year}) : audit humain requis.",
        "en": "Limit of {limit} automatic validation(s) per client per year reached "
        "({count} already in {year}): human audit required.",
    },
}
_PRIOR_COLUMNS = ("client_id", "year", "n")


def rule_message(
    code: str, locale: str = "fr", *, limit: int | str = "N", count: int | str = "N", year="…"
) -> str:
    """The reason shown for a claim moved by rule ``code`` ("" for no rule)."""
    if not code:
        return ""
    template = _MESSAGES[code]["en" if locale == "en" else "fr"]
    return template.format(limit=limit, count=count, year=year)


def _template_pattern(template: str) -> re.Pattern[str]:
    """A regex reading the fields back from a sentence ``template`` wrote."""
    pattern = re.escape(template)
    for name in ("limit", "count", "year"):
        pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P<{name}>.+?)", 1)
    return re.compile(pattern)


_READERS = {
    (code, locale): _template_pattern(texts[locale])
    for code, texts in _MESSAGES.items()
    for locale in texts
}


def localized_reason(code: str, stored: str, locale: str = "fr") -> str:
    """The reason of a claim moved by rule ``code`` in ``locale``, from the sentence stored
    with its scores (written in French or English): the quota's limit, count and year are
    read back with the template that wrote them. A sentence no template wrote is shown
    as it is (nothing is lost), preceded by the rule's name in ``locale``."""
    lang = "en" if locale == "en" else "fr"
    stored = "" if stored is None else str(stored)
    if code not in _MESSAGES:
        return stored
    for source in ("fr", "en"):
        found = _READERS[(code, source)].fullmatch(stored)
        if found is not None:
            return rule_message(code, lang, **found.groupdict())
    if not stored:
        return rule_message(code, lang)
    if stored in RULE_NAMES[code].values():  # the rule's bare name: in the language asked
        return RULE_NAMES[code][lang]
    return (
        f"{RULE_NAMES[code][lang]} : {stored}"
        if lang == "fr"
        else f"{RULE_NAMES[code][lang]}: {stored}"
    )


def localized_reasons(codes: pd.Series, stored: pd.Series, locale: str = "fr") -> np.ndarray:
    """:func:`localized_reason` of every claim (once per distinct (code, sentence))."""
    pairs = pd.DataFrame(
        {
            "code": codes.fillna("").astype(str).to_numpy(),
            "stored": stored.fillna("").astype(str).to_numpy(),
        }
    )
    distinct = pairs.drop_duplicates()
    texts = [localized_reason(c, r, locale) for c, r in distinct.itertuples(index=False)]
    lookup = pd.Series(texts, index=pd.MultiIndex.from_frame(distinct), dtype=object)
    return lookup.reindex(pd.MultiIndex.from_frame(pairs)).to_numpy(dtype=object)


@dataclass(frozen=True, eq=False)
class RuleOutcome:
    """Decisions before and after the rules, and why each moved claim moved.

    Arrays are aligned with the rows of the scored frame. ``codes`` holds the rule code
    ("" when no rule changed the decision); ``reasons`` / ``reasons_en`` the message.
    """

    decisions: np.ndarray  # int8, after the rules
    decisions_model: np.ndarray  # int8, from the thresholds alone
    codes: np.ndarray  # object: "" or a rule code
    reasons: np.ndarray  # object: French text, "" when none
    reasons_en: np.ndarray  # object: English text, "" when none
    moved: dict[str, int]  # claims moved to audit, per rule
    active: dict[str, bool]
    inactive_reasons: dict[str, str]  # French, for inactive rules only
    inactive_reasons_en: dict[str, str]

    @property
    def n_moved(self) -> int:
        return int(sum(self.moved.values()))

    def reason_texts(self, locale: str = "fr") -> np.ndarray:
        return self.reasons_en if locale == "en" else self.reasons

    def inactive_reason(self, rule: str, locale: str = "fr") -> str:
        table = self.inactive_reasons_en if locale == "en" else self.inactive_reasons
        return table.get(rule, "")


def apply_rules(
    frame: pd.DataFrame,
    decisions_model: ArrayLike,
    cfg: Config,
    *,
    prior_validations: pd.DataFrame | None = None,
) -> RuleOutcome:
    """Apply the configured rules to the model's decisions on ``frame`` (columns by key).

    ``prior_validations``: automatic validations already stored for other batches, one row
    per (client_id, year) with their count ``n`` (see ``Store.auto_validation_counts``).
    """
    model = np.asarray(decisions_model, dtype=np.int8).copy()
    if model.shape != (len(frame),):
        raise ValueError(f"got {model.size} decisions for {len(frame)} claims")
    final = model.copy()
    n = len(frame)
    codes = np.full(n, "", dtype=object)
    reasons = {"fr": np.full(n, "", dtype=object), "en": np.full(n, "", dtype=object)}
    active, why_fr, why_en = _activity(frame, cfg)
    moved = dict.fromkeys(RULES, 0)
    if active[AMOUNT_ABOVE_PNB]:
        mask = _pnb_mask(frame, final)
        _move(final, codes, reasons, mask, AMOUNT_ABOVE_PNB, _constant_messages(AMOUNT_ABOVE_PNB))
        moved[AMOUNT_ABOVE_PNB] = int(mask.sum())
    if active[MAX_AUTO_VALIDATIONS]:
        limit = cfg.rules.max_auto_validations.per_client_per_year
        mask, already, years = _quota_mask(frame, final, limit, prior_validations)
        texts = _quota_messages(limit, already[mask], years[mask])
        _move(final, codes, reasons, mask, MAX_AUTO_VALIDATIONS, texts)
        moved[MAX_AUTO_VALIDATIONS] = int(mask.sum())
    logger.debug("rules moved %s claims to audit; active: %s", moved, active)
    return RuleOutcome(
        decisions=final,
        decisions_model=model,
        codes=codes,
        reasons=reasons["fr"],
        reasons_en=reasons["en"],
        moved=moved,
        active=active,
        inactive_reasons=why_fr,
        inactive_reasons_en=why_en,
    )


def _move(
    final: np.ndarray,
    codes: np.ndarray,
    reasons: dict[str, np.ndarray],
    mask: np.ndarray,
    code: str,
    texts: dict[str, np.ndarray | str],
) -> None:
    """Send the claims of ``mask`` to audit, recording the rule and its reason (in place)."""
    final[mask] = 0
    codes[mask] = code
    for locale, column in reasons.items():
        column[mask] = texts[locale]


def _activity(frame: pd.DataFrame, cfg: Config) -> tuple[dict, dict, dict]:
    """(active, French reason, English reason) per rule."""
    enabled = {
        AMOUNT_ABOVE_PNB: cfg.rules.amount_above_pnb.enabled,
        MAX_AUTO_VALIDATIONS: cfg.rules.max_auto_validations.enabled,
    }
    active: dict[str, bool] = {}
    why_fr: dict[str, str] = {}
    why_en: dict[str, str] = {}
    for rule in RULES:
        if not enabled[rule]:
            why_fr[rule] = f"désactivée dans la configuration (rules.{rule}.enabled: false)"
            why_en[rule] = f"switched off in the configuration (rules.{rule}.enabled: false)"
            active[rule] = False
            continue
        headers = {c.key: c.name for c in cfg.schema.columns}
        unmapped = [key for key in RULE_INPUTS[rule] if key not in headers]
        empty = [headers[k] for k in RULE_INPUTS[rule] if k in headers and _is_absent(frame, k)]
        active[rule] = not unmapped and not empty
        fr, en = [], []
        if unmapped:
            fr.append(f"rôle(s) non prévu(s) par le profil : {', '.join(unmapped)}")
            en.append(f"role(s) not in the profile: {', '.join(unmapped)}")
        if empty:
            names = ", ".join(f"« {name} »" for name in empty)
            fr.append(f"colonne(s) absente(s) ou vide(s) dans le lot : {names}")
            en.append(f"column(s) absent or empty in the batch: {names}")
        if fr:
            why_fr[rule], why_en[rule] = " ; ".join(fr), "; ".join(en)
    return active, why_fr, why_en


def _is_absent(frame: pd.DataFrame, key: str) -> bool:
    return key not in frame.columns or not bool(frame[key].notna().any())


def _pnb_mask(frame: pd.DataFrame, final: np.ndarray) -> np.ndarray:
    """Automatic decisions (-1 or 1) whose amount exceeds the client's PNB."""
    amount = pd.to_numeric(frame["amount"], errors="coerce").to_numpy(dtype=float)
    pnb = pd.to_numeric(frame["pnb"], errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        above = amount > pnb  # False where either is NaN
    return above & (final != 0)


def _quota_mask(
    frame: pd.DataFrame, final: np.ndarray, limit: int, prior: pd.DataFrame | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(moved mask, validations already counted, year) for every row of the frame.

    Only claims still auto-validated with a known client and date take part; they are
    ranked per (client, year) by date then row number, after the stored validations.
    """
    n = len(frame)
    dates = pd.to_datetime(frame["date"], errors="coerce")
    clients = frame["client_id"]
    eligible = (final == 1) & clients.notna().to_numpy() & dates.notna().to_numpy()
    already = np.zeros(n, dtype=np.int64)
    years = np.zeros(n, dtype=np.int64)
    positions = np.flatnonzero(eligible)
    if positions.size == 0:
        return np.zeros(n, dtype=bool), already, years
    rows = _row_numbers(frame)
    part = pd.DataFrame(
        {
            "client_id": clients.to_numpy()[positions].astype(str),
            "year": dates.dt.year.to_numpy()[positions].astype(np.int64),
            "date": dates.to_numpy()[positions],
            "row_number": rows[positions],
            "position": positions,
        }
    ).sort_values(["date", "row_number"], kind="stable")
    running = part.groupby(["client_id", "year"], sort=False).cumcount().to_numpy()
    stored = _prior_counts(part, prior)
    counted = stored + running
    order = part["position"].to_numpy()
    already[order] = counted
    years[order] = part["year"].to_numpy()
    mask = np.zeros(n, dtype=bool)
    mask[order] = counted >= limit
    return mask, already, years


def _row_numbers(frame: pd.DataFrame) -> np.ndarray:
    if "row_number" in frame.columns:
        return pd.to_numeric(frame["row_number"]).to_numpy(dtype=np.int64)
    return np.arange(1, len(frame) + 1, dtype=np.int64)


def _prior_counts(part: pd.DataFrame, prior: pd.DataFrame | None) -> np.ndarray:
    """Stored validations of each row's (client, year), aligned with ``part``'s rows."""
    if prior is None or prior.empty:
        return np.zeros(len(part), dtype=np.int64)
    missing = set(_PRIOR_COLUMNS) - set(prior.columns)
    if missing:
        raise ValueError(f"prior_validations lacks columns {sorted(missing)}")
    table = (
        prior.assign(client_id=prior["client_id"].astype(str), year=prior["year"].astype(np.int64))
        .groupby(["client_id", "year"])["n"]
        .sum()
    )
    keys = pd.MultiIndex.from_arrays([part["client_id"], part["year"]])
    return table.reindex(keys).fillna(0).to_numpy(dtype=np.int64)


def _constant_messages(code: str) -> dict[str, np.ndarray | str]:
    return {locale: rule_message(code, locale) for locale in ("fr", "en")}


def _quota_messages(limit: int, counts: np.ndarray, years: np.ndarray) -> dict[str, np.ndarray]:
    """Per-claim quota messages, formatted once per distinct (count, year)."""
    keys = pd.DataFrame({"count": counts, "year": years})
    distinct = keys.drop_duplicates()
    out: dict[str, np.ndarray] = {}
    for locale in ("fr", "en"):
        texts = [
            rule_message(MAX_AUTO_VALIDATIONS, locale, limit=limit, count=c, year=y)
            for c, y in distinct.itertuples(index=False)
        ]
        lookup = pd.Series(texts, index=pd.MultiIndex.from_frame(distinct), dtype=object)
        out[locale] = lookup.reindex(pd.MultiIndex.from_frame(keys)).to_numpy(dtype=object)
    return out

"""What each feature of :mod:`core.model.features` is: descriptions (English, stored with the
model, and French) and interactions.

A model stores its feature table with the English descriptions; :func:`localized_description`
finds which template wrote a stored description, reads its fields back and writes the
template of the asked language (column names through a ``label`` function the caller gives,
e.g. the interface's column labels). A description no template wrote is returned as stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import numpy as np

from core.model.history import HISTORY_DESCRIPTIONS

__all__ = [
    "DESCRIPTIONS",
    "DESCRIPTIONS_FR",
    "INTERACTIONS",
    "interactions",
    "localized_description",
]


def interactions(cols: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    dev = next(
        (cols[k] for k in ("amount_dev_subcategory", "amount_dev_category") if k in cols), None
    )
    out: dict[str, np.ndarray] = {}
    if dev is None:
        return out
    if "rate_segment" in cols:
        out["segment_rate_x_amount_dev"] = cols["rate_segment"] * dev
    if "prior_claims_year" in cols:
        out["prior_year_x_amount_dev"] = cols["prior_claims_year"] * dev
    return out


INTERACTIONS = {
    "segment_rate_x_amount_dev": "rate_segment",
    "prior_year_x_amount_dev": "prior_claims_year",
}
DESCRIPTIONS = {
    "rate_h": "Justified rate of the {0} in training (out-of-fold on training rows; shrunk "
    "towards its parent level; fewer than {1} cases or unknown: the parent's rate)",
    "rate": "Justified rate of {0} in training (out-of-fold on training rows; shrunk towards "
    "the global rate; fewer than {1} cases or unknown: the global rate)",
    "freq": "Share of training claims with this {0} (0 when unknown)",
    "code": "Code of {0} (1.. = training levels in alphabetical order, 0 = unknown or missing)",
    "onehot": "1 when the {0} is « {1} » (a level frequent enough in training), else 0",
    "extra_number": "Extra numeric column {0}, as is",
    "log_delay": "log(1 + estimated delay in days)",
    "tenure": "Client tenure in years (converted from the profile's unit)",
    "log_pnb": "log(1 + client PNB of last year)",
    "log_amount": "log(1 + requested amount)",
    "amount_dev_family": "log ratio of the amount to the training median of its family",
    "amount_dev_category": "log ratio of the amount to the training median of its category "
    "(backs off to the family median)",
    "amount_dev_subcategory": "log ratio of the amount to the training median of its "
    "sub-category (too few cases: category, then family median)",
    "log_amount_per_delay_day": "log(1 + amount / max(delay, 1))",
    "log_amount_to_pnb": "log(1 + amount / PNB) (missing when PNB <= 0)",
    "amount_above_pnb": "1 when the amount exceeds the client's PNB of last year",
    **HISTORY_DESCRIPTIONS,
    "segment_rate_x_amount_dev": "Segment justified rate x amount deviation (interaction)",
    "prior_year_x_amount_dev": "Prior claims this year x amount deviation (interaction)",
}

DESCRIPTIONS_FR = {
    "rate_h": "Taux de réclamations fondées de « {0} » à l'entraînement (hors pli sur les "
    "lignes d'entraînement ; rapproché du niveau parent ; moins de {1} cas ou inconnu : le taux "
    "du parent)",
    "rate": "Taux de réclamations fondées de « {0} » à l'entraînement (hors pli sur les lignes "
    "d'entraînement ; rapproché du taux global ; moins de {1} cas ou inconnu : le taux global)",
    "freq": "Part des réclamations d'entraînement ayant cette valeur de « {0} » (0 si inconnue)",
    "code": "Code de « {0} » (1.. = niveaux d'entraînement par ordre alphabétique, 0 = inconnu "
    "ou manquant)",
    "onehot": "1 quand « {0} » vaut « {1} » (un niveau assez fréquent à l'entraînement), sinon 0",
    "extra_number": "Colonne numérique supplémentaire « {0} », telle quelle",
    "log_delay": "log(1 + délai estimé en jours)",
    "tenure": "Ancienneté du client en années (convertie depuis l'unité du profil)",
    "log_pnb": "log(1 + PNB du client l'année précédente)",
    "log_amount": "log(1 + montant demandé)",
    "amount_dev_family": "log du rapport entre le montant et la médiane d'entraînement de sa "
    "famille",
    "amount_dev_category": "log du rapport entre le montant et la médiane d'entraînement de sa "
    "catégorie (à défaut, celle de la famille)",
    "amount_dev_subcategory": "log du rapport entre le montant et la médiane d'entraînement de "
    "sa sous-catégorie (trop peu de cas : médiane de la catégorie, puis de la famille)",
    "log_amount_per_delay_day": "log(1 + montant / max(délai, 1))",
    "log_amount_to_pnb": "log(1 + montant / PNB) (manquant quand PNB <= 0)",
    "amount_above_pnb": "1 quand le montant dépasse le PNB du client de l'année précédente",
    "prior_claims_year": "Réclamations du même client plus tôt dans la même année civile "
    "(date antérieure, ou même date et ID inférieur)",
    "prior_claims_total": "Réclamations du même client plus tôt dans l'historique disponible",
    "prior_justified_year": "Réclamations antérieures du client cette année civile connues comme "
    "fondées (étiquettes connues à ce moment ; voir la réserve entraînement / production)",
    "days_since_prior_claim": "Jours depuis la réclamation précédente du client (manquant s'il "
    "n'y en a pas)",
    "segment_rate_x_amount_dev": "Taux fondé du segment × écart du montant (interaction)",
    "prior_year_x_amount_dev": "Réclamations antérieures cette année × écart du montant "
    "(interaction)",
}
_LABELLED = {"rate_h": (0,), "rate": (0,), "freq": (0,), "code": (0,), "onehot": (0,)}


def _reader(template: str) -> re.Pattern[str]:
    pattern = re.escape(template)
    for i in range(2):
        pattern = pattern.replace(re.escape("{" + str(i) + "}"), f"(?P<f{i}>.+?)")
    return re.compile(pattern)


_READERS = {key: _reader(text) for key, text in DESCRIPTIONS.items()}


def localized_description(description: str, locale: str, label: Callable[[str], str] = str) -> str:
    """A stored (English) feature description in ``locale`` ("fr" or "en"); the column or
    role it names goes through ``label``. Unknown text is returned as stored."""
    text = str(description or "")
    for key, reader in _READERS.items():
        found = reader.fullmatch(text)
        if found is None:
            continue
        fields = [found.group(f"f{i}") for i in range(len(found.groupdict()))]
        fields = [label(v) if i in _LABELLED.get(key, ()) else v for i, v in enumerate(fields)]
        template = DESCRIPTIONS_FR[key] if locale == "fr" else DESCRIPTIONS[key]
        return template.format(*fields)
    return text

"""Name tables and parameters of the demo data generator (see :mod:`core.synth`).

Every sub-category carries the parameters the generator needs: its typical requested
amount (median of a lognormal, in DH) and spread, its typical handling delay in days,
its effect on the log-odds of a claim being justified ("fondée"), and its relative
frequency within its product family. Segments carry their share of claims, their market
mix, their PNB (net banking income) and tenure distributions, their effect on the
log-odds and their product-family mix.

All tables are immutable constants; nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

FAMILIES: tuple[str, ...] = ("Cartes", "Comptes", "Crédits", "Épargne et Placements")


@dataclass(frozen=True)
class SubcategoryProfile:
    """One sub-category of claim and the parameters that generate its claims."""

    family: str
    category: str
    name: str
    median_amount: float  # DH, median of the lognormal requested amount (2024 level)
    sigma: float  # spread of log(amount)
    delay_days: int  # typical estimated handling delay
    effect: float  # contribution to the log-odds of "fondée"
    weight: float  # relative frequency within its family


def _family(family: str, rows: list[tuple]) -> tuple[SubcategoryProfile, ...]:
    return tuple(SubcategoryProfile(family, *row) for row in rows)


# fmt: off
# (category, sub-category, median DH, sigma, delay days, log-odds effect, weight in family)
SUBCATEGORIES: tuple[SubcategoryProfile, ...] = (
    *_family("Cartes", [
        ("Opérations par carte", "Transaction contestée", 1500, 0.9, 15, -1.2, 10),
        ("Opérations par carte", "Paiement en ligne non reconnu", 900, 0.9, 20, -0.4, 7),
        ("Opérations par carte", "Double débit carte", 600, 0.7, 7, 3.4, 4),
        ("Opérations par carte", "Retrait DAB non servi", 1200, 0.6, 10, 2.5, 6),
        ("Gestion de la carte", "Opposition non prise en compte", 3000, 0.9, 12, -0.7, 3),
        ("Gestion de la carte", "Carte non reçue", 200, 0.6, 10, 0.8, 3),
        ("Gestion de la carte", "Carte capturée par le DAB", 300, 0.7, 5, 0.4, 2),
        ("Gestion de la carte", "Plafond de carte non modifié", 500, 0.8, 4, -2.6, 2),
        ("Frais de carte", "Cotisation annuelle contestée", 250, 0.6, 8, -2.1, 4),
        ("Frais de carte", "Frais de retrait à l'étranger", 180, 0.7, 10, -0.8, 2),
        ("Frais de carte", "Commission de change carte", 220, 0.8, 10, -1.7, 2),
        ("Frais de carte", "Frais de réédition de carte", 100, 0.6, 6, 1.0, 2),
    ]),
    *_family("Comptes", [
        ("Frais et tarification", "Frais de tenue de compte", 120, 0.6, 8, -2.0, 6),
        ("Frais et tarification", "Agios contestés", 800, 0.8, 15, -1.0, 6),
        ("Frais et tarification", "Commissions d'intervention", 350, 0.7, 10, -0.4, 4),
        ("Frais et tarification", "Frais de package non souscrit", 400, 0.6, 12, 2.7, 2),
        ("Virements et prélèvements", "Virement non reçu", 8000, 1.0, 10, -1.4, 6),
        ("Virements et prélèvements", "Virement émis non exécuté", 12000, 1.0, 7, 1.3, 3),
        ("Virements et prélèvements", "Prélèvement contesté", 1500, 0.9, 15, 0.3, 5),
        ("Virements et prélèvements", "Chèque non encaissé", 6000, 0.9, 12, 0.0, 3),
        ("Gestion du compte", "Clôture de compte non effectuée", 300, 0.8, 20, 1.8, 2),
        ("Gestion du compte", "Changement d'adresse non pris en compte", 100, 0.6, 5, 0.7, 1),
        ("Gestion du compte", "Relevé de compte non reçu", 100, 0.6, 5, -3.1, 1),
        ("Gestion du compte", "Blocage de compte / saisie", 15000, 1.0, 25, -3.8, 2),
    ]),
    *_family("Crédits", [
        ("Crédit immobilier", "Échéance prélevée deux fois", 6500, 0.6, 7, 4.2, 2),
        ("Crédit immobilier", "Frais de remboursement anticipé", 18000, 0.8, 30, -2.7, 2),
        ("Crédit immobilier", "Assurance emprunteur", 9000, 0.9, 45, -1.7, 2),
        ("Crédit immobilier", "Taux appliqué erroné", 25000, 1.0, 60, -3.9, 1.5),
        ("Crédit à la consommation", "Mensualité erronée", 2500, 0.8, 15, 0.8, 3),
        ("Crédit à la consommation", "Frais de dossier contestés", 1200, 0.7, 12, -2.9, 2),
        ("Crédit à la consommation", "Report d'échéance non appliqué", 3500, 0.8, 20, 1.7, 2),
        ("Crédit à la consommation", "Remboursement anticipé non pris en compte",
         20000, 0.9, 25, 0.7, 1.5),
        ("Découvert et facilités", "Intérêts débiteurs contestés", 900, 0.8, 15, -1.3, 3),
        ("Découvert et facilités", "Paiement rejeté malgré découvert autorisé",
         2000, 0.9, 10, 0.0, 2),
        ("Découvert et facilités", "Facilité de caisse non renouvelée", 30000, 1.0, 30, -4.2, 1),
        ("Découvert et facilités", "Mainlevée de garantie tardive", 5000, 1.0, 40, 1.4, 1),
    ]),
    *_family("Épargne et Placements", [
        ("Comptes d'épargne", "Intérêts non crédités", 600, 0.8, 15, 2.1, 3),
        ("Comptes d'épargne", "Taux de rémunération erroné", 900, 0.8, 20, -0.7, 2),
        ("Comptes d'épargne", "Transfert d'épargne non effectué", 40000, 1.0, 30, 1.0, 2),
        ("Comptes d'épargne", "Versement non crédité", 10000, 0.9, 10, 2.9, 2),
        ("Placements financiers", "Frais de gestion contestés", 1500, 0.8, 20, -2.3, 2),
        ("Placements financiers", "Ordre de bourse non exécuté", 50000, 1.0, 15, -0.8, 1.5),
        ("Placements financiers", "Valorisation du portefeuille erronée",
         45000, 1.0, 45, -3.4, 1),
        ("Placements financiers", "Droits de garde contestés", 700, 0.7, 15, -1.4, 1),
        ("Dépôts à terme", "Pénalité de rupture anticipée", 8000, 0.9, 20, -2.1, 2),
        ("Dépôts à terme", "Intérêts de dépôt à terme erronés", 4000, 0.9, 25, 0.4, 2),
        ("Dépôts à terme", "Renouvellement non sollicité", 35000, 1.0, 20, 1.3, 1),
    ]),
)

# The sub-category that appears in 2025 (payments by phone): its effect is close to the
# average of its category, so a model that falls back on the category does well on it.
NEW_SUBCATEGORY_2025 = SubcategoryProfile(
    "Cartes", "Opérations par carte", "Paiement mobile / wallet", 700, 0.9, 12, 0.8, 5
)
# fmt: on


@dataclass(frozen=True)
class SegmentProfile:
    """A client segment: its share of claimants and how its clients look."""

    name: str
    share_2024: float  # share of claimants in 2024
    share_2025: float  # share of claimants from 2025 on (drift)
    markets: tuple[tuple[str, float], ...]  # (market, probability) for a client
    pnb_median: float  # DH, median of the lognormal PNB of last year
    pnb_sigma: float
    tenure_mean: float  # years, mean of a gamma(shape 2) tenure
    effect: float  # contribution to the log-odds of "fondée"
    family_weights: tuple[float, float, float, float]  # claims by family, order of FAMILIES


SEGMENTS: tuple[SegmentProfile, ...] = (
    SegmentProfile(
        name="Grand Public",
        share_2024=0.50,
        share_2025=0.40,
        markets=(("Particuliers", 1.0),),
        pnb_median=15_000,
        pnb_sigma=0.8,
        tenure_mean=6.0,
        effect=0.0,
        family_weights=(0.42, 0.36, 0.15, 0.07),
    ),
    SegmentProfile(
        name="Confort",
        share_2024=0.27,
        share_2025=0.24,
        markets=(("Particuliers", 1.0),),
        pnb_median=30_000,
        pnb_sigma=0.8,
        tenure_mean=9.0,
        effect=0.15,
        family_weights=(0.36, 0.32, 0.20, 0.12),
    ),
    SegmentProfile(
        name="Premium",
        share_2024=0.10,
        share_2025=0.22,
        markets=(("Particuliers", 0.9), ("Professionnels", 0.1)),
        pnb_median=90_000,
        pnb_sigma=0.8,
        tenure_mean=13.0,
        effect=0.4,
        family_weights=(0.32, 0.27, 0.22, 0.19),
    ),
    SegmentProfile(
        name="Professionnels",
        share_2024=0.13,
        share_2025=0.14,
        markets=(("Professionnels", 0.75), ("Entreprises", 0.25)),
        pnb_median=70_000,
        pnb_sigma=1.0,
        tenure_mean=8.0,
        effect=-0.3,
        family_weights=(0.30, 0.42, 0.21, 0.07),
    ),
)


def _build_hierarchy(
    profiles: tuple[SubcategoryProfile, ...],
) -> dict[str, dict[str, list[str]]]:
    tree: dict[str, dict[str, list[str]]] = {}
    for p in profiles:
        tree.setdefault(p.family, {}).setdefault(p.category, []).append(p.name)
    return tree


# family -> category -> sub-categories, as of 2024 (4 / 12 / 47).
HIERARCHY: dict[str, dict[str, list[str]]] = _build_hierarchy(SUBCATEGORIES)

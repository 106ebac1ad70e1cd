"""French and English texts of the API's own refusals (the field problems of a claim use the
batch validation report's texts, :mod:`core.ingest.texts`).

Each entry is (French, English); :func:`text` formats one for a locale. The locale of a
request comes from its ``Accept-Language`` header (:func:`locale_of`): English when the
caller prefers it, French otherwise, as in the workbench.
"""

from __future__ import annotations

_TEXTS: dict[str, tuple[str, str]] = {
    "no_token": (
        "jeton d'API absent : envoyez l'en-tête « Authorization: Bearer <jeton> » (jeton créé "
        "par « python -m core api-token create NOM »).",
        "no API token: send the header « Authorization: Bearer <token> » (a token is created "
        "with « python -m core api-token create NAME »).",
    ),
    "bad_token": (
        "jeton d'API inconnu ou révoqué : demandez un nouveau jeton à l'administrateur de "
        "l'atelier.",
        "unknown or revoked API token: ask the workbench's administrator for a new one.",
    ),
    "body_too_large": (
        "requête de {size} trop volumineuse : {limit} au plus (api.max_body_kb). Envoyez moins "
        "de réclamations par requête.",
        "request body of {size} is too large: at most {limit} (api.max_body_kb). Send fewer "
        "claims per request.",
    ),
    "not_json": (
        "le corps de la requête n'est pas du JSON valide ({detail}).",
        "the request body is not valid JSON ({detail}).",
    ),
    "not_object": (
        "une réclamation est un objet JSON {{« champ » : valeur, …}}.",
        "a claim is a JSON object {{« field »: value, …}}.",
    ),
    "not_list": (
        "« claims » doit être une liste de réclamations (objets JSON).",
        "« claims » must be a list of claims (JSON objects).",
    ),
    "too_many": (
        "{n} réclamations dans la requête : {limit} au plus par requête (api.max_batch). "
        "Découpez le lot.",
        "{n} claims in the request: at most {limit} per request (api.max_batch). Split the batch.",
    ),
    "no_claims": (
        "la requête ne contient aucune réclamation.",
        "the request holds no claim.",
    ),
    "missing_field": (
        "champ obligatoire absent.",
        "required field missing.",
    ),
    "not_scalar": (
        "valeur « {value} » non acceptée : un nombre ou un texte est attendu.",
        "value « {value} » not accepted: a number or a text is expected.",
    ),
    "not_text": (
        "valeur « {value} » non acceptée : un texte est attendu (ex. une date {example}).",
        "value « {value} » not accepted: a text is expected (e.g. a date {example}).",
    ),
    "duplicate_field": (
        "plusieurs champs désignent la même donnée : {fields}. Gardez-en un seul.",
        "several fields hold the same data: {fields}. Keep only one.",
    ),
    "unknown_field": (
        "champ « {field} » non reconnu : il est ignoré. S'il doit être lu, renommez-le ou "
        "ajoutez un alias au profil.",
        "field « {field} » not recognised: it is ignored. If it should be read, rename it or "
        "add an alias to the profile.",
    ),
    "label_ignored": (
        "le libellé « {field} » n'est pas lu par l'API : une réclamation est notée avant "
        "d'être instruite.",
        "the label « {field} » is not read by the API: a claim is scored before it is audited.",
    ),
    "blank_claim": (
        "réclamation vide : aucun champ renseigné.",
        "empty claim: no field filled in.",
    ),
    "no_model": (
        "aucun modèle actif : un administrateur doit en activer un (page Modèle, ou « python -m "
        "core models activate VERSION »).",
        "no active model: an admin must activate one (Model page, or « python -m core models "
        "activate VERSION »).",
    ),
    "busy": (
        "la base de données est occupée : réessayez dans un instant ({detail}).",
        "the database is busy: try again in a moment ({detail}).",
    ),
    "internal": (
        "erreur interne du service de notation (référence {request_id}) : l'incident est "
        "journalisé ; réessayez ou contactez l'administrateur.",
        "internal error of the scoring service (reference {request_id}): it is logged; try "
        "again or contact the administrator.",
    ),
    "not_found": (
        "adresse inconnue : voir /docs pour les adresses du service.",
        "unknown address: see /docs for the service's endpoints.",
    ),
    "method": (
        "méthode {method} non acceptée ici : voir /docs.",
        "method {method} not accepted here: see /docs.",
    ),
}


def text(code: str, locale: str = "fr", **values: object) -> str:
    """The message ``code`` in ``locale``, sentence-cased."""
    fr, en = _TEXTS[code]
    message = (en if locale == "en" else fr).format(**values)
    return message[:1].upper() + message[1:]


def both(code: str, **values: object) -> tuple[str, str]:
    return text(code, "fr", **values), text(code, "en", **values)


def locale_of(accept_language: str | None) -> str:
    """``en`` when the caller's first preferred language is English, else ``fr``."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag:
            ranked.append((-quality, i, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        if tag.startswith("en"):
            return "en"
        if tag.startswith("fr") or tag != "*":
            return "fr"
    return "fr"


def size_text(n_bytes: int) -> str:
    """``2,0 Mo`` / ``512 ko`` style sizes (units understood in both languages)."""
    if n_bytes >= 1024 * 1024:
        return f"{n_bytes / 1024 / 1024:.1f} MB"
    return f"{max(n_bytes // 1024, 1)} KB"

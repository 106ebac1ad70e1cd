"""The real-time scoring API: the workbench's model, thresholds and rules over HTTP.

``python -m core serve`` runs it (uvicorn, one worker); :func:`create_app` builds it.
``claims`` (the claim model generated from the profile, and its validation), ``service``
(scoring and recording, no HTTP), ``guard`` (token, body size, access log), ``errors`` and
``texts`` (refusals in French and English), ``models`` (response bodies), ``app`` (routes).
"""

from core.api.app import create_app
from core.api.service import ScoringService

__all__ = ["ScoringService", "create_app"]

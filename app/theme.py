"""One palette for decisions across tables, charts and the Excel export (same hues).

Fills and font colours come from core.report.export (the downloaded file); charts use a stronger
tone of the same hue so bars stay readable on white.
"""

from __future__ import annotations

from core.report.export import DECISION_COLOURS, DECISION_FONT_COLOURS, DECISION_LABELS

CHART_COLOURS: dict[int, str] = {-1: "#C8414B", 0: "#D9A21B", 1: "#2F8F5B"}
ICONS: dict[int, str] = {-1: "🔴", 0: "🟡", 1: "🟢"}
CODES = (-1, 0, 1)

# Streamlit fades the elements of the last run while a new one runs ("stale"): opacity
# 1 -> 0.33 over 1 s after 0.5 s. Animated, that is a frame 60 times a second for a second
# in every waiting tab, composited in software on machines without a GPU: about 0.3 s of
# the browser's CPU per wait, measured per Chrome process. The same dimming, in one step at
# 1 s, costs one frame. Returning to fresh stays immediate (Streamlit's own rule).
STYLESHEET = """<style>
[data-testid="stElementContainer"][data-stale="true"] {
  transition: opacity 0s linear 1s !important;
}
</style>"""

__all__ = [
    "CHART_COLOURS",
    "CODES",
    "DECISION_COLOURS",
    "DECISION_FONT_COLOURS",
    "ICONS",
    "STYLESHEET",
    "label",
]


def label(code: int, lang: str) -> str:
    """'Rejet Auto' / 'Audit Humain' / 'Validation Auto' (or English)."""
    return DECISION_LABELS["en" if lang == "en" else "fr"][int(code)]


def icon_label(code: int, lang: str) -> str:
    return f"{ICONS[int(code)]} {label(code, lang)}"

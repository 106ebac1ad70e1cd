"""Data shown as text: app.safe.md for Streamlit's Markdown, chart_text for Plotly, and the
catalogue function t() escaping its fields (tests/e2e/test_hostile_e2e.py checks the same
constructs in Streamlit's own renderer, in a browser)."""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from app import i18n
from app.i18n import t, t_chart, t_text, translator
from app.safe import WORD_JOINER, Markdown, chart_text, md, trusted
from tests.app.conftest import shown

HOSTILE = {
    "bold": "**gras** __gras__ *it* _it_ ~~barré~~",
    "link": "[Cliquez ici](https://evil.example/phish)",
    "image": "![x](http://127.0.0.1:9/evil.png)",
    "reference": "[x][y] [y]: http://evil.example/ref",
    "angle autolink": "<https://evil.example/a> <a@evil.example>",
    "bare url": "http://evil.example/x https://evil.example",
    "www": "www.evil.example WWW.EVIL.EXAMPLE",
    "email": "contact@evil.example",
    "html": '<img src="http://127.0.0.1:9/x.png"> <a href="https://e.x">a</a> <b>b</b>',
    "script": "<script>alert(1)</script>",
    "entities": "&lt;b&gt; &amp; &#60;img&#62; &copy;",
    "latex": "$x^2$ and $$\\int_0^1 f$$",
    "colour": ":red[rouge] :blue-background[fond] :red-badge[badge] :rainbow[arc]",
    "material icon": ":material/skull: :material/home:",
    "emoji": ":skull: :+1: :smile:",
    "backslashes": "C:\\dossier\\ \\* \\\\ fin\\",
    "code": "`code` ``x`` ~~~",
    "heading": "# Titre",
    "list": "- item",
    "ordered": "1. item",
    "quote": "> citation",
    "table": "| a | b |",
    "rule": "---",
    "brackets": "{id} %s {0} [x] (y)",
    "ordinary": "REC-2025-008001 « Cartes » 12 500,00 DH 3,5 % l'ID n° 4",
}
_AUTOLINK = re.compile(r"(?i)(https?://|www\.|[\w.+-]+@[\w-]+\.)")
_RENDER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _as_html(text: str) -> str:
    """Text as markdown-it writes it in HTML (&, <, > and " escaped)."""
    return html.escape(text, quote=False).replace('"', "&quot;")


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_md_shows_the_value_itself(value):
    assert shown(md(value)) == value


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_md_renders_as_one_paragraph_of_the_same_text(value):
    """CommonMark (markdown-it) makes one <p> of plain text: no link, image, HTML, emphasis,
    code, heading, list, quote or table; the characters are the value's."""
    text = value.replace(WORD_JOINER, "")
    rendered = _RENDER.render(md(value)).replace(WORD_JOINER, "")
    assert rendered == f"<p>{_as_html(text)}</p>\n"


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_md_escapes_every_ascii_punctuation_and_breaks_autolinks(value):
    escaped = md(value)
    without_escapes = re.sub(r"\\(.)", r"\1", escaped)
    assert re.search(r"(?<!\\)[!-/:-@\[-`{-~]", re.sub(r"\\.", "", escaped)) is None
    assert _AUTOLINK.search(without_escapes) is None  # what GitHub autolinks would read


def test_md_keeps_one_line():
    value = "a\n# titre\r\n- item\n\n> citation\u2028fin"
    assert md(value) == md("a # titre - item > citation fin")
    assert "\n" not in md(value) and "\r" not in md(value)


def test_md_passes_trusted_markdown_through_and_returns_markdown():
    assert md(trusted("**gras**")) == "**gras**"
    assert isinstance(md("x"), Markdown)
    assert md(3) == "3" and md(1.5) == "1\\.5"


def test_chart_text_escapes_plotly_tags():
    assert chart_text('<a href="//evil.example">x</a> & <b>') == (
        '&lt;a href="//evil.example"&gt;x&lt;/a&gt; &amp; &lt;b&gt;'
    )
    assert chart_text(12) == "12"


@pytest.fixture
def catalogue(monkeypatch):
    texts = {
        "k.plain": "Réclamation {id}",
        "k.bold": "Méthode : **{method}**",
        "k.hover": "Bas %{{x:.2f}}<br>{name}",
    }
    monkeypatch.setattr(i18n, "catalogue", lambda lang: texts)
    monkeypatch.setattr(i18n, "current_lang", lambda: "fr")
    return texts


def test_t_escapes_each_field_and_keeps_the_catalogue_markdown(catalogue):
    out = t("k.bold", method="[x](https://evil.example)")
    assert out.startswith("Méthode : **") and out.endswith("**")
    assert shown(out) == "Méthode : **[x](https://evil.example)**"
    assert "](" not in out and isinstance(out, Markdown)
    assert t("k.plain", id=1) == "Réclamation 1"


def test_t_keeps_markdown_built_by_t_or_marked_trusted(catalogue):
    inner = t("k.plain", id="**a**")
    assert t("k.bold", method=inner) == f"Méthode : **{inner}**"
    assert t("k.bold", method=trusted("*ok*")) == "Méthode : ***ok***"


def test_t_text_and_t_chart_escape_for_their_own_sinks(catalogue):
    assert t_text("k.plain", id="**a** <b>") == "Réclamation **a** <b>"
    assert t_chart("k.hover", name="<a href='x'>n</a>") == (
        "Bas %{x:.2f}<br>&lt;a href='x'&gt;n&lt;/a&gt;"
    )


def test_without_fields_every_flavour_is_the_catalogue_string(catalogue):
    assert t("k.bold") == t_text("k.bold") == t_chart("k.bold") == "Méthode : **{method}**"


def test_translator_escapes_for_the_sink_it_is_made_for():
    markdown, chart = translator("fr"), translator("fr", chart_text)
    assert shown(markdown("thresholds.cost_audit", currency="**DH**")).endswith("(**DH**)")
    assert "\\*\\*DH\\*\\*" in markdown("thresholds.cost_audit", currency="**DH**")
    assert chart("thresholds.bars_amount", currency="<b>DH</b>").count("&lt;b&gt;") == 1

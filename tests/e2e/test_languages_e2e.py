"""In a real browser: every page, in French and in English, shows no text of the other language
and no number written the other language's way.

For each page and language the test reads ``document.body.innerText`` (main area and sidebar)
after every tab has been opened once and every expander unfolded, then looks for:

- interface texts of the *other* catalogue (app/locales/<lang>.yaml): each catalogue string
  that differs between the two languages is cut at its fields (``{name}``), Plotly
  placeholders, tags and Markdown marks; every piece of at least 12 characters holding a
  word of 4 letters or more, and not found in this language's catalogue, must be absent;
- numbers of the other language: a decimal point in French ("1,926.23", "15.77%",
  "0.30 / 0.92"); a decimal comma, a French thousands space, "12 %" or "n° " in English.

What is data, not interface, is taken out of the text first: the profile's column headers
(the bank's files are French whatever the screen) and the local user's configured name.
Streamlit's own widget texts ("Upload", "Page not found"...) are not in the catalogues and
so are not judged. The embedded Evidently report is an iframe: ``innerText`` does not enter
it, and it is English by design (the French label says so: "rapport technique détaillé
d'Evidently (en anglais)"). Tables (``st.dataframe``) are drawn on a canvas and are checked by
the AppTest tests instead (tests/app/test_languages.py). The browser's locale is the
interface language's (fr-FR / en-US), as for an auditor working in that language: Streamlit
writes a slider's numbers the browser's way.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.i18n import catalogue
from core.decide.rules import AMOUNT_ABOVE_PNB
from core.drift.service import drift_report
from core.model.registry import Registry
from core.scoring.stored import load_scores
from core.store.database import Store
from tests.e2e.conftest import add_scored_batch, data_config, prepare_data, serve, wait_app_idle
from tests.helpers import ADMIN

pytestmark = pytest.mark.e2e

LOCALES = {"fr": "fr-FR", "en": "en-US"}
_CUT = re.compile(r"%\{[^}]*\}|\{[^}]*\}|<[^>]+>|\*\*|`|\n|\\")
_WORD = re.compile(r"[^\W\d_]{4,}")
MIN_PIECE = 12

# Numbers written the other language's way.
ENGLISH_NUMBERS = re.compile(r"\d\.\d")  # "1,926.23", "15.77%", "0.30 / 0.92"
FRENCH_NUMBERS = re.compile(r"\d,\d{1,2}(?!\d)|\d[\u202f\u00a0]\d{3}|\d[\u00a0 ]%|n° ")


def core_texts(lang: str) -> dict[str, str]:
    """The language-dependent texts core writes for the screens: rule reasons and names,
    column labels of the explanations, feature descriptions, decision labels."""
    from core.decide.rules import _MESSAGES, RULE_NAMES
    from core.explain.text import _LABELS
    from core.model.feature_text import DESCRIPTIONS, DESCRIPTIONS_FR
    from core.report.export import DECISION_LABELS

    i = 0 if lang == "fr" else 1
    out = {f"rule.{c}": texts[lang] for c, texts in _MESSAGES.items()}
    out |= {f"rule_name.{c}": names[lang] for c, names in RULE_NAMES.items()}
    out |= {f"label.{k}": pair[i] for k, pair in _LABELS.items()}
    out |= {f"feature.{k}": t for k, t in (DESCRIPTIONS_FR if i == 0 else DESCRIPTIONS).items()}
    return out | {f"decision.{c}": t for c, t in DECISION_LABELS[lang].items()}


def foreign_pieces(lang: str) -> set[str]:
    """Pieces of the other language's texts (catalogue and core) that this language's texts
    never write."""
    other_lang = "en" if lang == "fr" else "fr"
    mine = catalogue(lang) | core_texts(lang)
    other = catalogue(other_lang) | core_texts(other_lang)
    own_text = "\n".join(mine.values())
    pieces: set[str] = set()
    for key, text in other.items():
        if mine.get(key) == text:
            continue
        for piece in _CUT.split(text):
            piece = " ".join(piece.split()).strip(" :;,.()—-")
            if len(piece) >= MIN_PIECE and _WORD.search(piece) and piece not in own_text:
                pieces.add(piece)
    return pieces


def test_the_check_knows_pieces_of_both_catalogues():
    """The check below would catch a French text on an English screen and vice versa."""
    assert "Réclamations utilisées" in foreign_pieces("en")
    assert "Cost parameters" in foreign_pieces("fr")
    assert "audit humain requis" in foreign_pieces("en")  # a rule's reason, written by core
    assert ENGLISH_NUMBERS.search("1,926.23 DH") and ENGLISH_NUMBERS.search("0.30 / 0.92")
    assert FRENCH_NUMBERS.search("15,77\u00a0%") and FRENCH_NUMBERS.search("lot n° 1")
    assert not ENGLISH_NUMBERS.search("1\u202f926,23 DH") and not FRENCH_NUMBERS.search("1,926.23")


@pytest.fixture(scope="module")
def lang_root(tmp_path_factory) -> tuple[Path, str]:
    """A model, a scored 2025-like batch with its drift report; the claim to explain is one
    the PNB rule sent to audit (so its rule reason is on screen)."""
    root = prepare_data(tmp_path_factory.mktemp("lang-e2e"))
    batch_id = add_scored_batch(root, "lot_2025.xlsx", n=1500, seed=8, id_start=20_001)
    cfg = data_config(root)
    with Store(cfg.paths.database) as store:
        drift_report(store, Registry(cfg.paths.models_dir, store), cfg, batch_id, actor=ADMIN)
        scores = load_scores(batch_id, store)
    moved = scores[scores["rule_flags"] == AMOUNT_ABOVE_PNB]
    claim = str((moved if len(moved) else scores)["id"].iloc[0])
    return root, claim


@pytest.fixture(scope="module")
def lang_server(lang_root):
    with serve(lang_root[0]) as url:
        yield url


def _data_strings(root: Path) -> list[str]:
    cfg = data_config(root)
    names = [c.name for c in cfg.schema.columns] + [cfg.auth.local_user.name]
    return sorted(names, key=len, reverse=True)


def _settle(page) -> str:
    """innerText once the page's title is drawn, Streamlit is idle and the text stopped
    changing (three readings 0.7 s apart)."""
    page.locator('[data-testid="stMain"] h1').first.wait_for()
    last, same = None, 0
    while same < 3:
        wait_app_idle(page)
        page.wait_for_timeout(700)
        text = page.evaluate("document.body.innerText")
        same = same + 1 if text == last else 0
        last = text
    return last


def _read_page(page, url: str) -> str:
    """The page's text with every tab opened once and every expander unfolded, and the
    options chosen in select boxes (shown in an input, outside innerText)."""
    page.goto(url)
    texts = [_settle(page)]
    tabs = page.locator('[data-testid="stMain"] [role="tab"]')
    for i in range(tabs.count()):
        tabs.nth(i).click()
        texts.append(_settle(page))
    closed = page.locator('[data-testid="stMain"] details:not([open]) > summary')
    for _ in range(closed.count()):
        if closed.count() == 0:
            break
        closed.first.click()
        texts.append(_settle(page))
    chosen = page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-testid="stSelectbox"]'))
              .map(box => box.innerText + ' ' + Array.from(box.querySelectorAll('input'))
              .map(i => i.value).join(' '))"""
    )
    return "\n".join([*texts, *chosen])


def _pages(claim: str) -> dict[str, str]:
    return {
        "upload": "",
        "thresholds": "thresholds",
        "explain": f"explain?claim={claim}",
        "review": "review",
        "drift": "drift",
        "monitoring": "monitoring",
        "model": "model",
        "journal": "journal",
    }


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_page_is_in_one_language(lang_root, lang_server, browser, lang):
    root, claim = lang_root
    pieces = foreign_pieces(lang)
    numbers = ENGLISH_NUMBERS if lang == "fr" else FRENCH_NUMBERS
    data = _data_strings(root)
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale=LOCALES[lang])
    page = context.new_page()
    page.set_default_timeout(60_000)
    problems: list[str] = []
    try:
        for name, path in _pages(claim).items():
            sep = "&" if "?" in path else "?"
            text = _read_page(page, f"{lang_server}/{path}{sep}lang={lang}")
            assert page.locator('[data-testid="stException"]').count() == 0, name
            title = catalogue(lang)["model_page.title" if name == "model" else f"{name}.title"]
            assert page.locator('[data-testid="stMain"] h1').first.inner_text() == title, name
            for value in data:
                text = text.replace(value, " ")
            flat = " ".join(text.split())
            problems += [f"{name}: text « {p} »" for p in sorted(pieces) if p in flat]
            for line in text.splitlines():
                if numbers.search(line):
                    problems.append(f"{name}: number « {line.strip()[:120]} »")
    finally:
        context.close()
    assert not problems, f"{len(problems)} foreign strings on the {lang} screens:\n" + "\n".join(
        problems
    )


def test_a_decimal_comma_typed_in_the_what_if_stays_a_decimal_comma(lang_root, lang_server, page):
    """Streamlit's own number input reads "10699,69" as 1069969; the what-if field reads it
    as 10 699,69 in French."""
    page.goto(f"{lang_server}/explain?claim={lang_root[1]}&lang=fr")
    _settle(page)
    page.get_by_role("tab", name="Simulation").click()
    field = page.get_by_label(re.compile(r"^Montant demandé \(DH\)"))
    field.fill("10699,69")
    field.press("Enter")
    page.get_by_text(re.compile("→ 10\u202f699,69\u00a0DH")).wait_for()
    text = _settle(page)
    assert "1069969" not in text.replace("\u202f", "").replace(" ", "")
    assert (
        page.locator('[data-testid="stAlert"]').filter(has_text="n'est pas un nombre").count() == 0
    )

"""Every page runs without an exception, in both languages, on an empty database."""

import pytest

from tests.app.conftest import open_page

PAGES = ["upload", "thresholds", "explain", "review", "drift", "monitoring", "model", "journal"]


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_page_runs(app_env, page, lang):
    at = open_page(page, lang=lang)
    assert not at.exception, at.exception
    assert at.title, f"{page} has no title"


def test_french_is_the_default(app_env):
    at = open_page("upload")
    assert at.title[0].value == "Dépôt d'un lot de réclamations"


@pytest.mark.parametrize("page", PAGES)
def test_no_page_is_a_placeholder(app_env, page):
    at = open_page(page)
    assert not any("pas encore construite" in i.value for i in at.info)


def test_the_identity_is_shown_never_typed_and_local_mode_is_marked(app_env):
    at = open_page("upload")
    assert not at.sidebar.text_input  # no free-text name: the actor is the signed-in identity
    shown = " ".join(c.value for c in at.sidebar.caption)
    assert "Utilisateur local" in shown and "administrateur" in shown
    assert any("Mode local" in w.value for w in at.sidebar.warning)
    at.switch_page("views/review.py").run()
    assert any("Mode local" in w.value for w in at.sidebar.warning)


def test_switching_language_in_the_sidebar(app_env):
    at = open_page("upload")
    assert at.title[0].value == "Dépôt d'un lot de réclamations"
    at.sidebar.get("button_group")[0].set_value("en").run()
    assert at.title[0].value == "Upload a batch of claims"
    at.sidebar.get("button_group")[0].set_value(None).run()  # deselecting keeps the language
    assert at.title[0].value == "Upload a batch of claims"

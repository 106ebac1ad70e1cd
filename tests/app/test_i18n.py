"""Both catalogues define the same keys, and every key used by the app exists."""

import re
from pathlib import Path

from app.i18n import catalogue

APP = Path(__file__).resolve().parents[2] / "app"
# t("key"), t_text("key") and t_chart("key") calls
KEY_USE = re.compile(r"""\bt(?:_text|_chart)?\(\s*["']([a-z_]+(?:\.[a-z_0-9]+)+)["']""")


def test_catalogues_have_the_same_keys():
    assert set(catalogue("fr")) == set(catalogue("en"))


def test_every_key_used_in_code_exists():
    used = set()
    for path in APP.rglob("*.py"):
        used |= set(KEY_USE.findall(path.read_text()))
    assert used, "no t() calls found: the scan is broken"
    missing = sorted(used - set(catalogue("fr")))
    assert not missing, f"keys used but not in the catalogue: {missing}"


def test_placeholders_match_between_languages():
    fr, en = catalogue("fr"), catalogue("en")
    for key in fr:
        assert set(re.findall(r"{(\w+)}", fr[key])) == set(re.findall(r"{(\w+)}", en[key])), key

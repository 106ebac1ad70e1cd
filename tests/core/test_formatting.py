from datetime import date

import pandas as pd
import pytest

from core.formatting import (
    Formatter,
    fmt_date,
    fmt_money,
    fmt_number,
    fmt_pct,
    fmt_signed,
    parse_number,
)


def test_french_numbers():
    assert fmt_number(1234567.891, "fr", 2) == "1\u202f234\u202f567,89"
    assert fmt_money(12500, "fr", "DH") == "12\u202f500\u00a0DH"
    assert fmt_pct(0.1234, "fr") == "12,3\u00a0%"
    assert fmt_signed(0.214, "fr") == "+0,21"
    assert fmt_signed(-0.5, "fr") == "−0,50"


def test_english_numbers():
    assert fmt_number(1234567.891, "en", 2) == "1,234,567.89"
    assert fmt_pct(0.5, "en", 0) == "50%"


def test_missing_values_and_dates():
    assert fmt_number(None) == "—"
    assert fmt_number(float("nan")) == "—"
    assert fmt_date(date(2024, 3, 7)) == "07/03/2024"
    assert fmt_date(pd.NaT) == "—"


# ------------------------------------------------------------- one layer, profile currency
def test_formatter_uses_the_profile_currency_and_the_language():
    en = Formatter("en", "USD")
    assert en.money(1926.23, 2) == "1,926.23\u00a0USD"
    assert en.pct(0.1577, 2) == "15.77%"
    assert en.pair(0.3, 0.92) == "0.30 / 0.92"
    assert en.signed_money(-1300) == "−1,300\u00a0USD"
    fr = Formatter("fr", "USD")
    assert fr.money(1926.23, 2) == "1\u202f926,23\u00a0USD"
    assert fr.pct(0.1577, 2) == "15,77\u00a0%"
    assert fr.pair(0.3, 0.92) == "0,30 / 0,92"
    assert fr.signed_money(14) == "+14\u00a0USD"
    assert fr.day(date(2024, 3, 7)) == en.day(date(2024, 3, 7)) == "07/03/2024"
    assert fr.plotly_separators[0] == "," and en.plotly_separators == ".,"


def test_money_needs_a_currency_and_the_formatter_a_known_language():
    with pytest.raises(TypeError):
        fmt_money(12500, "fr")  # type: ignore[call-arg]  # no currency assumed
    with pytest.raises(ValueError):
        Formatter("de", "EUR")
    with pytest.raises(ValueError):
        Formatter("fr", " ")


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("10699,69", "fr", 10699.69),
        ("10 699,69", "fr", 10699.69),
        ("10\u202f699,69", "fr", 10699.69),
        ("10699.69", "fr", 10699.69),  # a point alone is read as the decimal mark
        ("-3,5", "fr", -3.5),
        ("−3,5", "fr", -3.5),
        ("10699.69", "en", 10699.69),
        ("10,699.69", "en", 10699.69),
        ("1,000", "en", 1000.0),
        ("  ", "fr", None),
    ],
)
def test_numbers_typed_in_the_interface_language(text, locale, expected):
    assert parse_number(text, locale) == expected


@pytest.mark.parametrize(
    ("text", "locale"),
    [("10699,69", "en"), ("1.234,5", "fr"), ("12,5,3", "fr"), ("abc", "fr"), ("1,2", "en")],
)
def test_an_ambiguous_number_is_refused_never_multiplied(text, locale):
    with pytest.raises(ValueError):
        parse_number(text, locale)

from datetime import date

import pandas as pd

from core.formatting import fmt_date, fmt_money, fmt_number, fmt_pct, fmt_signed


def test_french_numbers():
    assert fmt_number(1234567.891, "fr", 2) == "1\u202f234\u202f567,89"
    assert fmt_money(12500, "fr") == "12\u202f500\u00a0DH"
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

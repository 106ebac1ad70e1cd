"""The command line writes numbers in its language: the score summary in French and English."""

from __future__ import annotations

import re

from core.cli.main import main
from tests.core.cli.test_cli import claims_file, register


def test_score_summary_numbers_follow_the_language(env, tiny_model, capsys):
    register(tiny_model)
    source = claims_file(env / "lot.xlsx")
    args = ["score", "--input", str(source), "--output", str(env / "r.xlsx")]
    assert main([*args, "--lang", "en"]) == 0
    english = capsys.readouterr().out
    summary = english[english.index("Batch no.") :]
    assert re.search(r"Automation rate: \d+\.\d%", summary), summary
    assert not re.search(r"\d,\d{1,2}(?!\d)|\d\u00a0%|n° ", summary), summary
    assert main([*args, "--lang", "fr"]) == 0
    french = capsys.readouterr().out
    summary = french[french.index("Lot n°") :]
    assert re.search(r"Taux d'automatisation : \d+,\d\u00a0%", summary), summary
    assert not re.search(r"\d\.\d", summary.split("Résultats écrits")[0]), summary

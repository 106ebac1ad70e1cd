"""Every bad input of the foundation issue, uploaded through the page: a report, no traceback.

A file whose problems are errors stores nothing; warnings alone let the batch through.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config.loading import load_config
from core.store.database import Store
from tests.app.conftest import open_page
from tests.core import badfiles as bf


@pytest.mark.parametrize("build", list(bf.BAD_FILES), ids=lambda f: f.__name__)
def test_bad_file_gets_a_report_not_a_traceback(app_env, tmp_path: Path, build):
    path = build(tmp_path)
    at = open_page("upload")
    at.file_uploader[0].set_value((path.name, path.read_bytes(), "application/octet-stream"))
    at.run()
    assert not at.exception, at.exception
    shown = [e.value for e in (*at.error, *at.warning, *at.success)]
    assert any("erreur" in s or "avertissement" in s for s in shown), shown
    problems = at.dataframe[0].value  # the report's table comes first
    assert {"Gravité", "Ligne", "Colonne", "Motif"} <= set(problems.columns)
    assert len(problems) >= 1
    with Store(load_config().paths.database) as store:
        stored = store.list_batches()
    rejected = any("lot refusé" in e.value for e in at.error)
    assert (len(stored) == 0) == rejected, (shown, stored)

"""``python -m core api-token create | revoke | list`` and the ``serve`` command's options."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.cli.main import _parser, main
from core.config.loading import load_config
from core.store.database import Store


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WORKBENCH_MODELS_DIR", str(tmp_path / "models"))
    return tmp_path


def test_a_token_is_printed_once_and_works_until_revoked(data, capsys):
    assert main(["api-token", "create", "crm"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("wbk_") and len(token) > 40
    store = Store(load_config().paths.database)
    assert store.api_stamp(token).caller == "crm"
    assert main(["api-token", "create", "crm"]) == 2  # already active: refused, said why
    assert "révoquez-le d'abord" in capsys.readouterr().err
    assert main(["api-token", "list"]) == 0
    assert "crm" in capsys.readouterr().out
    assert main(["api-token", "revoke", "crm", "--reason", "fin du contrat"]) == 0
    assert store.api_stamp(token).caller is None
    assert main(["api-token", "revoke"]) == 2


def test_serve_takes_host_and_port_from_the_command_or_the_configuration():
    args = _parser().parse_args(["serve", "--port", "8123"])
    assert (args.port, args.host) == (8123, None)
    api = load_config().api
    assert (api.host, api.port) == ("127.0.0.1", 8000)

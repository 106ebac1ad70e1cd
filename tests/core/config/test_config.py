from pathlib import Path

import pytest
import yaml

from core.config.loading import CONFIG_DIR, available_profiles, config_from_dict, load_config
from core.exceptions import ConfigError


def _raw() -> dict:
    return yaml.safe_load((CONFIG_DIR / "default.yaml").read_text(encoding="utf-8"))


def test_default_loads_with_reference_schema():
    cfg = load_config()
    assert cfg.profile == "default"
    assert cfg.locale == "fr"
    assert [c.name for c in cfg.schema.columns if c.required] == [
        "Montant demandé",
        "Famille Produit",
    ]
    assert cfg.schema.by_role("label").name == "Fondée"
    assert cfg.schema.by_role("id").key == "id"
    assert 0 <= cfg.thresholds.low <= cfg.thresholds.high <= 1
    assert cfg.costs.currency == "DH"
    assert cfg.paths.database.name.endswith(".duckdb")
    assert len(cfg.source_hash) == 64


@pytest.mark.parametrize(
    ("mutate", "key"),
    [
        (lambda r: r["costs"].update(audit_kost=1), "costs.audit_kost"),
        (lambda r: r["costs"].update(audit_cost=-5), "costs"),
        (lambda r: r["costs"].update(audit_cost="cheap"), "costs.audit_cost"),
        (lambda r: r["thresholds"].update(low=0.9, high=0.1), "thresholds"),
        (lambda r: r["schema"]["columns"][3].update(type="numbr"), "schema.columns[3]"),
        (lambda r: r["schema"]["columns"][0].update(colour="red"), "schema.columns[0].colour"),
        (
            lambda r: r["rules"]["max_auto_validations"].update(per_client_per_year=1.5),
            "rules.max_auto_validations.per_client_per_year",
        ),
        (
            lambda r: r["rules"]["amount_above_pnb"].update(enabled="yes"),
            "rules.amount_above_pnb.enabled",
        ),
        (lambda r: r.update(locale="de"), "configuration"),
        (lambda r: r.update(unknown_section={}), "unknown_section"),
        (lambda r: r["limits"].update(max_rows=0), "limits"),
        (lambda r: r["paths"].update(db="x"), "paths.db"),
    ],
)
def test_wrong_key_or_value_names_the_key(mutate, key):
    raw = _raw()
    mutate(raw)
    with pytest.raises(ConfigError) as info:
        config_from_dict(raw)
    assert str(info.value).startswith(key), str(info.value)


def test_no_required_column_is_refused():
    raw = _raw()
    for col in raw["schema"]["columns"]:
        col["required"] = False
    with pytest.raises(ConfigError, match="required"):
        config_from_dict(raw)


def test_duplicate_keys_are_refused():
    raw = _raw()
    raw["schema"]["columns"].append({"role": "segment", "name": "Segment bis", "type": "category"})
    with pytest.raises(ConfigError, match="key 'segment'"):
        config_from_dict(raw)


def test_cfpb_profile_merges_over_default():
    cfg = load_config("cfpb")
    assert cfg.profile == "cfpb"
    assert not cfg.schema.has("amount")
    assert not cfg.schema.has("pnb")
    assert cfg.schema.by_role("date").date_format == "%m/%d/%Y"
    assert cfg.schema.label.other_is_negative
    assert "in progress" in cfg.schema.label.unlabelled
    assert cfg.costs.audit_cost == load_config().costs.audit_cost  # untouched keys inherited
    assert cfg.source_hash != load_config().source_hash
    assert "cfpb" in available_profiles()


def test_unknown_profile_lists_available():
    with pytest.raises(ConfigError, match="Available: default"):
        load_config("nope")


def test_invalid_yaml_is_reported(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("costs: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(path=bad)


def test_env_overrides_paths(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("WORKBENCH_MODELS_DIR", str(tmp_path / "m"))
    cfg = load_config()
    assert cfg.paths.database == tmp_path / "d" / "workbench.duckdb"
    assert cfg.paths.models_dir == tmp_path / "m"


def test_config_is_frozen():
    cfg = load_config()
    with pytest.raises(AttributeError):
        cfg.locale = "en"  # type: ignore[misc]

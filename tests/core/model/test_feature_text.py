"""The feature table's descriptions in French and English (stored in English with a model)."""

from __future__ import annotations

import re

import pytest

from core.model.feature_text import DESCRIPTIONS, DESCRIPTIONS_FR, localized_description

LABELS = {"subcategory": "Sous-catégorie", "segment": "Segment"}


def test_every_description_has_a_french_text_with_the_same_fields():
    assert set(DESCRIPTIONS) == set(DESCRIPTIONS_FR)
    for key, english in DESCRIPTIONS.items():
        fields = set(re.findall(r"{\d}", english))
        assert set(re.findall(r"{\d}", DESCRIPTIONS_FR[key])) == fields, key


@pytest.mark.parametrize("key", sorted(DESCRIPTIONS))
def test_a_stored_description_is_rewritten_in_french(key):
    stored = DESCRIPTIONS[key].format("subcategory", 7)
    french = localized_description(stored, "fr", lambda k: LABELS.get(k, k))
    template = DESCRIPTIONS_FR[key]
    assert french in {template.format("Sous-catégorie", 7), template.format("subcategory", 7)}
    assert french != stored


def test_fields_are_kept_and_unknown_text_is_shown_as_stored():
    stored = DESCRIPTIONS["onehot"].format("segment", "Premium")
    assert localized_description(stored, "fr") == (
        "1 quand « segment » vaut « Premium » (un niveau assez fréquent à l'entraînement), sinon 0"
    )
    assert localized_description(stored, "en") == stored
    assert localized_description("A description from elsewhere", "fr") == (
        "A description from elsewhere"
    )

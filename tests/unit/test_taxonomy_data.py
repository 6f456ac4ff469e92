"""The shipped taxonomy file is complete, and the loader rejects broken files.

Pure tests: no app, no database.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from matchmaker.taxonomy import LANGUAGES, VOCABULARIES, TaxonomyError, load_taxonomy

REQUIRED_CODES = {
    "org_kind": {
        "sme",
        "startup",
        "large_company",
        "hospital",
        "university",
        "technology_centre",
        "cluster",
        "investor",
        "public_authority",
        "patient_org",
    },
    "stage": {"concept", "prototype", "pilot", "commercialisation"},
    "seeks": {
        "rd_partner",
        "pilot_site",
        "investment",
        "customers",
        "cluster_membership",
        "consortium_partners",
    },
}

VALID_TAG = """
[[tags]]
code = "{code}"
vocabulary = "{vocabulary}"
labels = {{ pl = "Telemedycyna", en = "Telemedicine", da = "Telemedicin", nb = "Telemedisin" }}
keywords.pl = ["telemedycyna"]
keywords.en = ["telemedicine"]
keywords.da = ["telemedicin"]
keywords.nb = ["telemedisin"]
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "taxonomy.toml"
    path.write_text('version = "test.1"\n' + body, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def test_shipped_file_loads_with_a_version(taxonomy):
    assert taxonomy.version == "2026.2"


def test_shipped_file_has_at_least_60_tags(taxonomy):
    assert len(taxonomy.tags) >= 60


def test_every_tag_has_a_label_in_every_language(taxonomy):
    missing = [
        (tag.code, lang)
        for tag in taxonomy.tags
        for lang in LANGUAGES
        if not tag.labels.get(lang, "").strip()
    ]
    assert missing == []


def test_every_tag_has_keywords_in_every_language(taxonomy):
    missing = [
        (tag.code, lang)
        for tag in taxonomy.tags
        for lang in LANGUAGES
        if not tag.keywords.get(lang)
    ]
    assert missing == []


def test_keywords_are_lowercase(taxonomy):
    upper = [
        word
        for tag in taxonomy.tags
        for lang in LANGUAGES
        for word in tag.keywords[lang]
        if word != word.lower()
    ]
    assert upper == []


def test_codes_are_unique(taxonomy):
    counts = Counter(tag.code for tag in taxonomy.tags)
    assert [code for code, n in counts.items() if n > 1] == []


def test_codes_are_lowercase_ascii_snake_case(taxonomy):
    pattern = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
    assert [tag.code for tag in taxonomy.tags if not pattern.match(tag.code)] == []


def test_every_vocabulary_is_present(taxonomy):
    assert {tag.vocabulary for tag in taxonomy.tags} == set(VOCABULARIES)


@pytest.mark.parametrize("vocabulary", sorted(REQUIRED_CODES))
def test_vocabulary_has_exactly_the_required_codes(taxonomy, vocabulary):
    codes = {tag.code for tag in taxonomy.by_vocabulary(vocabulary)}
    assert codes == REQUIRED_CODES[vocabulary]


def test_category_has_the_ministrys_ten_categories(taxonomy):
    assert len(taxonomy.by_vocabulary("category")) == 10


def test_positions_follow_file_order_within_a_vocabulary(taxonomy):
    stages = taxonomy.by_vocabulary("stage")
    assert [t.code for t in stages] == ["concept", "prototype", "pilot", "commercialisation"]
    assert [t.position for t in stages] == [0, 1, 2, 3]


def test_get_finds_a_tag_by_code_and_returns_none_for_unknown(taxonomy):
    assert taxonomy.get("hospital").label("nb") == "Sykehus / helsetjenesteyter"
    assert taxonomy.get("no_such_code") is None


def test_label_falls_back_to_english_for_an_unknown_language(taxonomy):
    assert taxonomy.get("investor").label("de") == taxonomy.get("investor").label("en")


def test_default_file_is_loaded_once(taxonomy):
    assert load_taxonomy() is taxonomy


def test_small_valid_file_loads(tmp_path):
    path = write(tmp_path, VALID_TAG.format(code="telemedicine", vocabulary="category"))
    loaded = load_taxonomy(path)
    assert loaded.version == "test.1"
    assert [t.code for t in loaded.tags] == ["telemedicine"]


def test_missing_nb_label_is_rejected(tmp_path):
    body = VALID_TAG.format(code="telemedicine", vocabulary="category").replace(
        ', nb = "Telemedisin"', ""
    )
    with pytest.raises(TaxonomyError, match=r"'telemedicine'.*label.*'nb'"):
        load_taxonomy(write(tmp_path, body))


def test_missing_da_keywords_are_rejected(tmp_path):
    body = VALID_TAG.format(code="telemedicine", vocabulary="category").replace(
        'keywords.da = ["telemedicin"]\n', ""
    )
    with pytest.raises(TaxonomyError, match=r"'telemedicine'.*keywords.*'da'"):
        load_taxonomy(write(tmp_path, body))


def test_duplicate_code_is_rejected(tmp_path):
    body = VALID_TAG.format(code="telemedicine", vocabulary="category") + VALID_TAG.format(
        code="telemedicine", vocabulary="capability"
    )
    with pytest.raises(TaxonomyError, match=r"'telemedicine'.*duplicate code"):
        load_taxonomy(write(tmp_path, body))


def test_unknown_vocabulary_is_rejected(tmp_path):
    body = VALID_TAG.format(code="telemedicine", vocabulary="categroy")
    with pytest.raises(TaxonomyError, match=r"unknown vocabulary 'categroy'"):
        load_taxonomy(write(tmp_path, body))


def test_uppercase_keyword_is_rejected(tmp_path):
    body = VALID_TAG.format(code="telemedicine", vocabulary="category").replace(
        '["telemedicine"]', '["Telemedicine"]'
    )
    with pytest.raises(TaxonomyError, match=r"lowercase"):
        load_taxonomy(write(tmp_path, body))


def test_file_without_version_is_rejected(tmp_path):
    path = tmp_path / "taxonomy.toml"
    path.write_text(VALID_TAG.format(code="telemedicine", vocabulary="category"), "utf-8")
    with pytest.raises(TaxonomyError, match=r"version"):
        load_taxonomy(path)

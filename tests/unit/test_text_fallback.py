"""Which language of a user text a reader gets (`i18n.text_language`)."""

from __future__ import annotations

import pytest

from matchmaker.i18n import text_language


def test_a_reader_gets_their_own_language_when_the_item_is_written_in_it():
    assert text_language({"pl", "en", "da"}, "da", "pl") == "da"


def test_a_reader_gets_english_before_the_original():
    assert text_language({"pl", "en"}, "da", "pl") == "en"


def test_a_reader_gets_the_original_when_there_is_no_english():
    assert text_language({"pl", "nb"}, "da", "nb") == "nb"


def test_a_reader_of_the_original_gets_the_original():
    assert text_language({"pl", "en"}, "pl", "pl") == "pl"


def test_without_theirs_english_or_the_original_the_reader_gets_the_first_in_site_order():
    assert text_language({"nb", "pl"}, "da", "en") == "pl"


def test_an_item_written_in_nothing_has_no_language():
    assert text_language(set(), "da", "pl") is None


def test_a_language_the_reader_chose_comes_first():
    assert text_language({"pl", "en", "da"}, "da", "pl", chosen="pl") == "pl"


@pytest.mark.parametrize("chosen", ["xx", "nb", "", None])
def test_a_chosen_language_the_item_is_not_written_in_is_ignored(chosen):
    assert text_language({"pl", "en"}, "da", "pl", chosen=chosen) == "en"


def test_the_rule_takes_any_collection_of_languages_such_as_a_dict_of_texts():
    texts = {"pl": {"title": "Telekardiologia"}, "en": {"title": "Tele-cardiology"}}
    assert text_language(texts, "nb", "pl") == "en"

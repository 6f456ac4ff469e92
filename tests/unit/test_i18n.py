import pytest

from matchmaker.i18n import normalise_language


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("nb-NO", "nb"),
        ("no", "nb"),
        ("nn_NO", "nb"),
        ("pl", "pl"),
        ("da-DK", "da"),
        ("EN-gb", "en"),
        ("de", None),
        ("", None),
        (None, None),
    ],
)
def test_language_tags_map_to_served_languages(tag, expected):
    assert normalise_language(tag) == expected

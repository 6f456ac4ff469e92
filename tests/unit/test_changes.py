from matchmaker.moderation.changes import differences


def base():
    return {
        "name": "Medtech Ltd",
        "city": "Oslo",
        "texts": {"en": {"description": "We build sensors."}},
        "tags": {"capability": ["test_bed"], "need": []},
    }


def test_new_item_shows_every_filled_field_as_added():
    changes = differences(None, base())
    fields = {c["field"] for c in changes}
    assert {"name", "city", "description", "capability"} <= fields


def test_unchanged_item_has_no_differences():
    assert differences(base(), base()) == []


def test_changed_plain_field_shows_old_and_new():
    new = base() | {"city": "Bergen"}
    assert differences(base(), new) == [{"field": "city", "old": "Oslo", "new": "Bergen"}]


def test_text_change_names_its_language():
    new = base()
    new["texts"] = {
        "en": {"description": "We build sensors."},
        "da": {"description": "Vi laver sensorer."},
    }
    assert differences(base(), new) == [
        {"field": "description", "lang": "da", "old": "", "new": "Vi laver sensorer."}
    ]


def test_tag_changes_list_added_and_removed_codes():
    new = base()
    new["tags"] = {"capability": ["living_lab"], "need": []}
    assert differences(base(), new) == [
        {"field": "capability", "tags": True, "added": ["living_lab"], "removed": ["test_bed"]}
    ]

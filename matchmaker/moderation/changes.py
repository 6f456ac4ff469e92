"""Snapshots of what the public sees, and the differences a moderator reviews.

Pure functions over plain data: a snapshot is a JSON-ready dict, so the approved
version can be stored, compared and rendered without the working copy.
"""

from __future__ import annotations

from typing import Any


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items())}
    return value


def snapshot(item: Any, fields: tuple[str, ...], text_fields: tuple[str, ...], roles) -> dict:
    """The public version of an organisation or a project, as plain data."""
    data = {name: _plain(getattr(item, name)) for name in fields}
    data["texts"] = {
        text.lang: {name: getattr(text, name) or "" for name in text_fields}
        for text in sorted(item.texts, key=lambda t: t.lang)
        if any(getattr(text, name) for name in text_fields)
    }
    data["tags"] = {role: item.tag_codes(role) for role in roles}
    return data


def differences(old: dict | None, new: dict) -> list[dict]:
    """Field-by-field changes from `old` (the approved version) to `new`.

    Texts and tags are compared per language and per role, so the moderator sees
    "description (da)" or "capabilities" rather than one huge blob.
    """
    old = old or {}
    changes = []
    for key in new:
        if key in ("texts", "tags"):
            continue
        if old.get(key) != new.get(key):
            changes.append({"field": key, "old": old.get(key), "new": new.get(key)})
    old_texts, new_texts = old.get("texts", {}), new.get("texts", {})
    for lang in sorted(set(old_texts) | set(new_texts)):
        before, after = old_texts.get(lang, {}), new_texts.get(lang, {})
        for name in sorted(set(before) | set(after)):
            if before.get(name, "") != after.get(name, ""):
                changes.append(
                    {
                        "field": name,
                        "lang": lang,
                        "old": before.get(name, ""),
                        "new": after.get(name, ""),
                    }
                )
    old_tags, new_tags = old.get("tags", {}), new.get("tags", {})
    for role in sorted(set(old_tags) | set(new_tags)):
        before, after = set(old_tags.get(role, [])), set(new_tags.get(role, []))
        if before != after:
            changes.append(
                {
                    "field": role,
                    "tags": True,
                    "added": sorted(after - before),
                    "removed": sorted(before - after),
                }
            )
    return changes

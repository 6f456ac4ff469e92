"""Every pl/da/nb message is translated, with the same placeholders, and none is stale."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = ("pl", "da", "nb")


def catalogue(lang: str):
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=lang)


def strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_message_is_missing_or_fuzzy(lang):
    missing = [m.id for m in catalogue(lang) if m.id and (m.fuzzy or not all(strings(m)))]
    assert missing == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_placeholders_and_plural_forms_match_the_source(lang):
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalogue(lang).check()]
    assert problems == []


def test_polish_has_three_plural_forms():
    plurals = [m for m in catalogue("pl") if m.pluralizable and m.id]
    assert plurals, "expected plural messages"
    assert all(len(m.string) == 3 for m in plurals)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_has_no_obsolete_messages(lang):
    assert list(catalogue(lang).obsolete) == []


def extracted_ids(tmp_path) -> set:
    pybabel = shutil.which("pybabel", path=str(Path(sys.executable).parent))
    assert pybabel, "pybabel not installed"
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            pybabel,
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "N_",
            "-k",
            "NP_:1,2",
            "--no-location",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        return {m.id for m in read_po(f) if m.id}


@pytest.mark.parametrize("lang", ("pl", "en", "da", "nb"))
def test_catalogue_is_current_with_the_code(tmp_path, lang):
    """Every string in the code is in the catalogue, and nothing else is (`make update-messages`)."""
    in_code = extracted_ids(tmp_path)
    in_catalogue = {m.id for m in catalogue(lang) if m.id}
    assert sorted(map(str, in_code - in_catalogue)) == [], "run `make update-messages`"
    assert sorted(map(str, in_catalogue - in_code)) == [], "stale messages: `make update-messages`"

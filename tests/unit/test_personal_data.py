"""The registry of personal data, and shared packages importing no feature."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import matchmaker
from matchmaker import personal_data

PACKAGE = Path(matchmaker.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "matchmaker":
                found.update(f"matchmaker.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
    return found


def project_modules(path: Path) -> set[str]:
    return {name for name in imported_modules(path) if name.split(".")[0] == "matchmaker"}


def test_the_registry_imports_nothing_of_the_project():
    assert project_modules(PACKAGE / "personal_data.py") == set()


def test_the_accounts_data_imports_no_feature_but_the_organisations_it_must_hand_over():
    allowed_packages = {"matchmaker.accounts", "matchmaker.extensions", "matchmaker.personal_data"}
    # sole_owned: an organisation's only owner hands it over before the account goes.
    allowed_modules = {"matchmaker.organisations.models"}
    imported = project_modules(PACKAGE / "accounts" / "data.py")
    strays = {
        name
        for name in imported - allowed_modules
        if not any(name == p or name.startswith(p + ".") for p in allowed_packages)
    }
    assert strays == set()
    assert "matchmaker.personal_data" in imported


@pytest.fixture
def own_sections(monkeypatch):
    """Sections declared in a test are forgotten after it."""
    monkeypatch.setattr(personal_data, "SECTIONS", dict(personal_data.SECTIONS))


def test_declaring_again_replaces_but_another_module_cannot_take_the_key(own_sections):
    def export(user):
        return []

    personal_data.declare("test_notes", export=export, order=90)
    personal_data.declare("test_notes", export=export, order=95)  # a second import
    assert personal_data.SECTIONS["test_notes"].order == 95

    def another_features_export(user):
        return []

    another_features_export.__module__ = "matchmaker.another_feature.personal_data"
    with pytest.raises(personal_data.KeyTaken):
        personal_data.declare("test_notes", export=another_features_export, order=90)

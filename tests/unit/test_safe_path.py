"""The one gate for redirect targets: only paths on this site pass."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matchmaker.web import safe_path

SITE = "https://matchmaker.example.org"

# Known ways to turn a "path" into another site, a script or a data URL.
BYPASSES = [
    "//evil.example",
    "///evil.example",
    "////evil.example/x",
    "/\t/evil.example",
    "/%09/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/%0d%0a/evil.example",
    "/%0a/evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "\\/evil.example",
    "/%5Cevil.example",
    "/%5c%5cevil.example",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "/%252F/evil.example",
    "/%25252F%25252Fevil.example",
    " //evil.example",
    "\x00//evil.example",
    "\x01/\x01/evil.example",
    "https://evil.example",
    "https:evil.example",
    "http:/evil.example",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    "java\tscript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//user@evil.example",
    "//matchmaker.example.org@evil.example",
    "/\\matchmaker.example.org@evil.example",
    "https://matchmaker.example.org@evil.example/",
    "\uff0f\uff0fevil.example",  # full-width solidus
    "/\uff0fevil.example",
    "\u2024\u2024/evil.example",  # one-dot leader: not a path at all
    "//evil\u3002example",  # ideographic full stop as a dot
    "//xn--80ak6aa92e.com",  # an IDN look-alike
    "//\u0430\u0440\u0440\u04cf\u0435.com",  # "apple" in Cyrillic letters
    "evil.example",
    "./evil",
    "?next=/x",
    "#x",
    "",
    "   ",
]

SAME_SITE = [
    ("/en/account/settings", "/en/account/settings"),
    ("/pl/projects?q=telemedycyna&page=2", "/pl/projects?q=telemedycyna&page=2"),
    ("/en/projects?", "/en/projects"),
    ("/da/organisations/12#kontakt", "/da/organisations/12#kontakt"),
    ("/en/projects?q=%2F%2Fnot-a-host", "/en/projects?q=%2F%2Fnot-a-host"),
    ("/en/@anna", "/en/@anna"),
    ("/nb/søk", "/nb/søk"),
    ("/en/a\tb", "/en/ab"),  # a browser drops the tab too
]


@pytest.mark.parametrize("target", BYPASSES)
def test_a_known_bypass_is_refused(target):
    assert safe_path(target) is None


@pytest.mark.parametrize(("target", "expected"), SAME_SITE)
def test_a_path_on_this_site_is_kept(target, expected):
    assert safe_path(target) == expected


def test_no_target_is_refused():
    assert safe_path(None) is None


def where_a_browser_goes(target: str) -> tuple[str, str]:
    """The scheme and host a browser on a page of this site would go to for `target`:
    tabs and line breaks dropped, C0 controls and spaces trimmed, backslashes as slashes."""
    cleaned = re.sub(r"[\t\n\r]", "", target).strip("".join(map(chr, range(0x21))))
    parts = urlsplit(urljoin(SITE + "/en/account/login", cleaned.replace("\\", "/")))
    return parts.scheme, parts.netloc


URL_ALPHABET = st.sampled_from(
    [*"/\\:@.?#%&=-_ \t\r\n\x00\x0b", "%2F", "%5C", "%09", "%25", "evil", "example", "\uff0f"]
)


@given(st.one_of(st.text(), st.lists(URL_ALPHABET, max_size=12).map("".join)))
def test_whatever_passes_stays_on_this_site(target):
    result = safe_path(target)
    if result is not None:
        assert result.startswith("/")
        assert where_a_browser_goes(result) == ("https", "matchmaker.example.org")
        assert safe_path(result) == result  # the gate is stable: a second pass changes nothing

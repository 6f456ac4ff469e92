"""Web addresses as people copy them from their browser: the scheme is added, not demanded."""

from __future__ import annotations

import pytest

from matchmaker.forms import NotAWebAddress, normalise_web_address


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("www.example.dk", "https://www.example.dk"),
        ("example.pl", "https://example.pl"),
        ("  www.example.no/om-oss  ", "https://www.example.no/om-oss"),
        ("example.dk:8080/side?x=1#top", "https://example.dk:8080/side?x=1#top"),
        ("æblegrød.dk", "https://æblegrød.dk"),
        ("xn--blegrd-pua5g.dk", "https://xn--blegrd-pua5g.dk"),
        ("//cdn.example.org/a", "https://cdn.example.org/a"),
        ("https://www.example.org", "https://www.example.org"),
        ("http://www.example.org", "http://www.example.org"),
        ("HTTPS://Example.ORG/Path", "https://Example.ORG/Path"),
        ("https://sub.domain.example.co.uk/a/b", "https://sub.domain.example.co.uk/a/b"),
    ],
)
def test_web_addresses_are_completed(text, address):
    assert normalise_web_address(text) == address


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<b>x</b>",
        "mailto:someone@example.org",
        "someone@example.org",
        "https://bank.example.org@evil.example.com",
        "ftp://example.org",
        "file:///etc/passwd",
        "localhost",
        "localhost:8000",
        "example",
        "https://example",
        "https://",
        "http:/example.org",
        "www.exa mple.dk",
        "www.example.dk is our site",
        "www.example.dk\nwww.other.dk",
        "example.dk.",
        "example.123",
        "-example.dk",
        "example_.dk",
        "https://example.dk:99999",
        "https://example.dk:port",
        'www.example.dk/"onmouseover=',
        "www.example.dk/<script>",
        "https://example.dk\\@evil.com",
    ],
)
def test_what_is_not_a_web_address_is_refused(text):
    with pytest.raises(NotAWebAddress):
        normalise_web_address(text)

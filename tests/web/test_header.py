"""The header: the public links, one account menu (a <details>) or Log in and Register, the
language switcher."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from matchmaker.contacts import services as contacts
from tests.factories import UserFactory, make_organisation, publish, sync_taxonomy
from tests.web.helpers import log_in, translated

# Forms, uploads and rendering: CI runs them on SQLite only (tests/conftest.py).
pytestmark = pytest.mark.same_on_any_database

LANGS = ["pl", "en", "da", "nb"]
ACCOUNT_LINKS = {
    "My organisations": "/{lang}/my/organisations/",
    "My events": "/{lang}/events/mine",
    "Contact requests": "/{lang}/contacts/inbox",
    "Notifications": "/{lang}/notifications/",
    "Saved searches": "/{lang}/account/saved-searches/",
    "Account settings": "/{lang}/account/settings",
}


class Node:
    def __init__(self, tag: str, attrs: dict, parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join(" ".join(parts).split())

    def find_all(self, tag: str, **attrs) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if child.tag == tag and all(
                    value in (child.attrs.get(key) or "").split() for key, value in attrs.items()
                ):
                    found.append(child)
                found.extend(child.find_all(tag, **attrs))
        return found

    def walk(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.walk()


class Tree(HTMLParser):
    VOID = {"meta", "link", "input", "br", "img", "hr", "source"}

    def __init__(self, html: str) -> None:
        super().__init__()
        self.root = self.current = Node("#document", {}, None)
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in self.VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def header(client, url: str) -> Node:
    html = client.get(url).get_data(as_text=True)
    [found] = Tree(html).root.find_all("header")
    return found


def links(node: Node) -> dict[str, str]:
    return {a.text(): a.attrs["href"] for a in node.find_all("a")}


t = translated


@pytest.fixture
def member(app):
    return UserFactory(email="member@example.org", name="Maja Member")


@pytest.mark.parametrize("lang", LANGS)
def test_logged_out_the_header_has_log_in_and_register_and_no_account_menu(client, lang):
    top = header(client, f"/{lang}/")
    assert top.find_all("details", **{"class": "account-menu"}) == []
    [guest] = top.find_all("ul", **{"class": "guest-links"})
    assert links(guest) == {
        t(lang, "Log in"): f"/{lang}/account/login",
        t(lang, "Register"): f"/{lang}/account/register",
    }
    assert top.find_all("form") == []


@pytest.mark.parametrize("lang", LANGS)
def test_logged_in_one_account_menu_holds_the_account_links_and_log_out(client, member, lang):
    log_in(client, "member@example.org", lang=lang)
    top = header(client, f"/{lang}/")
    [menu] = top.find_all("details")
    assert menu.attrs["class"] == "account-menu"
    assert "open" not in menu.attrs
    [summary] = menu.find_all("summary")
    assert "Maja Member" in summary.text()
    assert top.find_all("ul", **{"class": "guest-links"}) == []
    found = links(menu)
    for label, href in ACCOUNT_LINKS.items():
        assert found[t(lang, label)] == href.format(lang=lang)
    assert t(lang, "Review queue") not in found
    # The one form in the header: log out, by POST, with its CSRF token, inside the menu.
    [form] = top.find_all("form")
    assert form in list(menu.walk())
    assert (form.attrs["method"], form.attrs["action"]) == ("post", f"/{lang}/account/logout")
    [token] = form.find_all("input", name="csrf_token")
    assert token.attrs["type"] == "hidden" and token.attrs["value"]
    assert form.find_all("button")[0].text() == t(lang, "Log out")


def test_the_moderator_sees_the_review_queue_in_the_menu(client, app):
    UserFactory(email="mod@example.org", role="moderator")
    log_in(client, "mod@example.org")
    [menu] = header(client, "/en/").find_all("details", **{"class": "account-menu"})
    assert links(menu)["Review queue"] == "/en/moderation/"


def test_the_public_links_come_before_the_account_menu_and_the_language_switcher_last(
    client, member
):
    log_in(client, "member@example.org")
    top = header(client, "/en/")
    order = [
        node.attrs.get("class", node.tag)
        for node in top.walk()
        if (node.tag, node.attrs.get("class"))
        in {("ul", "public-links"), ("details", "account-menu")}
        or node.attrs.get("class") == "language-switcher"
    ]
    assert order == ["public-links", "account-menu", "language-switcher"]
    [public] = top.find_all("ul", **{"class": "public-links"})
    assert list(links(public)) == ["Projects", "Organisations", "Map", "Events"]


def test_the_unread_badge_shows_on_the_menu_button_and_beside_contact_requests(client, member):
    sync_taxonomy()
    moderator = UserFactory(role="moderator")
    sender = UserFactory(email="sender@example.org")
    theirs = make_organisation(sender, name="Sender Health")
    ours = make_organisation(member, name="Our Hospital", kind="hospital")
    publish("organisation", theirs, moderator)
    publish("organisation", ours, moderator)
    log_in(client, "member@example.org")
    [menu] = header(client, "/en/").find_all("details", **{"class": "account-menu"})
    assert menu.find_all("span", **{"class": "badge-count"}) == []

    contacts.send(
        sender, sender_org_id=theirs.id, recipient_org_id=ours.id, message="Shall we talk?"
    )
    [menu] = header(client, "/en/").find_all("details", **{"class": "account-menu"})
    [summary] = menu.find_all("summary")
    [badge] = summary.find_all("span", id="contact-badge")
    assert badge.find_all("span", **{"class": "badge-count"})[0].text() == "1"
    assert "1 new request" in badge.find_all("span", **{"class": "visually-hidden"})[0].text()
    [inbox] = [a for a in menu.find_all("a") if a.attrs["href"] == "/en/contacts/inbox"]
    assert inbox.text().startswith("Contact requests 1")

    # The poll refreshes the button's count and, out of band, the one inside the menu.
    poll = client.get("/en/contacts/badge", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="contact-badge-menu" hx-swap-oob="true"' in poll
    assert poll.count('class="badge badge-count">1<') == 2

    client.get("/en/contacts/inbox")  # opening the inbox reads the request
    [menu] = header(client, "/en/").find_all("details", **{"class": "account-menu"})
    assert menu.find_all("span", **{"class": "badge-count"}) == []


def test_the_link_to_the_current_page_is_marked_current(client, member):
    log_in(client, "member@example.org")
    top = header(client, "/en/notifications/")
    current = [a.attrs["href"] for a in top.find_all("a") if a.attrs.get("aria-current") == "page"]
    assert current == ["/en/notifications/"]


def heard(node: Node, shown_apart: str) -> str:
    """The text a screen reader reads in `node`: without what aria-hidden hides, nor the
    label app.css hides at this width (`shown_apart`: the class of the one not shown)."""
    parts = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(child)
        elif (
            child.attrs.get("aria-hidden") != "true"
            and shown_apart not in (child.attrs.get("class") or "").split()
        ):
            parts.append(heard(child, shown_apart))
    return " ".join("".join(parts).split())


def new_requests(lang: str, count: int) -> str:
    from flask_babel import force_locale, ngettext

    with force_locale(lang):
        return ngettext("%(count)s new request", "%(count)s new requests", count, count=count)


@pytest.mark.parametrize("lang", LANGS)
def test_a_screen_reader_hears_the_unread_count_once_after_the_buttons_name(client, member, lang):
    """The badge's number is for the eye (aria-hidden); words say the count once, after the
    name: "Maja Member, 2 new requests" on a wide screen, "Menu, 2 new requests" on a phone,
    "Contact requests, 2 new requests" in the menu, and the same after each poll."""
    sync_taxonomy()
    moderator = UserFactory(role="moderator")
    ours = make_organisation(member, name="Our Hospital", kind="hospital")
    publish("organisation", ours, moderator)
    for name in ("Sender Health", "Fjord Telecare"):
        sender = UserFactory()
        theirs = make_organisation(sender, name=name)
        publish("organisation", theirs, moderator)
        contacts.send(sender, sender_org_id=theirs.id, recipient_org_id=ours.id, message="Hello?")
    log_in(client, "member@example.org", lang=lang)
    words = new_requests(lang, 2)

    [menu] = header(client, f"/{lang}/").find_all("details", **{"class": "account-menu"})
    [summary] = menu.find_all("summary")
    [number] = summary.find_all("span", **{"class": "badge-count"})
    assert (number.text(), number.attrs.get("aria-hidden")) == ("2", "true")
    assert heard(summary, "menu-label-narrow") == f"Maja Member, {words}"  # wide screens
    assert heard(summary, "menu-label-wide") == f"{t(lang, 'Menu')}, {words}"  # phones
    [inbox] = [a for a in menu.find_all("a") if a.attrs["href"] == f"/{lang}/contacts/inbox"]
    [number] = inbox.find_all("span", **{"class": "badge-count"})
    assert (number.text(), number.attrs.get("aria-hidden")) == ("2", "true")
    assert heard(inbox, "") == f"{t(lang, 'Contact requests')}, {words}"

    # The poll's answer, which replaces both badges, says it the same way.
    poll = client.get(f"/{lang}/contacts/badge", headers={"HX-Request": "true"})
    spans = Tree(poll.get_data(as_text=True)).root.find_all("span")
    for badge_id in ("contact-badge", "contact-badge-menu"):
        [badge] = [span for span in spans if span.attrs.get("id") == badge_id]
        assert heard(badge, "") == f", {words}"
        [number] = badge.find_all("span", **{"class": "badge-count"})
        assert (number.text(), number.attrs.get("aria-hidden")) == ("2", "true")

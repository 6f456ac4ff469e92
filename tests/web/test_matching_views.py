"""Match lists on the public pages: published only, translated reasons, pages, dismissals."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from matchmaker.matching import present
from matchmaker.matching.reasons import REASON_ARGS, Reason
from matchmaker.matching.rules import PURPOSES
from tests.factories import UserFactory, make_organisation, make_project, publish, sync_taxonomy
from tests.web.helpers import log_in, translated

HX_CSRF_RE = re.compile(r'"X-CSRFToken": "([^"]+)"')


def csrf_token(client, url: str) -> str:
    """The session's token as every page gives it to HTMX (forms only show to members)."""
    match = HX_CSRF_RE.search(client.get(url).get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


# One example of every reason, with arguments of the right shape.
EXAMPLE_ARGS = {
    "offers_needed": {"tags": ("clinical_validation", "test_bed"), "text_tags": ("biobank",)},
    "needs_offered": {"tags": (), "text_tags": ("remote_monitoring",)},
    "shared_categories": {"tags": ("ehealth_telemedicine",)},
    "shared_specialisations": {"tags": ("cardiology", "oncology")},
    "shared_focus_areas": {"tags": ("digital_health",)},
    "seeks_kind": {"seeks": ("pilot_site",), "kind": "hospital", "seeker": "subject"},
    "complementary_kinds": {
        "purpose": "pilot",
        "subject_kind": "sme",
        "candidate_kind": "hospital",
    },
    "investor_stage": {"stage": "pilot"},
    "stage_not_preferred": {"stage": "concept", "preferred_stages": ("pilot", "commercialisation")},
    "ticket_fits": {
        "funding_min": 300_000,
        "funding_max": 800_000,
        "ticket_min": 250_000,
        "ticket_max": 2_000_000,
    },
    "ticket_overlaps": {
        "funding_min": 300_000,
        "funding_max": 800_000,
        "ticket_min": 500_000,
        "ticket_max": None,
    },
    "ticket_too_small": {
        "funding_min": 3_000_000,
        "funding_max": None,
        "ticket_min": None,
        "ticket_max": 1_000_000,
    },
    "ticket_too_large": {
        "funding_min": None,
        "funding_max": 100_000,
        "ticket_min": 1_000_000,
        "ticket_max": None,
    },
    "same_region": {"region": "PL-DS"},
    "covers_region": {"region": "PL-DS", "covered_by": "candidate"},
    "same_country": {"country": "PL"},
    "cross_border_wanted": {"wanted_by": "candidate", "country": "DK"},
    "shared_language": {"languages": ("en",)},
    "readable_language": {"subject_languages": ("nb",), "candidate_languages": ("da",)},
    "bridge_language": {
        "bridge": "en",
        "subject_languages": ("da",),
        "candidate_languages": ("en", "pl"),
    },
    "seeks_investment": {},
    "seeks_no_investment": {"seeks": ("pilot_site", "rd_partner")},
    "no_shared_language": {"subject_languages": ("pl",), "candidate_languages": ("da", "nb")},
    "like_dismissed": {"why": ("too_far", "wrong_field")},
}


# --- sentences ------------------------------------------------------------------------


def test_every_reason_code_has_a_sentence():
    assert set(present.SENTENCES) == set(REASON_ARGS)
    assert set(EXAMPLE_ARGS) == set(REASON_ARGS)


def test_every_purpose_of_complementary_kinds_has_a_sentence():
    assert set(present.PURPOSE_SENTENCES) == set(PURPOSES)


@pytest.mark.parametrize("lang", ["pl", "en", "da", "nb"])
@pytest.mark.parametrize("subject_type", ["project", "organisation"])
def test_every_reason_reads_as_a_whole_sentence_in_every_language(app, lang, subject_type):
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        for code, args in EXAMPLE_ARGS.items():
            text = present.reason_text(Reason(code, args), subject_type)
            assert text and "%(" not in text and "_" not in text, (code, text)


def test_reasons_use_taxonomy_labels_place_names_and_amounts(app):
    with app.test_request_context("/en/"), force_locale("en"):
        offers = present.reason_text(
            Reason("offers_needed", EXAMPLE_ARGS["offers_needed"]), "project"
        )
        region = present.reason_text(
            Reason("covers_region", EXAMPLE_ARGS["covers_region"]), "project"
        )
        ticket = present.reason_text(Reason("ticket_fits", EXAMPLE_ARGS["ticket_fits"]), "project")
        languages = present.reason_text(
            Reason("no_shared_language", EXAMPLE_ARGS["no_shared_language"]), "project"
        )
    assert offers.startswith("Offers what you need: ") and " and " in offers
    assert region == "Covers your region: Lower Silesia"
    assert "€250,000–€2,000,000" in ticket and "€300,000–€800,000" in ticket  # noqa: RUF001
    assert (
        languages
        == "No working language in common: you work in Polish, they work in Danish and Norwegian Bokmål"
    )


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "No working language in common, but English can bridge it: you work in Danish, "
               "they work in English and Polish"),
        ("da", "Intet fælles arbejdssprog, men engelsk kan slå bro: du arbejder på dansk, "
               "de arbejder på engelsk og polsk"),
    ],
)  # fmt: skip
def test_a_bridge_language_names_itself_and_both_sides(app, lang, expected):
    reason = Reason("bridge_language", EXAMPLE_ARGS["bridge_language"])
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        assert present.reason_text(reason, "project") == expected


def test_plural_forms_follow_the_number_of_tags(app):
    with app.test_request_context("/en/"), force_locale("en"):
        one = present.reason_text(
            Reason("shared_categories", {"tags": ("mobile_apps",)}), "project"
        )
        two = present.reason_text(
            Reason("shared_categories", {"tags": ("mobile_apps", "medical_devices")}), "project"
        )
    assert one.startswith("Innovation category in common:")
    assert two.startswith("Innovation categories in common:")


# --- pages ----------------------------------------------------------------------------


@pytest.fixture
def world(app):
    sync_taxonomy()
    moderator = UserFactory(role="moderator")
    owner = UserFactory(email="owner@example.org")
    startup = make_organisation(
        owner,
        name="Heart Start-up",
        kind="startup",
        country="PL",
        region="PL-DS",
        working_languages=["pl", "en"],
        # It offers what its own project needs: only the exclusion keeps it off the list.
        tags={"capability": ["clinical_validation"]},
    )
    publish("organisation", startup, moderator)
    project = make_project(
        startup,
        tags={
            "need": ["clinical_validation"],
            "category": ["ehealth_telemedicine"],
            "seeks": ["pilot_site"],
        },
    )
    publish("project", project, moderator)
    hospital = make_organisation(
        UserFactory(email="hospital@example.org"),
        name="Wrocław Clinical Hospital",
        kind="hospital",
        country="PL",
        region="PL-DS",
        working_languages=["pl"],
        tags={"capability": ["clinical_validation", "test_bed"]},
    )
    publish("organisation", hospital, moderator)
    draft = make_organisation(
        UserFactory(),
        name="Draft Hospital",
        kind="hospital",
        tags={"capability": ["clinical_validation"]},
    )
    draft_project = make_project(startup, texts={"en": {"title": "Unpublished idea"}})
    return {
        "owner": owner,
        "startup": startup,
        "project": project,
        "hospital": hospital,
        "draft": draft,
        "draft_project": draft_project,
    }


def _names(page: str) -> list[str]:
    return re.findall(r'<h3 class="match-name"><a [^>]*>([^<]+)</a>', page)


def test_partner_list_shows_published_matches_with_score_and_reasons(client, world):
    page = client.get(f"/en/projects/{world['project'].id}/matches/partners").get_data(as_text=True)
    assert _names(page) == ["Wrocław Clinical Hospital"]
    assert f'href="/en/organisations/{world["hospital"].id}"' in page
    assert re.search(r"Score \d+ of 100", page)
    assert "Offers what you need: Clinical validation" in page
    assert "Draft Hospital" not in page


def test_own_organisation_is_never_listed(client, world):
    page = client.get(f"/en/projects/{world['project'].id}/matches/partners").get_data(as_text=True)
    assert "Heart Start-up" not in _names(page)


@pytest.mark.parametrize(
    "url",
    [
        "/en/projects/{draft_project}/matches/partners",
        "/en/projects/999999/matches/partners",
        "/en/organisations/{draft}/matches/partners",
        "/en/organisations/{hospital}/matches/projects",  # not an investor
        "/en/projects/{project}/matches/projects",  # no such list for a project
    ],
)
def test_unpublished_unknown_or_missing_lists_are_not_found(client, world, url):
    ids = {name: world[name].id for name in ("draft_project", "draft", "hospital", "project")}
    assert client.get(url.format(**ids)).status_code == 404


def test_reasons_are_translated_into_polish(client, world):
    page = client.get(f"/pl/projects/{world['project'].id}/matches/partners").get_data(as_text=True)
    with force_locale("pl"):
        expected = translated("pl", "Offers what you need: %(tags)s", tags="Walidacja kliniczna")
    assert expected in page
    assert translated("pl", "Matches") in page


def test_htmx_gets_the_section_alone_with_the_same_matches(client, world):
    url = f"/en/projects/{world['project'].id}/matches/partners"
    full = client.get(url).get_data(as_text=True)
    fragment = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="matches"')
    assert "<html" not in fragment
    assert _names(fragment) == _names(full)
    assert 'aria-current="page"' in fragment


def test_project_page_has_tabs_that_work_as_links(client, world):
    page = client.get(f"/en/projects/{world['project'].id}").get_data(as_text=True)
    for name in ("partners", "investors", "clusters"):
        url = f"/en/projects/{world['project'].id}/matches/{name}"
        assert f'href="{url}" hx-get="{url}"' in page


def test_only_investors_have_recommended_projects(client, world):
    page = client.get(f"/en/organisations/{world['hospital'].id}").get_data(as_text=True)
    assert f"/organisations/{world['hospital'].id}/matches/partners" in page
    assert "/matches/projects" not in page


def test_lists_are_paged_twenty_at_a_time(client, app):
    sync_taxonomy()
    moderator = UserFactory(role="moderator")
    fund = make_organisation(
        UserFactory(),
        name="Fund",
        kind="investor",
        tags={"category": ["ehealth_telemedicine"], "preferred_stage": ["pilot"]},
    )
    publish("organisation", fund, moderator)
    for number in range(21):
        org = make_organisation(UserFactory(), name=f"Start-up {number}", kind="startup")
        publish("organisation", org, moderator)
        publish("project", make_project(org), moderator)
    url = f"/en/organisations/{fund.id}/matches/projects"
    first = client.get(url).get_data(as_text=True)
    second = client.get(url + "?page=2").get_data(as_text=True)
    assert len(_names(first)) == 20 and len(_names(second)) == 1
    assert "Page 1 of 2" in first and f'href="{url}?page=2"' in first
    assert "21 recommended projects" in first


# --- dismissals -----------------------------------------------------------------------


def _dismiss(client, world, action="dismiss", token=None, **headers):
    url = f"/en/projects/{world['project'].id}/matches/partners"
    token = token if token is not None else csrf_token(client, url)
    return client.post(
        f"{url}/{action}",
        data={"csrf_token": token, "item_type": "organisation", "item_id": world["hospital"].id},
        headers=headers,
    )


def test_a_member_can_dismiss_a_match_and_undo_it(client, world):
    log_in(client, "owner@example.org")
    url = f"/en/projects/{world['project'].id}/matches/partners"
    assert _dismiss(client, world).status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert _names(page) == []
    assert "hidden from your lists as not relevant" in page
    assert "1 match hidden as not relevant" in page
    assert _dismiss(client, world, action="undo").status_code == 303
    assert _names(client.get(url).get_data(as_text=True)) == ["Wrocław Clinical Hospital"]


def test_dismissal_with_htmx_returns_the_updated_section(client, world):
    log_in(client, "owner@example.org")
    response = _dismiss(client, world, **{"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith("<section")
    assert _names(body) == [] and "Show again" in body


def test_dismissals_hold_for_the_whole_organisation(client, world):
    log_in(client, "owner@example.org")
    _dismiss(client, world)
    page = client.get(f"/en/organisations/{world['startup'].id}/matches/partners").get_data(
        as_text=True
    )
    assert "Wrocław Clinical Hospital" not in _names(page)


def test_another_organisations_user_cannot_dismiss(client, world):
    log_in(client, "hospital@example.org")
    assert _dismiss(client, world).status_code == 403
    page = client.get(f"/en/projects/{world['project'].id}/matches/partners").get_data(as_text=True)
    assert _names(page) == ["Wrocław Clinical Hospital"]
    assert "Not relevant" not in page


def test_anonymous_visitors_cannot_dismiss(client, world):
    assert _dismiss(client, world).status_code == 403


def test_dismissal_needs_a_csrf_token(client, world):
    log_in(client, "owner@example.org")
    assert _dismiss(client, world, token="").status_code == 400
    page = client.get(f"/en/projects/{world['project'].id}/matches/partners").get_data(as_text=True)
    assert _names(page) == ["Wrocław Clinical Hospital"]


def test_an_investor_reads_the_reasons_from_its_own_side(client, world):
    fund = make_organisation(
        UserFactory(),
        name="Baltic Seed Fund",
        kind="investor",
        ticket_min_eur=250_000,
        tags={"preferred_stage": ["pilot"], "category": ["ehealth_telemedicine"]},
    )
    publish("organisation", fund, UserFactory(role="moderator"))
    page = client.get(f"/en/organisations/{fund.id}/matches/projects").get_data(as_text=True)
    assert _names(page) == ["Home monitoring for heart failure"]
    assert "At a stage you invest in: Pilot" in page
    assert "Heart Start-up" in page  # the project's organisation, beside it
    partners = client.get(f"/en/projects/{world['project'].id}/matches/investors")
    assert "Invests at your stage: Pilot" in partners.get_data(as_text=True)


def test_home_page_offers_a_members_published_items_and_their_lists(app, client):
    sync_taxonomy()
    moderator = UserFactory(role="moderator")
    owner = UserFactory(email="home-owner@example.org")
    organisation = make_organisation(owner, name="Home Telecare AS")
    publish("organisation", organisation, moderator)
    project = make_project(organisation)
    publish("project", project, moderator)
    draft = make_project(
        organisation,
        texts={"en": {"title": "Unsubmitted idea", "summary": "S.", "description": "D."}},
    )
    anonymous_page = client.get("/en/").get_data(as_text=True)
    assert "Your matches" not in anonymous_page

    log_in(client, "home-owner@example.org")
    page = client.get("/pl/").get_data(as_text=True)
    assert translated("pl", "Your matches") in page
    assert f"/pl/projects/{project.id}/matches/partners" in page
    assert f"/pl/organisations/{organisation.id}/matches/partners" in page
    # The draft is on the to-do list above (submit it), not among the lists of matches.
    matches = page[page.index('aria-labelledby="mine-heading"') :]
    assert "Unsubmitted idea" not in matches and f"/projects/{draft.id}/matches" not in page
    # The first item's lists load in place (htmx), as on its own page.
    assert f'hx-get="/pl/projects/{project.id}/matches/partners"' in page


def test_home_page_of_someone_without_published_items_has_no_match_section(app, client):
    UserFactory(email="lonely@example.org")
    log_in(client, "lonely@example.org")
    assert "Your matches" not in client.get("/en/").get_data(as_text=True)


def test_a_ticket_that_misses_says_by_how_much(app):
    with app.test_request_context("/en/"), force_locale("en"):
        short = Reason("ticket_too_small", EXAMPLE_ARGS["ticket_too_small"])
        assert present.reason_text(short, "project") == (
            "Ticket size up to €1,000,000 is €2,000,000 below the funding you seek "
            "(from €3,000,000)"
        )
        large = Reason("ticket_too_large", EXAMPLE_ARGS["ticket_too_large"])
        assert present.reason_text(large, "organisation") == (
            "The funding sought (up to €100,000) is €900,000 below your ticket size "
            "(from €1,000,000)"
        )
    with app.test_request_context("/nb/"), force_locale("nb"):
        readable = Reason("readable_language", EXAMPLE_ARGS["readable_language"])
        assert present.reason_text(readable, "project") == (
            "Nære arbeidsspråk: de jobber på dansk, du på norsk bokmål"
        )


def test_a_reason_says_which_tags_came_from_what_is_written(app):
    with app.test_request_context("/en/"), force_locale("en"):
        mixed = present.reason_text(
            Reason("offers_needed", EXAMPLE_ARGS["offers_needed"]), "project"
        )
        assert mixed == (
            "Offers what you need: Clinical validation and Test bed; going by what is written, "
            "also Biobank"
        )
        written = Reason("needs_offered", EXAMPLE_ARGS["needs_offered"])
        assert present.reason_text(written, "project") == (
            "Needs what you offer, going by what is written: Remote patient monitoring"
        )


# --- the points behind a score, labels, ties ------------------------------------------------

POINTS_ROW_RE = re.compile(r"<tr><td>([^<]+)</td><td class=\"number\">([^<]+)</td></tr>")


def test_the_points_behind_the_score_are_shown_on_demand(client, world):
    page = client.get(f"/en/projects/{world['project'].id}/matches/partners").get_data(as_text=True)
    details = page[page.index('<details class="score-points">') :]
    details = details[: details.index("</details>")]
    assert "Show the points" in details and "<details open" not in page
    rows = dict(POINTS_ROW_RE.findall(details))
    assert rows["Offers what you need: Clinical validation"].startswith("+")
    score = int(re.search(r"Score (\d+) of 100", page).group(1))
    total = sum(float(p.replace("\N{MINUS SIGN}", "-").replace(",", "")) for p in rows.values())
    assert abs(total - score) <= 0.05 * len(rows) + 0.5  # each point rounded to one decimal
    assert f'<td class="number">{score}</td>' in details


def test_the_points_use_each_languages_number_format(app):
    with app.test_request_context(), force_locale("pl"):
        assert present.points_text(12.46) == "+12,5"
        assert present.points_text(-15) == "\N{MINUS SIGN}15,0"


def test_a_reason_against_the_match_keeps_the_label_at_possible(app):
    from matchmaker.matching import ItemKey, Match

    key = ItemKey("organisation", 2)
    fits = Reason("investor_stage", EXAMPLE_ARGS["investor_stage"], 40.0)
    other_stage = Reason("stage_not_preferred", EXAMPLE_ARGS["stage_not_preferred"], -10.0)
    with app.test_request_context():
        assert present.score_label(Match(key, 80, (fits,))) == "Strong match"
        assert present.score_label(Match(key, 55, (fits,))) == "Good match"
        assert present.score_label(Match(key, 80, (fits, other_stage))) == "Possible match"


def test_ties_are_ordered_per_viewer_and_day():
    from datetime import date

    from matchmaker.matching import service

    monday, tuesday = date(2026, 12, 7), date(2026, 12, 8)
    assert service.tie_salt(5, monday) == service.tie_salt(5, monday)
    assert len({service.tie_salt(5, monday), service.tie_salt(5, tuesday),
                service.tie_salt(6, monday), service.tie_salt(None, monday)}) == 4  # fmt: skip


# --- filters --------------------------------------------------------------------------------


@pytest.fixture
def crowd(world):
    """Besides the hospital: a Danish SME offering what the project needs, a Polish
    university that offers it too and needs the hospital's test bed, and a Norwegian
    start-up that needs what the university offers."""
    moderator = UserFactory(role="moderator")
    sme = make_organisation(
        UserFactory(), name="Odense Validation ApS", kind="sme", country="DK", region="DK-83",
        working_languages=["da", "en"], tags={"capability": ["clinical_validation"]},
    )  # fmt: skip
    university = make_organisation(
        UserFactory(), name="Silesian University", kind="university", country="PL",
        working_languages=["pl"],
        tags={"capability": ["clinical_validation"], "need": ["test_bed"]},
    )  # fmt: skip
    robots = make_organisation(
        UserFactory(), name="Bergen Care Robotics", kind="startup", country="NO",
        working_languages=["nb", "en"], tags={"need": ["clinical_validation"]},
    )  # fmt: skip
    for organisation in (sme, university, robots):
        publish("organisation", organisation, moderator)
    return {**world, "university": university, "odense": sme}


def _partners(client, crowd, **args) -> str:
    query = "&".join(f"{name}={value}" for name, value in args.items())
    url = f"/en/projects/{crowd['project'].id}/matches/partners?{query}"
    return client.get(url).get_data(as_text=True)


def test_filters_narrow_a_list_by_country_kind_and_language(client, crowd):
    everyone = {"Wrocław Clinical Hospital", "Odense Validation ApS", "Silesian University"}
    assert set(_names(_partners(client, crowd))) == everyone
    assert _names(_partners(client, crowd, country="DK")) == ["Odense Validation ApS"]
    assert _names(_partners(client, crowd, kind="hospital")) == ["Wrocław Clinical Hospital"]
    assert set(_names(_partners(client, crowd, language="pl"))) == everyone - {
        "Odense Validation ApS"
    }
    narrowed = _partners(client, crowd, country="PL", kind="university")
    assert _names(narrowed) == ["Silesian University"]
    assert "1 matching partner" in narrowed
    assert '<option value="PL" selected>Poland</option>' in narrowed
    assert "Clear filters" in narrowed


def test_a_filter_with_nothing_left_says_so(client, crowd):
    page = _partners(client, crowd, kind="public_authority")
    assert _names(page) == [] and "No matches with these filters." in page


def test_a_forged_filter_value_narrows_nothing(client, crowd):
    page = _partners(client, crowd, country="XX", kind="investor", language="<b>")
    assert len(_names(page)) == 3
    assert "selected" not in page.split('id="filter-kind"')[1].split("</form>")[0]
    assert "<b>" not in page


def test_only_those_who_need_what_you_offer(client, crowd):
    # The university offers clinical validation and needs a test bed.
    url = f"/en/organisations/{crowd['university'].id}/matches/partners"
    everyone = _names(client.get(url).get_data(as_text=True))
    assert {"Bergen Care Robotics", "Wrocław Clinical Hospital"} <= set(everyone)
    page = client.get(url + "?needs=1").get_data(as_text=True)
    assert _names(page) == ["Bergen Care Robotics"]
    assert 'id="filter-needs" name="needs" value="1" checked' in page


def test_pages_and_dismissals_keep_the_filters(client, crowd):
    log_in(client, "owner@example.org")
    url = f"/en/projects/{crowd['project'].id}/matches/partners"
    page = client.get(url + "?country=PL").get_data(as_text=True)
    assert f'action="{url}/dismiss?page=1&amp;country=PL"' in page
    response = client.post(
        f"{url}/dismiss?page=1&country=PL",
        data={"csrf_token": csrf_token(client, url), "item_type": "organisation",
              "item_id": crowd["hospital"].id},
    )  # fmt: skip
    assert response.status_code == 303 and response.location.endswith("country=PL")
    assert _names(client.get(response.location).get_data(as_text=True)) == ["Silesian University"]


def test_a_project_is_found_by_those_who_need_what_it_offers(client, world):
    moderator = UserFactory(role="moderator")
    monitoring = make_project(
        world["startup"],
        texts={"en": {"title": "Heart monitor at home", "summary": "A wristband.",
                      "description": "A wristband sends the ECG to the clinic."}},
        tags={"category": ["ehealth_telemedicine"], "capability": ["remote_monitoring"]},
    )  # fmt: skip
    publish("project", monitoring, moderator)
    municipality = make_organisation(
        UserFactory(), name="Aalborg Municipality", kind="public_authority", country="DK",
        working_languages=["da", "en"], tags={"need": ["remote_monitoring"]},
    )  # fmt: skip
    publish("organisation", municipality, moderator)
    page = client.get(f"/en/projects/{monitoring.id}/matches/partners").get_data(as_text=True)
    assert "Aalborg Municipality" in _names(page)
    with force_locale("en"):
        assert (
            present.reason_text(
                Reason("needs_offered", {"tags": ("remote_monitoring",), "text_tags": ()}),
                "project",
            )
            in page
        )
    public = client.get(f"/en/projects/{monitoring.id}").get_data(as_text=True)
    assert "Offers" in public and "Remote patient monitoring" in public


# --- why isn't … here? ----------------------------------------------------------------------


def _why(client, crowd, name, **args) -> str:
    page = _partners(client, crowd, why=name, **args)
    answers = page[page.index('class="why-answers"') :]
    return answers[: answers.index("</div>")]


def test_why_a_listed_organisation_is_where_it_is(client, crowd):
    page = _partners(client, crowd)
    place = _names(page).index("Odense Validation ApS") + 1
    answer = _why(client, crowd, "odense")
    assert f"Odense Validation ApS is on this list: number {place}, with a score of" in answer


def test_why_not_names_the_rule_that_kept_it_out(client, crowd):
    moderator = UserFactory(role="moderator")
    fund = make_organisation(UserFactory(), name="Nordic Health Fund", kind="investor",
                             tags={"category": ["ehealth_telemedicine"]})  # fmt: skip
    biobank = make_organisation(UserFactory(), name="Oslo Biobank", kind="university",
                                country="NO", tags={"capability": ["biobank"]})  # fmt: skip
    for organisation in (fund, biobank):
        publish("organisation", organisation, moderator)
    assert "belongs to the same organisation" in _why(client, crowd, "Heart Start")
    assert "is not the kind of organisation this list shows" in _why(client, crowd, "Nordic")
    assert "shares none of what this list compares" in _why(client, crowd, "Oslo Biobank")
    assert "left out by the filters you chose" in _why(client, crowd, "Odense", country="PL")
    assert "Nothing published goes by the name “Zz&lt;b&gt;”" in _why(client, crowd, "Zz<b>")


def test_why_a_dismissed_one_is_missing_is_told_to_members_only(client, crowd):
    log_in(client, "owner@example.org")
    assert _dismiss(client, crowd).status_code == 303
    assert "Your organisation hid Wrocław Clinical Hospital" in _why(client, crowd, "Wrocław")
    visitor = client.application.test_client()
    answer = _why(visitor, crowd, "Wrocław")
    assert "by a choice of the organisation whose list this is" in answer
    assert "hid" not in answer and "not relevant" not in answer


def test_the_operators_report_shows_acceptance_by_score_band(app, crowd):
    from matchmaker.contacts.models import ContactRequest
    from matchmaker.extensions import db

    def answered(recipient, status, project=None):
        db.session.add(ContactRequest(
            sender_org_id=crowd["startup"].id, recipient_org_id=recipient.id,
            project_id=project.id if project else None, message="Hello", status=status,
        ))  # fmt: skip

    answered(crowd["hospital"], "accepted", crowd["project"])
    answered(crowd["university"], "declined", crowd["project"])
    answered(crowd["university"], "withdrawn")  # not an answer: left out
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["matching", "report"])
    assert result.exit_code == 0, result.output
    all_line = next(line for line in result.output.splitlines() if line.strip().startswith("all"))
    assert all_line.split()[1:] == ["2", "1", "50%"]
    assert "offers_needed" in result.output


# --- the profile checklist ------------------------------------------------------------------


def test_members_see_what_their_profile_lacks_for_matching_most_points_first(client, world):
    log_in(client, "owner@example.org")
    page = client.get(f"/en/my/organisations/{world['startup'].id}").get_data(as_text=True)
    checklist = page[page.index('class="checklist"') :]
    checklist = checklist[: checklist.index("</section>")]
    # The start-up offers clinical validation and gave region and languages; it needs
    # nothing and chose no category.
    assert "Say what you offer" not in checklist and "Give the region" not in checklist
    # Needs weigh most in an organisation's partner list (rules.toml), categories less.
    assert checklist.index("Say what you need") < checklist.index("Choose innovation categories")
    assert re.search(r"Say what you need · up to \d+ of 100 points", checklist)
    assert "3 of the 7 things the matcher reads are filled in" in checklist
    project = client.get(f"/en/my/projects/{world['project'].id}").get_data(as_text=True)
    assert 'class="checklist"' in project and "Say what you need" not in project


def test_the_checklist_is_never_public(client, world):
    page = client.get(f"/en/organisations/{world['startup'].id}").get_data(as_text=True)
    assert 'class="checklist"' not in page and "Better matches" not in page


# --- "not relevant" with a reason -----------------------------------------------------------


def _score_of(page: str, name: str) -> int:
    card = page[page.index(f">{name}</a>") :]
    return int(re.search(r"Score (\d+) of 100", card).group(1))


def test_a_reason_for_not_relevant_lowers_similar_ones_for_the_members_only(client, crowd):
    moderator = UserFactory(role="moderator")
    aarhus = make_organisation(
        UserFactory(), name="Aarhus Trials ApS", kind="sme", country="DK",
        working_languages=["da", "en"], tags={"capability": ["clinical_validation"]},
    )  # fmt: skip
    publish("organisation", aarhus, moderator)
    url = f"/en/projects/{crowd['project'].id}/matches/partners"
    log_in(client, "owner@example.org")
    before = client.get(url).get_data(as_text=True)
    response = client.post(
        f"{url}/dismiss",
        data={"csrf_token": csrf_token(client, url), "item_type": "organisation",
              "item_id": crowd["odense"].id, "reason": "too_far"},
        follow_redirects=True,
    )  # fmt: skip
    after = response.get_data(as_text=True)
    assert "Similar ones now rank lower" in after
    assert _score_of(after, "Aarhus Trials ApS") == _score_of(before, "Aarhus Trials ApS") - 10
    assert "Like one your organisation marked as not relevant: as far away" in after
    assert _score_of(after, "Silesian University") == _score_of(before, "Silesian University")
    visitor = client.application.test_client().get(url).get_data(as_text=True)
    assert _score_of(visitor, "Aarhus Trials ApS") == _score_of(before, "Aarhus Trials ApS")
    assert "marked as not relevant" not in visitor


def test_a_forged_reason_is_refused_and_nothing_is_hidden(client, crowd):
    url = f"/en/projects/{crowd['project'].id}/matches/partners"
    log_in(client, "owner@example.org")
    response = client.post(
        f"{url}/dismiss",
        data={"csrf_token": csrf_token(client, url), "item_type": "organisation",
              "item_id": crowd["odense"].id, "reason": "because"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Odense Validation ApS" in _names(client.get(url).get_data(as_text=True))


def test_visitors_are_asked_to_log_in_once_above_the_list(client, world):
    """One "Log in to request contact" above the list, none under each match; a member
    gets the button under every match instead."""
    url = f"/en/projects/{world['project'].id}/matches/partners"
    page = client.get(url).get_data(as_text=True)
    assert page.count("Log in to request contact") == 1
    assert page.index("Log in to request contact") < page.index('class="match-list"')
    log_in(client, "hospital@example.org")
    page = client.get(url).get_data(as_text=True)
    assert "Log in to request contact" not in page


def test_the_first_list_loads_with_the_page(client, world):
    """The section loads its first list at once (no "choose a list"), and without
    JavaScript links to it."""
    page = client.get(f"/en/projects/{world['project'].id}").get_data(as_text=True)
    first = f"/en/projects/{world['project'].id}/matches/partners"
    assert re.search(rf'id="matches-loader" hx-get="{first}" hx-trigger="load"', page)
    assert f'<a href="{first}">See the list: Partners</a>' in page
    assert "Choose a list" not in page

"""The Connections figures against small graphs counted by hand."""

from __future__ import annotations

import json

import pytest

from matchmaker.insights.connections import (
    Link,
    Organisation,
    connection_figures,
    event_links,
    network,
    summarise,
    summary_from_json,
    summary_to_json,
)

WARSAW = Organisation(1, "Warsaw Health", "PL", "PL-MZ", ("ai",))
AARHUS = Organisation(2, "Aarhus Lab", "DK", "DK-82", ("ai", "mobile_apps"))
OSLO = Organisation(3, "Oslo Care", "NO", "NO-03", ("mobile_apps",))
BERLIN = Organisation(4, "Berlin Devices", "DE", None, ())


def figures_of(organisations, links, country=None):
    """The figures as the page shows them: from the summary as it is kept (JSON)."""
    kept = json.dumps(summary_to_json(summarise(network(organisations, links))))
    by_id = {organisation.id: organisation for organisation in organisations}
    return connection_figures(summary_from_json(json.loads(kept)), by_id, country)


def names(ranking) -> list[str]:
    return [item.organisation.name for item in ranking]


@pytest.fixture
def path():
    """Warsaw — Aarhus — Oslo: a contact, then two meetings held between Aarhus and Oslo."""
    links = [Link(1, 2, "contact"), Link(2, 3, "meeting"), Link(3, 2, "meeting")]
    return [WARSAW, AARHUS, OSLO], links


def test_partners_count_distinct_organisations_and_links_are_counted_by_kind(path):
    figures = figures_of(*path)
    aarhus, oslo, warsaw = figures.ranking
    assert aarhus.organisation == AARHUS
    assert (aarhus.partners, aarhus.links) == (2, (1, 0, 2))
    assert (oslo.partners, oslo.links) == (1, (0, 0, 2))
    assert (warsaw.partners, warsaw.links) == (1, (1, 0, 0))
    assert (figures.links, figures.connected) == (3, 3)


def test_the_broker_in_the_middle_of_a_path_has_all_the_betweenness(path):
    figures = figures_of(*path)
    assert [item.centrality for item in figures.ranking] == [1.0, 0.0, 0.0]


def test_ties_in_partners_and_centrality_go_to_more_links_then_to_the_name(path):
    # Oslo (2 links) before Warsaw (1 link), both with one partner and no betweenness.
    assert names(figures_of(*path).ranking) == ["Aarhus Lab", "Oslo Care", "Warsaw Health"]


def test_a_star_gives_its_centre_every_shortest_path():
    star = [Link(1, 2, "contact"), Link(1, 3, "contact"), Link(1, 4, "event")]
    first, *others = figures_of([WARSAW, AARHUS, OSLO, BERLIN], star).ranking
    assert (first.organisation, first.partners, first.centrality) == (WARSAW, 3, 1.0)
    assert [item.centrality for item in others] == [0.0, 0.0, 0.0]


def test_an_event_links_its_hosts_together_and_each_host_with_each_guest():
    links = set(event_links(hosts=[1, 2], participants=[3, 4, 4, 1]))
    assert links == {
        Link(1, 2, "event"),
        Link(1, 3, "event"),
        Link(1, 4, "event"),
        Link(2, 3, "event"),
        Link(2, 4, "event"),
    }  # the guests 3 and 4 are not linked to each other; the host coming is no guest


def test_links_with_unpublished_organisations_or_within_one_are_dropped():
    links = [Link(1, 99, "contact"), Link(99, 2, "meeting"), Link(1, 1, "meeting")]
    figures = figures_of([WARSAW, AARHUS], links)
    assert figures.empty
    assert figures.ranking == () and figures.connected == 0


def test_an_organisation_that_asked_not_to_be_named_still_counts_but_is_left_out():
    hidden = Organisation(2, "Hidden Broker", "DK", "DK-82", ("ai",), named=False)
    links = [Link(1, 2, "contact"), Link(2, 3, "meeting")]
    figures = figures_of([WARSAW, hidden, OSLO], links)
    assert names(figures.ranking) == ["Oslo Care", "Warsaw Health"]
    assert [item.partners for item in figures.ranking] == [1, 1]
    assert "Hidden Broker" not in repr(figures.by_category) + repr(figures.by_region)
    assert figures.matrix[0][1] == figures.matrix[1][2] == 1  # its links: PL-DK, DK-NO


def test_per_category_and_region_the_top_three_named_organisations():
    organisations = [WARSAW, AARHUS, OSLO, BERLIN]
    links = [Link(1, 2, "contact"), Link(2, 3, "event"), Link(3, 4, "meeting")]
    figures = figures_of(organisations, links)
    by_category = {code: names(items) for code, items in figures.by_category}
    assert by_category == {
        "ai": ["Aarhus Lab", "Warsaw Health"],
        "mobile_apps": ["Aarhus Lab", "Oslo Care"],
    }
    by_region = {code: names(items) for code, items in figures.by_region}
    assert by_region == {
        "DK-82": ["Aarhus Lab"],
        "NO-03": ["Oslo Care"],
        "PL-MZ": ["Warsaw Health"],
    }  # Berlin has no region


def test_a_group_keeps_only_its_three_most_connected():
    many = [Organisation(i, f"Org {i}", "PL", "PL-MZ") for i in range(1, 6)]
    links = [Link(1, i, "contact") for i in range(2, 6)] + [Link(2, 3, "contact")]
    ((region, best),) = figures_of(many, links).by_region
    assert (region, names(best)) == ("PL-MZ", ["Org 1", "Org 2", "Org 3"])


def test_the_matrix_counts_links_between_pl_dk_no_and_other_countries_symmetrically():
    domestic = Organisation(5, "Gdańsk Med", "PL", "PL-PM")
    links = [
        Link(1, 2, "contact"),
        Link(1, 2, "meeting"),
        Link(1, 4, "event"),
        Link(1, 5, "contact", count=3),
        Link(3, 4, "contact"),
    ]
    figures = figures_of([WARSAW, AARHUS, OSLO, BERLIN, domestic], links)
    assert figures.matrix == (
        # PL DK NO other
        (3, 2, 0, 1),  # PL
        (2, 0, 0, 0),  # DK
        (0, 0, 0, 1),  # NO
        (1, 0, 1, 0),  # other
    )
    assert figures.links == 7


def test_a_country_filter_ranks_its_organisations_with_all_their_links(path):
    figures = figures_of(*path, country="DK")
    assert names(figures.ranking) == ["Aarhus Lab"]
    assert figures.ranking[0].partners == 2
    assert figures.matrix == figures_of(*path).matrix


def test_an_empty_graph_has_no_figures():
    figures = figures_of([], [])
    assert figures.empty
    assert figures.ranking == figures.by_category == figures.by_region == ()
    assert figures.matrix == ((0,) * 4,) * 4


def test_one_organisation_alone_has_no_connections():
    figures = figures_of([WARSAW], [])
    assert figures.empty and figures.ranking == ()


def test_an_organisation_taken_off_the_register_since_the_count_leaves_the_rankings(path):
    organisations, links = path
    summary = summarise(network(organisations, links))
    now_published = {WARSAW.id: WARSAW, OSLO.id: OSLO}  # Aarhus has been taken off
    figures = connection_figures(summary, now_published)
    assert names(figures.ranking) == ["Oslo Care", "Warsaw Health"]
    assert figures.links == 3  # the links counted then stay until the next count


def test_a_name_changed_since_the_count_shows_as_it_is_now(path):
    organisations, links = path
    summary = summarise(network(organisations, links))
    renamed = Organisation(2, "Aarhus Health Lab", "DK", "DK-82", ("ai",), named=True)
    figures = connection_figures(summary, {1: WARSAW, 2: renamed, 3: OSLO})
    assert figures.ranking[0].organisation.name == "Aarhus Health Lab"

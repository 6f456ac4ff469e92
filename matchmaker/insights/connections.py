"""The "Connections" figures: who works with whom among the published organisations.

Pure, like ``figures``: rows in, a graph (networkx) and figures out, no Flask and no
database (checked against small graphs counted by hand in
tests/unit/test_insights_connections.py). Nothing personal comes in: organisations and
the links between them, never a person or a message.

Two organisations are linked by
- an accepted contact request between them ("contact");
- an event that has taken place: its host and co-hosts with each other, and each of them
  with each organisation that came (a confirmed participant's organisation) ("event").
  Two organisations that both only came are not linked by the event: sitting in the same
  conference hall says little, and would give a 300-organisation conference 45,000 links;
- a 1:1 meeting held between people of the two organisations ("meeting").

A link's weight is how many such links the pair has. An organisation's *partners* (its
degree) are the distinct organisations it is linked to.

The centrality is **betweenness**: the share of shortest paths between two other
organisations that pass through it. It names the brokers — those who connect parts of the
ecosystem that would not otherwise meet, e.g. across a border — which is what "who
connects the ecosystem" asks, and which the partner count already does not show.
Eigenvector centrality would instead reward sitting in one dense cluster (much like the
partner count), and is undefined between separate groups. Betweenness is computed
unweighted (networkx reads a weight as a distance, so a pair's repeated links would make
it *further* apart). Each pivot costs a breadth-first search through every link, so it is
exact while all pivots fit in ``WORK_BUDGET`` link visits and estimated from as many fixed
pivots as fit (at least ``MIN_PIVOTS``) above that: at 10,000 organisations and 200,000
contact requests 500 pivots took the page 110 s to rebuild.

An organisation that asked not to be named (``named=False``) still counts everywhere — in
its partners' partner counts, in the centralities, in the country matrix — but is left
out of the named lists: the next organisation moves up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations

import networkx as nx

KINDS = ("contact", "event", "meeting")
MATRIX_COUNTRIES = ("PL", "DK", "NO")
OTHER = "other"
TOP = 10  # the most connected organisations overall
TOP_PER_GROUP = 3  # per category and per region
WORK_BUDGET = 2_000_000  # link visits: a few seconds of networkx
MIN_PIVOTS = 16


@dataclass(frozen=True)
class Organisation:
    """A published organisation as the figures read it."""

    id: int
    name: str
    country: str
    region: str | None = None
    categories: tuple[str, ...] = ()
    named: bool = True  # False: it asked not to be named in the rankings


@dataclass(frozen=True)
class Link:
    a: int  # organisation ids
    b: int
    kind: str  # one of KINDS
    count: int = 1


@dataclass(frozen=True)
class Ranked:
    """One organisation in a ranking."""

    organisation: Organisation
    partners: int  # distinct organisations linked to it
    links: tuple[int, ...]  # its links of each of KINDS
    centrality: float  # betweenness, 0 … 1


@dataclass(frozen=True)
class ConnectionFigures:
    links: int  # between published organisations, of every kind
    connected: int  # published organisations with at least one link
    ranking: tuple[Ranked, ...]  # the most connected first
    by_category: tuple[tuple[str, tuple[Ranked, ...]], ...]  # by category code
    by_region: tuple[tuple[str, tuple[Ranked, ...]], ...]  # by region code
    # Links between countries (MATRIX_COUNTRIES, then OTHER): row i, column j. Symmetric;
    # a link within one country is on the diagonal.
    matrix: tuple[tuple[int, ...], ...]

    @property
    def empty(self) -> bool:
        return self.links == 0


def event_links(hosts: Iterable[int], participants: Iterable[int]) -> Iterator[Link]:
    """The links one event that took place makes (see the module's docstring)."""
    hosts = sorted(set(hosts))
    guests = sorted(set(participants) - set(hosts))
    for a, b in combinations(hosts, 2):
        yield Link(a, b, "event")
    for host in hosts:
        for guest in guests:
            yield Link(host, guest, "event")


@dataclass(frozen=True)
class Network:
    """The graph of published organisations and what is computed once per graph."""

    graph: nx.Graph
    organisations: dict[int, Organisation]
    centrality: dict[int, float]


def network(organisations: Iterable[Organisation], links: Iterable[Link]) -> Network:
    """The graph of ``organisations``; a link with an organisation not among them (not
    published, or no longer) or with itself is dropped."""
    known = {organisation.id: organisation for organisation in organisations}
    graph = nx.Graph()
    for link in links:
        if link.a == link.b or link.a not in known or link.b not in known:
            continue
        if not graph.has_edge(link.a, link.b):
            graph.add_edge(link.a, link.b, weight=0, **dict.fromkeys(KINDS, 0))
        edge = graph.edges[link.a, link.b]
        edge["weight"] += link.count
        edge[link.kind] += link.count
    return Network(graph, known, _betweenness(graph))


def _betweenness(graph: nx.Graph) -> dict[int, float]:
    pivots = WORK_BUDGET // max(graph.number_of_edges(), 1)
    if pivots >= graph.number_of_nodes():
        return nx.betweenness_centrality(graph)
    return nx.betweenness_centrality(graph, k=max(MIN_PIVOTS, pivots), seed=0)


@dataclass(frozen=True)
class Standing:
    """An organisation's place in the network, by id only: what is kept between builds
    (its name, region, categories and wish not to be named are read fresh each time)."""

    id: int
    partners: int  # distinct organisations linked to it
    links: tuple[int, ...]  # its links of each of KINDS
    centrality: float


@dataclass(frozen=True)
class Summary:
    """The network reduced to numbers: all the figures need, small enough to keep."""

    links: int  # between published organisations, of every kind
    standings: tuple[Standing, ...]  # every connected organisation
    matrix: tuple[tuple[int, ...], ...]  # as ConnectionFigures.matrix


def summarise(net: Network) -> Summary:
    return Summary(
        links=sum(weight for _a, _b, weight in net.graph.edges(data="weight")),
        standings=tuple(_standing(net, node) for node in sorted(net.graph.nodes)),
        matrix=country_matrix(net),
    )


def _standing(net: Network, organisation_id: int) -> Standing:
    edges = net.graph.edges(organisation_id, data=True)
    links = tuple(sum(data[kind] for _a, _b, data in edges) for kind in KINDS)
    degree = net.graph.degree(organisation_id)
    return Standing(organisation_id, degree, links, net.centrality[organisation_id])


def summary_to_json(summary: Summary) -> dict:
    return {
        "links": summary.links,
        "matrix": [list(row) for row in summary.matrix],
        "standings": [
            [item.id, item.partners, list(item.links), item.centrality]
            for item in summary.standings
        ],
    }


def summary_from_json(data: dict) -> Summary:
    return Summary(
        links=data["links"],
        standings=tuple(
            Standing(id, partners, tuple(links), centrality)
            for id, partners, links, centrality in data["standings"]
        ),
        matrix=tuple(tuple(row) for row in data["matrix"]),
    )


def _order(item: Ranked):
    """Most partners first, then the greater centrality, then more links, then by name."""
    return (-item.partners, -item.centrality, -sum(item.links), item.organisation.name)


def top(items: Iterable[Ranked], count: int) -> tuple[Ranked, ...]:
    """The first ``count`` named organisations; those not to be named are left out."""
    return tuple(sorted((i for i in items if i.organisation.named), key=_order)[:count])


def _grouped(items: list[Ranked], groups_of) -> tuple[tuple[str, tuple[Ranked, ...]], ...]:
    members: dict[str, list[Ranked]] = {}
    for item in items:
        for group in groups_of(item.organisation):
            members.setdefault(group, []).append(item)
    grouped = ((group, top(found, TOP_PER_GROUP)) for group, found in sorted(members.items()))
    return tuple((group, best) for group, best in grouped if best)


def matrix_country(country: str) -> str:
    return country if country in MATRIX_COUNTRIES else OTHER


def country_matrix(net: Network) -> tuple[tuple[int, ...], ...]:
    """Links between MATRIX_COUNTRIES and OTHER: every link once, in both cells of a pair
    of countries (the matrix is symmetric)."""
    order = (*MATRIX_COUNTRIES, OTHER)
    cells: Counter[tuple[str, str]] = Counter()
    for a, b, weight in net.graph.edges(data="weight"):
        first = matrix_country(net.organisations[a].country)
        second = matrix_country(net.organisations[b].country)
        cells[first, second] += weight
        if first != second:
            cells[second, first] += weight
    return tuple(tuple(cells[row, column] for column in order) for row in order)


def connection_figures(
    summary: Summary, organisations: dict[int, Organisation], country: str | None = None
) -> ConnectionFigures:
    """The figures of the Connections block from a ``summary`` and the organisations as
    they are now: one no longer among them (taken off the register since) is left out of
    the rankings. With ``country``, the rankings hold only its organisations (with all
    their links, abroad too); the matrix always holds every link."""
    items = [
        Ranked(organisations[item.id], item.partners, item.links, item.centrality)
        for item in summary.standings
        if item.id in organisations
        and (country is None or organisations[item.id].country == country)
    ]
    return ConnectionFigures(
        links=summary.links,
        connected=len(summary.standings),
        ranking=top(items, TOP),
        by_category=_grouped(items, lambda organisation: organisation.categories),
        by_region=_grouped(
            items, lambda organisation: (organisation.region,) if organisation.region else ()
        ),
        matrix=summary.matrix,
    )

"""The register's bitmap index: masks, facet counts under filters, and page order."""

from __future__ import annotations

import random

from matchmaker.register.index import RegisterIndex, mask_of, positions_of


def test_mask_and_positions_round_trip():
    rng = random.Random(7)
    chosen = sorted(rng.sample(range(5_000), 700))
    assert list(positions_of(mask_of(chosen))) == chosen
    assert mask_of([]) == 0
    assert list(positions_of(0)) == []


def _index() -> RegisterIndex:
    # Positions 0..5 are entries 60, 50, ... 10: newest first.
    ids = (60, 50, 40, 30, 20, 10)
    titles = ("Delta", "alpha", "Charlie", "bravo", "Echo", "foxtrot")
    return RegisterIndex(
        item_type="project",
        ids=ids,
        positions={entry_id: position for position, entry_id in enumerate(ids)},
        by_name=tuple(sorted(range(6), key=lambda p: titles[p].casefold())),
        everything=0b111111,
        facets={
            "country": {"PL": mask_of([0, 1, 2]), "DK": mask_of([3, 4]), "NO": mask_of([5])},
            "stage": {"pilot": mask_of([0, 3, 5]), "concept": mask_of([1, 2, 4])},
            "category": {"ehealth": mask_of([0, 1, 3, 4]), "cardio": mask_of([2, 4])},
        },
        tags={},
        places={},
    )


def test_counts_without_filters_count_everything():
    counts = _index().counts(0b111111, {})
    assert counts["country"] == [("PL", 3), ("DK", 2), ("NO", 1)]
    assert counts["category"] == [("ehealth", 4), ("cardio", 2)]


def test_a_facet_is_counted_under_every_filter_but_its_own():
    index = _index()
    filters = {
        "country": index.chosen("country", ["PL"]),
        "stage": index.chosen("stage", ["pilot"]),
    }
    counts = index.counts(index.everything, filters)
    # Countries are counted among pilots, so other countries can still be added.
    assert counts["country"] == [("DK", 1), ("NO", 1), ("PL", 1)]
    # Stages are counted among Polish projects.
    assert counts["stage"] == [("concept", 2), ("pilot", 1)]
    # Categories under both filters: only entry 60 (position 0).
    assert counts["category"] == [("ehealth", 1)]


def test_a_text_base_limits_every_count():
    index = _index()
    counts = index.counts(mask_of([4, 5]), {})
    assert counts["country"] == [("DK", 1), ("NO", 1)]


def test_unknown_filter_values_match_nothing():
    index = _index()
    assert index.chosen("country", ["XX"]) == 0
    assert index.chosen("nonsense", ["PL"]) == 0
    assert index.chosen("country", ["XX", "NO"]) == mask_of([5])


def test_pages_in_newest_order():
    index = _index()
    everything = index.everything
    assert index.newest(everything, 0, 4) == [60, 50, 40, 30]
    assert index.newest(everything, 4, 4) == [20, 10]
    assert index.newest(mask_of([1, 3, 5]), 1, 5) == [30, 10]


def test_pages_in_title_order_ignore_case():
    index = _index()
    assert index.by_title(index.everything, 0, 6) == [50, 30, 40, 60, 20, 10]
    assert index.by_title(mask_of([0, 4, 5]), 1, 2) == [20, 10]


def test_relevance_orders_by_score_then_newest():
    index = _index()
    scores = {10: (2, 1.0), 30: (1, 5.0), 50: (1, 5.0)}
    # 10 has the word twice; 50 and 30 tie and the newer (50) comes first; no score last.
    assert index.ranked(index.everything, scores, 0, 4) == [10, 50, 30, 60]
    assert index.ranked(index.everything, scores, 4, 4) == [40, 20]

"""The Growth figures against small registers counted by hand."""

from __future__ import annotations

from datetime import date

from matchmaker.insights import charts
from matchmaker.insights.figures import (
    CategoryGrowth,
    OrganisationRow,
    Place,
    ProjectRow,
    StageChange,
    by_growth,
    growth_figures,
    growth_of,
    last_quarters,
    places,
    quarter_of,
    stage_moves,
)

TODAY = date(2025, 5, 20)  # in Q2 2025: the 8 quarters are Q3 2023 … Q2 2025


def project(day: date, *categories: str, country="PL", stage="pilot", seeks=()) -> ProjectRow:
    return ProjectRow(day, country, stage, tuple(categories), tuple(seeks))


def test_an_empty_register_gives_eight_empty_quarters_and_nothing_else():
    figures = growth_figures([], [], TODAY)
    assert figures.quarters == (
        (2023, 3), (2023, 4), (2024, 1), (2024, 2),
        (2024, 3), (2024, 4), (2025, 1), (2025, 2),
    )  # fmt: skip
    assert figures.per_quarter == (0,) * 8
    assert figures.categories == figures.stages == figures.seeks == ()
    assert figures.organisation_kinds == figures.organisation_countries == ()
    assert (figures.projects, figures.organisations) == (0, 0)


def test_quarters_begin_on_the_first_day_of_january_april_july_and_october():
    assert quarter_of(date(2025, 3, 31)) == (2025, 1)
    assert quarter_of(date(2025, 4, 1)) == (2025, 2)
    assert quarter_of(date(2024, 12, 31)) == (2024, 4)
    assert quarter_of(date(2025, 1, 1)) == (2025, 1)


def test_the_last_quarters_cross_a_new_year_oldest_first():
    assert last_quarters(date(2025, 1, 1), 3) == ((2024, 3), (2024, 4), (2025, 1))


def test_projects_are_counted_in_the_quarter_of_their_first_publication():
    projects = [
        project(date(2025, 3, 31), "mobile_apps"),  # last day of Q1
        project(date(2025, 4, 1), "mobile_apps"),  # first day of Q2
        project(date(2025, 4, 2), "mobile_apps"),
        project(date(2023, 7, 1), "mobile_apps"),  # first day of the oldest quarter shown
        project(date(2023, 6, 30), "mobile_apps"),  # before it: not in any quarter
    ]
    figures = growth_figures(projects, [], TODAY)
    assert figures.per_quarter == (1, 0, 0, 0, 0, 0, 1, 2)
    assert figures.projects == 5  # the stages and the rest count every published project
    assert figures.stages == (("pilot", 5),)


def test_one_category_with_no_projects_before_is_new_and_has_no_percentage():
    projects = [project(date(2025, 2, 1), "mobile_apps"), project(date(2024, 9, 1), "mobile_apps")]
    (growth,) = growth_figures(projects, [], TODAY).categories
    assert growth == CategoryGrowth("mobile_apps", (0, 0, 0, 0, 1, 0, 1, 0), 2, 0, None)


def test_growth_compares_the_last_four_quarters_with_the_four_before():
    # 3 in Q3 2024 … Q2 2025 against 2 in Q3 2023 … Q2 2024: +50 %.
    days = [date(2023, 8, 1), date(2024, 6, 30), date(2024, 7, 1), date(2025, 1, 5), TODAY]
    (growth,) = growth_figures([project(day, "ai") for day in days], [], TODAY).categories
    assert (growth.recent, growth.earlier, growth.change) == (3, 2, 0.5)


def test_a_category_that_had_projects_only_before_falls_by_a_hundred_per_cent():
    assert growth_of("x", (1, 1, 0, 0, 0, 0, 0, 0)).change == -1.0


def test_fastest_growing_first_new_ones_before_any_percentage():
    grown = [
        growth_of("slow", (1, 0, 0, 0, 1, 0, 0, 0)),  # 1 vs 1: 0 %
        growth_of("fast", (1, 0, 0, 0, 3, 0, 0, 0)),  # 3 vs 1: +200 %
        growth_of("new", (0, 0, 0, 0, 0, 0, 0, 1)),  # 1 vs 0: new
        growth_of("falling", (2, 0, 0, 0, 1, 0, 0, 0)),  # 1 vs 2: -50 %
    ]
    assert [g.code for g in by_growth(grown)] == ["new", "fast", "slow", "falling"]


def test_equal_growth_goes_to_the_larger_count_then_to_the_code():
    grown = [
        growth_of("b", (1, 0, 0, 0, 2, 0, 0, 0)),  # +100 %, 2
        growth_of("c", (2, 0, 0, 0, 4, 0, 0, 0)),  # +100 %, 4
        growth_of("a", (1, 0, 0, 0, 2, 0, 0, 0)),  # +100 %, 2
        growth_of("z", (0, 0, 0, 0, 0, 0, 0, 2)),  # new, 2
        growth_of("y", (0, 0, 0, 0, 0, 0, 0, 1)),  # new, 1
        growth_of("x", (0, 0, 0, 0, 0, 0, 0, 2)),  # new, 2
    ]
    assert [g.code for g in by_growth(grown)] == ["x", "z", "y", "c", "a", "b"]


def test_categories_seen_only_before_the_eight_quarters_are_left_out():
    figures = growth_figures([project(date(2020, 1, 1), "old")], [], TODAY)
    assert figures.categories == ()


def test_stages_and_what_projects_seek_are_counted_largest_first_then_by_code():
    projects = [
        project(TODAY, stage="pilot", seeks=("investment", "pilot_site")),
        project(TODAY, stage="concept", seeks=("investment",)),
        project(TODAY, stage="pilot", seeks=()),
        project(TODAY, stage="commercialisation", seeks=("customers",)),
    ]
    figures = growth_figures(projects, [], TODAY)
    assert figures.stages == (("pilot", 2), ("commercialisation", 1), ("concept", 1))
    assert figures.seeks == (("investment", 2), ("customers", 1), ("pilot_site", 1))


def test_organisations_by_kind_and_by_country():
    organisations = [
        OrganisationRow("sme", "PL"),
        OrganisationRow("hospital", "DK"),
        OrganisationRow("sme", "NO"),
        OrganisationRow("sme", "PL"),
    ]
    figures = growth_figures([], organisations, TODAY)
    assert figures.organisation_kinds == (("sme", 3), ("hospital", 1))
    assert figures.organisation_countries == (("PL", 2), ("DK", 1), ("NO", 1))
    assert figures.organisations == 4


def test_a_country_restricts_every_figure():
    projects = [project(TODAY, "a", country="PL"), project(TODAY, "b", country="DK")]
    organisations = [OrganisationRow("sme", "PL"), OrganisationRow("hospital", "DK")]
    figures = growth_figures(projects, organisations, TODAY, country="DK")
    assert figures.per_quarter[-1] == 1
    assert [g.code for g in figures.categories] == ["b"]
    assert figures.organisation_kinds == (("hospital", 1),)
    assert figures.organisation_countries == (("DK", 1),)


def test_a_project_with_a_category_twice_counts_once():
    figures = growth_figures([project(TODAY, "a", "a")], [], TODAY)
    assert figures.categories[0].recent == 1


def test_horizontal_bars_scale_to_the_largest_value_and_keep_small_ones_visible():
    chart = charts.horizontal_bars(
        [charts.Item("A", 1000, "1000"), charts.Item("B", 1, "1"), charts.Item("C", 0, "0")]
    )
    widths = [bar.width for bar in chart.bars]
    assert widths == [charts.WIDTH - charts.VALUE_ROOM, 2.0, 0.0]  # 1/1000 of it: 0.52
    assert chart.bars[1].y > chart.bars[0].y
    assert chart.height == 3 * charts.ROW_HEIGHT - charts.ROW_GAP


def test_columns_stand_on_one_baseline_in_order():
    chart = charts.columns([charts.Item("Q1", 2, "2"), charts.Item("Q2", 4, "4")])
    first, second = chart.bars
    assert first.x < second.x
    assert first.y + first.height == second.y + second.height == chart.baseline
    assert second.height == 2 * first.height


def test_an_empty_chart_has_no_bars():
    assert charts.horizontal_bars([]).bars == ()
    assert charts.horizontal_bars([]).height == 0


def test_places_count_projects_recent_ones_and_organisations_per_region():
    projects = [
        ProjectRow(date(2025, 1, 15), "PL", "pilot", region="PL-MA"),
        ProjectRow(date(2023, 8, 1), "PL", "pilot", region="PL-MA"),  # before the 4 quarters
        ProjectRow(date(2025, 4, 1), "DK", "concept", region=None),
    ]
    organisations = [
        OrganisationRow("sme", "PL", "PL-MA"),
        OrganisationRow("hospital", "NO", "NO-03"),
    ]
    assert places(projects, organisations, TODAY) == (
        Place("PL", "PL-MA", projects=2, recent=1, organisations=1),
        Place("DK", None, projects=1, recent=1, organisations=0),
        Place("NO", "NO-03", projects=0, recent=0, organisations=1),
    )
    assert places(projects, organisations, TODAY, "DK") == (Place("DK", None, 1, 1, 0),)


def test_stage_moves_of_the_last_4_quarters_most_frequent_first():
    changes = [
        StageChange(date(2025, 4, 2), "PL", "pilot", "commercialisation"),
        StageChange(date(2024, 9, 1), "DK", "pilot", "commercialisation"),
        StageChange(date(2025, 2, 1), "PL", "concept", "prototype"),
        StageChange(date(2024, 3, 1), "PL", "prototype", "pilot"),  # before the 4 quarters
    ]
    assert stage_moves(changes, TODAY) == (
        ("pilot:commercialisation", 2),
        ("concept:prototype", 1),
    )
    assert stage_moves(changes, TODAY, "DK") == (("pilot:commercialisation", 1),)


def test_specialisations_and_countries_grow_as_categories_do():
    projects = [
        ProjectRow(date(2025, 4, 1), "DK", "pilot", specialisations=("cardiology",)),
        ProjectRow(date(2024, 1, 10), "PL", "pilot", specialisations=("cardiology", "oncology")),
        ProjectRow(date(2025, 2, 1), "PL", "pilot", specialisations=("oncology",)),
    ]
    figures = growth_figures(projects, [], TODAY)
    by_code = {growth.code: growth for growth in figures.specialisations}
    assert (by_code["cardiology"].recent, by_code["cardiology"].earlier) == (1, 1)
    assert (by_code["oncology"].recent, by_code["oncology"].earlier) == (1, 1)
    assert [(g.code, g.recent, g.earlier) for g in figures.countries] == [
        ("DK", 1, 0),  # new: first
        ("PL", 1, 1),
    ]

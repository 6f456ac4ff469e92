"""Server-rendered SVG map of Europe with proportional circles: no JavaScript, no tiles.

The outlines and the projection come from ``data/europe_paths.json``, made by
``tools/build_map.py``. The markup carries classes only (no ``style`` attributes, no
scripts), so it passes a Content-Security-Policy without 'unsafe-inline'; the site's
stylesheet colours it:

- ``map``: the ``<svg>`` element;
- ``map-sea``: the background rectangle;
- ``country``: every country outline; ``country-core`` in addition for Poland,
  Denmark and Norway; ``shade-1`` … ``shade-5`` on a choropleth (``shades``);
- ``map-point``: one marker (its ``<title>``, circle and number): a ``<g>``, or an
  ``<a>`` with ``map-link`` too when the point has an address;
- ``map-circle`` and ``map-count``: the circle and its number.

The ``<svg>`` has a viewBox but no width or height: it fills its container's width
(give ``.map`` ``width: 100%; height: auto`` in CSS).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from functools import cache
from html import escape
from typing import Any

from babel.numbers import format_decimal

from . import CORE_COUNTRIES, DATA, normalise_lang

__all__ = [
    "MAX_RADIUS",
    "MIN_RADIUS",
    "in_view",
    "project",
    "radius",
    "render_location",
    "render_map",
    "shade",
]

MIN_RADIUS = 12.0  # in viewBox units (1000 wide): big enough to read the count and to click
MAX_RADIUS = 40.0
RADIUS_PER_SQRT = 6.0  # radius per square root of the count, until MAX_RADIUS


@cache
def _map() -> dict[str, Any]:
    return json.loads((DATA / "europe_paths.json").read_text(encoding="utf-8"))


def _view() -> tuple[float, float]:
    projection = _map()["projection"]
    return float(projection["width"]), float(projection["height"])


def project(lat: float, lon: float) -> tuple[float, float]:
    """Map coordinates (x, y) in the viewBox of a (latitude, longitude)."""
    projection = _map()["projection"]
    x = (float(lon) - projection["lon_min"]) * projection["x_scale"]
    y = (projection["lat_max"] - float(lat)) * projection["y_scale"]
    return (round(x, 1), round(y, 1))


def in_view(lat: float, lon: float) -> bool:
    """Whether the position falls inside the map."""
    x, y = project(lat, lon)
    width, height = _view()
    return 0 <= x <= width and 0 <= y <= height


def radius(count: int, largest: int | None = None) -> float:
    """Circle radius: grows with sqrt(count), at least MIN_RADIUS; when the largest count
    on the map would pass MAX_RADIUS, every circle is scaled down by the same factor."""
    largest = max(int(count), int(largest or 0))
    factor = 1.0
    if largest > 0 and RADIUS_PER_SQRT * math.sqrt(largest) > MAX_RADIUS:
        factor = MAX_RADIUS / (RADIUS_PER_SQRT * math.sqrt(largest))
    return round(max(MIN_RADIUS, RADIUS_PER_SQRT * math.sqrt(max(count, 0)) * factor), 1)


SHADES = 5  # the classes of a choropleth: shade-1 (least) … shade-5 (most)


@cache
def _outlines() -> str:
    """The country paths, shared by every rendering without shades."""
    return _shaded_outlines({})


def _shaded_outlines(shades: Mapping[str, int]) -> str:
    parts = []
    for code, data in _map()["countries"].items():
        css = "country country-core" if code in CORE_COUNTRIES else "country"
        if shades.get(code):
            css += f" shade-{shades[code]}"
        parts.append(f'<path class="{css}" data-country="{escape(code)}" d="{escape(data)}"/>')
    return "".join(parts)


def shade(value: int, largest: int) -> int:
    """A count's shade, 1 … SHADES, in equal steps up to the largest (0 for nothing)."""
    if value <= 0 or largest <= 0:
        return 0
    return max(1, math.ceil(SHADES * value / largest))


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def render_map(
    points: Iterable[Mapping[str, Any]],
    lang: str,
    title: str,
    *,
    id_prefix: str = "geo-map",
    description: str | None = None,
    shades: Mapping[str, int] | None = None,
) -> str:
    """A complete ``<svg>`` element: the countries, and a circle with the count for each
    point ``{"label": str, "count": int, "lat": float, "lon": float, "href": str|None}``.
    ``shades``: a choropleth, each country's shade (1 … SHADES, see :func:`shade`).

    Points outside the map (see :func:`in_view`) are left out: show them in the list
    beside the map. Bigger circles are drawn first so that small ones stay on top.
    ``id_prefix`` must be unique on the page (it names the title for aria-labelledby).
    All text is escaped; the caller passes plain strings.
    """
    lang = normalise_lang(lang)
    width, height = _view()
    visible = [
        point
        for point in points
        if point.get("lat") is not None
        and point.get("lon") is not None
        and in_view(point["lat"], point["lon"])
    ]
    largest = max((int(point["count"]) for point in visible), default=0)
    linked = any(point.get("href") for point in visible)

    title_id = f"{id_prefix}-title"
    labelled_by = title_id
    head = [f'<title id="{escape(title_id)}">{escape(title)}</title>']
    if description:
        desc_id = f"{id_prefix}-desc"
        labelled_by += f" {desc_id}"
        head.append(f'<desc id="{escape(desc_id)}">{escape(description)}</desc>')
    # role="img" hides its children from assistive technology, which would also hide
    # the links: a map with links is a group of links instead.
    role = "group" if linked else "img"

    markers = []
    for point in sorted(visible, key=lambda point: -int(point["count"])):
        count = int(point["count"])
        x, y = project(point["lat"], point["lon"])
        shown = format_decimal(count, locale=lang)
        body = (
            f"<title>{escape(str(point['label']))}: {escape(shown)}</title>"
            f'<circle class="map-circle" cx="{_number(x)}" cy="{_number(y)}"'
            f' r="{_number(radius(count, largest))}"/>'
            f'<text class="map-count" x="{_number(x)}" y="{_number(y)}"'
            f' text-anchor="middle" dominant-baseline="central">{escape(shown)}</text>'
        )
        href = point.get("href")
        if href:
            markers.append(f'<a class="map-point map-link" href="{escape(str(href))}">{body}</a>')
        else:
            markers.append(f'<g class="map-point">{body}</g>')

    outlines = _shaded_outlines(shades) if shades else _outlines()
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" role="{role}"'
        f' aria-labelledby="{escape(labelled_by)}" viewBox="{escape(_map()["viewBox"])}"'
        ' preserveAspectRatio="xMidYMid meet">'
        f"{''.join(head)}"
        f'<rect class="map-sea" width="{_number(width)}" height="{_number(height)}"/>'
        f'<g class="countries" aria-hidden="true">{outlines}</g>'
        f'<g class="map-points">{"".join(markers)}</g>'
        "</svg>"
    )


# Width of the window a location map shows, in viewBox units (the whole map is 1000 wide):
# about a country's size, so the place is seen among its neighbours.
LOCATION_WIDTH = 240.0
LOCATION_HEIGHT = 180.0


def render_location(lat: float, lon: float, title: str, *, id_prefix: str = "location") -> str:
    """A small ``<svg>`` of the countries around one place, marked with a dot.

    For the detail pages ("its region on a small map"): an image (role="img") named by
    ``title``; the caller says the place in words next to it as well. Empty string when
    the place is outside the map.
    """
    if not in_view(lat, lon):
        return ""
    width, height = _view()
    x, y = project(lat, lon)
    left = min(max(0.0, x - LOCATION_WIDTH / 2), width - LOCATION_WIDTH)
    top = min(max(0.0, y - LOCATION_HEIGHT / 2), height - LOCATION_HEIGHT)
    title_id = f"{id_prefix}-title"
    view = " ".join(_number(v) for v in (left, top, LOCATION_WIDTH, LOCATION_HEIGHT))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map location-map" role="img"'
        f' aria-labelledby="{escape(title_id)}" viewBox="{view}"'
        ' preserveAspectRatio="xMidYMid meet">'
        f'<title id="{escape(title_id)}">{escape(title)}</title>'
        f'<rect class="map-sea" width="{_number(width)}" height="{_number(height)}"/>'
        f'<g class="countries" aria-hidden="true">{_outlines()}</g>'
        f'<circle class="map-circle location-dot" cx="{_number(x)}" cy="{_number(y)}" r="5"/>'
        "</svg>"
    )

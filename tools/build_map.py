"""Regenerate the map data shipped in ``matchmaker/geo/data/``.

Reads Natural Earth 1:50m country outlines from the ``world-atlas`` npm package
(TopoJSON) and writes:

- ``europe_paths.json``: SVG path data of the countries seen in a European window that
  shows Poland, Denmark and Norway well, plus the projection parameters that
  :func:`matchmaker.geo.svg.project` needs to place points on it;
- ``country_centroids.toml``: a marker position (latitude, longitude) for every country
  in the atlas, computed from its largest polygon.

Usage (from the repository root)::

    npm install --no-save --no-audit --no-fund world-atlas@2.0.2
    .venv/bin/python tools/build_map.py

The TopoJSON decoding (quantised transform, delta-encoded arcs), the projection, the
clipping and the simplification are written here in plain Python so that the tool
needs nothing beyond the standard library and pycountry. The output is deterministic.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import pycountry

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT / "node_modules" / "world-atlas" / "countries-50m.json"
DATA_DIR = ROOT / "matchmaker" / "geo" / "data"
WORLD_ATLAS = "world-atlas@2.0.2 (Natural Earth 1:50m, public domain)"

# The visible window. Wider than tall in degrees, so that with the cos(58°) scaling the
# picture is about square: Iceland to the Caucasus, Cyprus to the North Cape.
LON_MIN, LON_MAX = -25.0, 45.0
LAT_MIN, LAT_MAX = 33.5, 71.5
STANDARD_PARALLEL = 58.0  # degrees; x is scaled by cos(58°), right for Scandinavia
WIDTH = 1000.0  # px; the height follows from the window's proportions

TOLERANCE = 0.5  # px, Douglas-Peucker tolerance
MARGIN = 20.0  # px drawn beyond the window so that clipped edges stay out of sight
MIN_RING_AREA = 1.0  # px²; smaller islands are dropped
PRECISION = 1  # decimals kept in the path data

# Shapes without an ISO 3166-1 numeric id in the atlas that fall inside the window.
UNNUMBERED = {"Kosovo": "XK", "N. Cyprus": "CY"}
# Marker positions (lat, lon) set by hand: countries the 1:50m atlas has no shape for,
# and Russia, whose mainland centroid lies in Siberia, far off a map of Europe.
FIXED_CENTROIDS = {
    "GI": (36.14, -5.35),  # Gibraltar
    "SJ": (78.50, 16.50),  # Svalbard and Jan Mayen (drawn as part of Norway)
    "RU": (55.75, 37.62),  # Moscow
}

Point = tuple[float, float]
Ring = list[Point]


# --- TopoJSON ---------------------------------------------------------------------


def decode_arcs(topology: dict) -> list[list[Point]]:
    """Absolute (lon, lat) points of every arc: undo the delta encoding and quantisation."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(p[0]), float(p[1])) for p in arc])
            continue
        (kx, ky), (dx, dy) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for position in arc:
            x += position[0]
            y += position[1]
            points.append((x * kx + dx, y * ky + dy))
        arcs.append(points)
    return arcs


def ring_from_arcs(indexes: Iterable[int], arcs: Sequence[Sequence[Point]]) -> Ring:
    """Join arcs into one closed ring; a negative index ``~i`` means arc i reversed."""
    ring: Ring = []
    for index in indexes:
        arc = list(arcs[index]) if index >= 0 else list(reversed(arcs[~index]))
        if ring:
            arc = arc[1:]  # the first point repeats the previous arc's last one
        ring.extend(arc)
    return ring


def unwrap(ring: Ring, period: float) -> Ring:
    """Make a ring cut at the antimeridian continuous: after a jump of more than half a
    turn in x, shift the following points by a whole turn (so Chukotka lies east of
    180° instead of drawing a line across the world)."""
    result: Ring = []
    shift = 0.0
    for index, (x, y) in enumerate(ring):
        if index:
            jump = x + shift - result[-1][0]
            if jump > period / 2:
                shift -= period
            elif jump < -period / 2:
                shift += period
        result.append((x + shift, y))
    return result


def polygons(geometry: dict) -> list[list[list[int]]]:
    """The polygons of a geometry as lists of rings of arc indexes."""
    if geometry.get("type") == "Polygon":
        return [geometry["arcs"]]
    if geometry.get("type") == "MultiPolygon":
        return geometry["arcs"]
    return []


def alpha2(geometry: dict) -> str | None:
    numeric = geometry.get("id")
    if numeric is None:
        return UNNUMBERED.get(geometry.get("properties", {}).get("name", ""))
    country = pycountry.countries.get(numeric=str(numeric).zfill(3))
    return country.alpha_2 if country else None


# --- projection -------------------------------------------------------------------


def projection() -> dict:
    k = math.cos(math.radians(STANDARD_PARALLEL))
    scale = WIDTH / ((LON_MAX - LON_MIN) * k)
    return {
        "type": "equirectangular",
        "standard_parallel": STANDARD_PARALLEL,
        "lon_min": LON_MIN,
        "lat_max": LAT_MAX,
        "x_scale": scale * k,  # px per degree of longitude
        "y_scale": scale,  # px per degree of latitude
        "width": WIDTH,
        "height": round((LAT_MAX - LAT_MIN) * scale, PRECISION),
    }


def project(lon: float, lat: float, proj: dict) -> Point:
    return ((lon - proj["lon_min"]) * proj["x_scale"], (proj["lat_max"] - lat) * proj["y_scale"])


# --- geometry ---------------------------------------------------------------------


def _segment_distance(p: Point, a: Point, b: Point) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def simplify(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker, iterative; always keeps both ends (arcs meet there)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        worst, index = -1.0, first
        for i in range(first + 1, last):
            if points[first] == points[last]:  # a closed arc: measure from the point
                distance = math.hypot(
                    points[i][0] - points[first][0], points[i][1] - points[first][1]
                )
            else:
                distance = _segment_distance(points[i], points[first], points[last])
            if distance > worst:
                worst, index = distance, i
        if worst > tolerance:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def signed_area(ring: Sequence[Point]) -> float:
    """Shoelace area; positive for clockwise rings on screen (y grows downwards)."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
        total += x1 * y2 - x2 * y1
    return total / 2


def clip(ring: Ring, x0: float, y0: float, x1: float, y1: float) -> Ring:
    """Sutherland-Hodgman clipping of a closed ring to a rectangle."""
    edges = (
        (lambda p: p[0] >= x0, lambda a, b: _cross_x(a, b, x0)),
        (lambda p: p[0] <= x1, lambda a, b: _cross_x(a, b, x1)),
        (lambda p: p[1] >= y0, lambda a, b: _cross_y(a, b, y0)),
        (lambda p: p[1] <= y1, lambda a, b: _cross_y(a, b, y1)),
    )
    output = ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else list(ring)
    for inside, intersect in edges:
        points, output = output, []
        if not points:
            break
        previous = points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    output.append(intersect(previous, point))
                output.append(point)
            elif inside(previous):
                output.append(intersect(previous, point))
            previous = point
    return output


def _cross_x(a: Point, b: Point, x: float) -> Point:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _cross_y(a: Point, b: Point, y: float) -> Point:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def path_data(rings: Iterable[Ring]) -> str:
    """Compact SVG path data: an absolute move, then relative lines, rounded consistently."""
    parts = []
    factor = 10**PRECISION
    for ring in rings:
        points = [(round(x * factor), round(y * factor)) for x, y in ring]
        deduplicated = [points[0]]
        for point in points[1:]:
            if point != deduplicated[-1]:
                deduplicated.append(point)
        if len(deduplicated) > 1 and deduplicated[-1] == deduplicated[0]:
            deduplicated.pop()
        if len(deduplicated) < 3:
            continue
        (x, y), rest = deduplicated[0], deduplicated[1:]
        chunk = [f"M{_number(x, factor)} {_number(y, factor)}l"]
        numbers = []
        for nx, ny in rest:
            numbers.append(f"{_number(nx - x, factor)} {_number(ny - y, factor)}")
            x, y = nx, ny
        chunk.append(" ".join(numbers))
        chunk.append("z")
        parts.append("".join(chunk))
    # Negative numbers need no separator in SVG path data.
    return "".join(parts).replace(" -", "-")


def _number(value: int, factor: int) -> str:
    if value % factor == 0:
        return str(value // factor)
    text = f"{value / factor:.{PRECISION}f}".rstrip("0")
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


# --- centroids --------------------------------------------------------------------


def _local(ring: Sequence[Point], lat0: float) -> Ring:
    k = math.cos(math.radians(lat0))
    return [(lon * k, lat) for lon, lat in ring]


def _inside(point: Point, rings: Sequence[Ring]) -> bool:
    """Even-odd rule over the exterior and its holes."""
    x, y = point
    inside = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


def _edge_distance(point: Point, rings: Sequence[Ring]) -> float:
    return min(
        _segment_distance(point, a, b)
        for ring in rings
        for a, b in zip(ring, [*ring[1:], ring[0]], strict=True)
    )


def centroid(polygon_rings: list[Ring]) -> tuple[float, float]:
    """A marker position for a polygon given in (lon, lat): its area centroid when that
    lies well inside, otherwise the interior point closest to it that is well inside."""
    exterior = polygon_rings[0]
    lat0 = sum(lat for _, lat in exterior) / len(exterior)
    k = math.cos(math.radians(lat0))
    rings = [_local(ring, lat0) for ring in polygon_rings]
    area = cx = cy = 0.0
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
            cross = x1 * y2 - x2 * y1
            area += cross
            cx += (x1 + x2) * cross
            cy += (y1 + y2) * cross
    if area == 0:
        xs, ys = zip(*rings[0], strict=True)
        guess = (sum(xs) / len(xs), sum(ys) / len(ys))
    else:
        guess = (cx / (3 * area), cy / (3 * area))
    xs, ys = zip(*rings[0], strict=True)
    span = max(max(xs) - min(xs), max(ys) - min(ys))
    if not _inside(guess, rings) or _edge_distance(guess, rings) < span / 12:
        guess = _interior_point(guess, rings)
    return (round(guess[1], 2), round(guess[0] / k, 2))


def _interior_point(target: Point, rings: Sequence[Ring], steps: int = 48) -> Point:
    xs, ys = zip(*rings[0], strict=True)
    x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
    candidates = []
    for i in range(steps + 1):
        for j in range(steps + 1):
            point = (x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * j / steps)
            if _inside(point, rings):
                candidates.append((_edge_distance(point, rings), point))
    if not candidates:
        return target
    best = max(distance for distance, _ in candidates)
    good = [point for distance, point in candidates if distance >= best / 2]
    return min(good, key=lambda p: math.hypot(p[0] - target[0], p[1] - target[1]))


def _spherical_area(ring: Sequence[Point]) -> float:
    lat0 = sum(lat for _, lat in ring) / len(ring)
    return abs(signed_area(_local(ring, lat0)))


# --- build ------------------------------------------------------------------------


def build(topology: dict) -> tuple[dict, dict[str, tuple[float, float]]]:
    arcs = decode_arcs(topology)
    proj = projection()
    width, height = proj["width"], proj["height"]
    geometries = topology["objects"]["countries"]["geometries"]

    projected = [[project(lon, lat, proj) for lon, lat in arc] for arc in arcs]
    simplified: dict[int, list[Point]] = {}

    def arc_points(index: int) -> list[Point]:
        key = index if index >= 0 else ~index
        if key not in simplified:
            simplified[key] = simplify(projected[key], TOLERANCE)
        return simplified[key] if index >= 0 else list(reversed(simplified[key]))

    box = (-MARGIN, -MARGIN, width + MARGIN, height + MARGIN)
    paths: dict[str, list[Ring]] = {}
    outlines: dict[str, list[list[Ring]]] = {}
    for geometry in geometries:
        code = alpha2(geometry)
        if code is None:
            continue
        shapes = polygons(geometry)
        outlines.setdefault(code, []).extend(
            [unwrap(ring_from_arcs(ring, arcs), 360) for ring in shape] for shape in shapes
        )
        for shape in shapes:
            for number, ring_arcs in enumerate(shape):
                ring: Ring = []
                for index in ring_arcs:
                    points = arc_points(index)
                    ring.extend(points[1:] if ring else points)
                ring = unwrap(ring, 360 * proj["x_scale"])
                xs = [x for x, _ in ring]
                ys = [y for _, y in ring]
                if max(xs) < 0 or min(xs) > width or max(ys) < 0 or min(ys) > height:
                    continue
                ring = clip(ring, *box)
                area = signed_area(ring) if len(ring) >= 3 else 0.0
                if abs(area) < MIN_RING_AREA:
                    continue
                # Exteriors clockwise, holes anticlockwise: the nonzero fill rule
                # (the SVG default) then leaves holes empty.
                if (area < 0) == (number == 0):
                    ring.reverse()
                paths.setdefault(code, []).append(ring)

    # Centroid of the largest polygon (the mainland), from the unsimplified outline.
    centroids = {
        code: centroid(max(shapes, key=lambda rings: _spherical_area(rings[0])))
        for code, shapes in outlines.items()
        if shapes
    }
    centroids.update(FIXED_CENTROIDS)
    data = {
        "source": WORLD_ATLAS,
        "generator": "tools/build_map.py",
        "viewBox": f"0 0 {_plain(width)} {_plain(height)}",
        "projection": proj,
        "countries": {code: path_data(paths[code]) for code in sorted(paths)},
    }
    return data, centroids


def _plain(value: float) -> str:
    return f"{value:.{PRECISION}f}".rstrip("0").rstrip(".")


def centroids_toml(centroids: dict[str, tuple[float, float]]) -> str:
    lines = [
        "# Marker position [latitude, longitude] of each country: the area centroid of its",
        "# largest polygon (the mainland), moved inside when the centroid falls outside or",
        "# too close to the border (a few are set by hand, see FIXED_CENTROIDS). Generated",
        "# by tools/build_map.py from",
        f"# {WORLD_ATLAS}; edit the tool, not this file.",
        "",
    ]
    for code in sorted(centroids):
        lat, lon = centroids[code]
        lines.append(f"{code} = [{lat:.2f}, {lon:.2f}]")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    args = parser.parse_args(argv)
    if not args.source.exists():
        sys.stderr.write(
            f"{args.source} is missing: run "
            "`npm install --no-save --no-audit --no-fund world-atlas@2.0.2` first\n"
        )
        return 1
    topology = json.loads(args.source.read_text(encoding="utf-8"))
    data, centroids = build(topology)
    args.out.mkdir(parents=True, exist_ok=True)
    paths_file = args.out / "europe_paths.json"
    paths_file.write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":"), indent=None) + "\n",
        encoding="utf-8",
    )
    centroids_file = args.out / "country_centroids.toml"
    centroids_file.write_text(centroids_toml(centroids), encoding="utf-8")
    sys.stdout.write(
        f"{paths_file.relative_to(ROOT)}: {len(data['countries'])} countries, "
        f"{paths_file.stat().st_size // 1024} KiB\n"
        f"{centroids_file.relative_to(ROOT)}: {len(centroids)} countries\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

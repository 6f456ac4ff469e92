"""Bar charts as plain data: positions and sizes that a template writes as an ``<svg>``.

Pure, like ``geo.svg``: no JavaScript and no ``style`` attributes (the site's stylesheet
colours the shapes by class, within the Content-Security-Policy). The numbers are in
viewBox units; the ``<svg>`` scales to its container's width. Texts come in already
written in the reader's language (labels, formatted numbers): this module only places
them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 480.0  # about the width it is shown at (app.css .chart), so texts keep their size

# Horizontal bars: each row is its label on a line of its own, then the bar and its
# number, so a long label never needs measuring.
LABEL_LINE = 18.0
BAR_HEIGHT = 16.0
ROW_GAP = 12.0
ROW_HEIGHT = LABEL_LINE + BAR_HEIGHT + ROW_GAP
VALUE_ROOM = 80.0  # right of the longest bar, for its number

# Columns: numbers above, labels below.
COLUMNS_HEIGHT = 240.0
NUMBER_ROOM = 24.0
LABEL_ROOM = 28.0
COLUMN_SHARE = 0.6  # of each column's slot; the rest is space between columns


@dataclass(frozen=True)
class Item:
    label: str
    value: int
    shown: str  # the value as the reader reads it ("1 234", "12 (50 %)")


@dataclass(frozen=True)
class Bar:
    label: str
    shown: str
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    shown_x: float
    shown_y: float


@dataclass(frozen=True)
class Chart:
    kind: str  # "bars" (horizontal) or "columns"
    width: float
    height: float
    bars: tuple[Bar, ...]
    baseline: float  # the y of the columns' axis (0 for horizontal bars)


def _length(value: int, largest: int, room: float) -> float:
    """The bar's length; a non-zero value stays visible however small."""
    if value <= 0 or largest <= 0:
        return 0.0
    return round(max(2.0, value / largest * room), 1)


def horizontal_bars(items: Sequence[Item]) -> Chart:
    """One row per item, top to bottom in the given order."""
    largest = max((item.value for item in items), default=0)
    room = WIDTH - VALUE_ROOM
    bars = []
    for index, item in enumerate(items):
        top = index * ROW_HEIGHT
        bar_top = top + LABEL_LINE + 2
        length = _length(item.value, largest, room)
        bars.append(
            Bar(
                label=item.label,
                shown=item.shown,
                x=0.0,
                y=bar_top,
                width=length,
                height=BAR_HEIGHT,
                label_x=0.0,
                label_y=top + LABEL_LINE - 4,
                shown_x=length + 6,
                shown_y=bar_top + BAR_HEIGHT - 3,
            )
        )
    return Chart("bars", WIDTH, max(ROW_HEIGHT * len(items) - ROW_GAP, 0.0), tuple(bars), 0.0)


def columns(items: Sequence[Item]) -> Chart:
    """One column per item, left to right in the given order (e.g. quarters, oldest first)."""
    largest = max((item.value for item in items), default=0)
    baseline = COLUMNS_HEIGHT - LABEL_ROOM
    room = baseline - NUMBER_ROOM
    slot = WIDTH / max(len(items), 1)
    width = round(slot * COLUMN_SHARE, 1)
    bars = []
    for index, item in enumerate(items):
        middle = round(index * slot + slot / 2, 1)
        height = _length(item.value, largest, room)
        bars.append(
            Bar(
                label=item.label,
                shown=item.shown,
                x=round(middle - width / 2, 1),
                y=round(baseline - height, 1),
                width=width,
                height=height,
                label_x=middle,
                label_y=baseline + 18,
                shown_x=middle,
                shown_y=round(baseline - height - 6, 1),
            )
        )
    return Chart("columns", WIDTH, COLUMNS_HEIGHT, tuple(bars), baseline)

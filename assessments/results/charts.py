"""The charts and the map, laid out for the SVG templates in templates/charts/.

Pages and PDFs include the same templates, so a chart reads the same in both,
needs no JavaScript, and stays readable in grayscale: values are printed on
every bar and point, self-assessment bars are hatched, and the two kinds of
line use different markers and dashes.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse

from musqat.svg import (
    LinearScale,
    Projection,
    geometry_points,
    interior_point,
    path_data,
    text_colour_on,
    ticks,
    wrap,
)

from .. import scoring
from ..workflow import Kind
from .cycles import CycleResults
from .scorecard import HistoryEntry, Scorecard

UNPUBLISHED_FILL = "#e9ecef"
# Self-assessment: hatched light blue, dashed line, round markers. External: solid
# dark blue, solid line, square markers. Both tell apart in grayscale.
KIND_STYLES = {
    Kind.SELF: {"hatched": True, "colour": "#4a7fb0", "dash": "6 4", "marker": "circle"},
    Kind.EXTERNAL: {"hatched": False, "colour": "#0b3d6b", "dash": "", "marker": "square"},
}


@dataclass
class Tick:
    position: float
    label: str


@dataclass
class Bar:
    kind: str
    y: float
    width: float
    value: Decimal | None
    label_x: float

    @property
    def style(self):
        return KIND_STYLES[self.kind]


@dataclass
class BarGroup:
    lines: list[tuple[float, str]]
    bars: list[Bar]


@dataclass
class BarChart:
    width: int
    height: int
    left: float
    right: float
    axis_y: float
    ticks: list[Tick]
    groups: list[BarGroup]
    kinds: list[str]
    legend_y: float


LINE = 19
BAR = 15


def bar_chart(items, *, kinds, width=440, label_chars=46) -> BarChart:
    """Horizontal bars on 0–100, one per kind, each group labelled above its bars.

    ``items`` are (label, {kind: score}) pairs.
    """
    left, right = 6.0, width - 56.0
    scale = LinearScale(0, 100, left, right)
    y = 34.0  # below the legend
    groups = []
    for label, scores in items:
        lines = []
        for line in wrap(label, label_chars):
            y += LINE
            lines.append((y - 5, line))
        bars = []
        for kind in kinds:
            value = scores.get(kind)
            shown = scoring.for_display(value)
            bar_width = scale(shown) - left if shown is not None else 0
            bars.append(Bar(kind, y, round(bar_width, 1), value, left + bar_width + 5))
            y += BAR + 3
        y += 10
        groups.append(BarGroup(lines, bars))
    return BarChart(
        width=width,
        height=int(y + 30),
        left=left,
        right=right,
        axis_y=y,
        ticks=[Tick(scale(t), f"{t:g}") for t in ticks(0, 100, 20)],
        groups=groups,
        kinds=list(kinds),
        legend_y=14,
    )


def area_chart(card: Scorecard, *, codes_only: bool = False) -> BarChart:
    return bar_chart(
        [(area.item.code if codes_only else area.item.name, area.by_kind) for area in card.areas],
        kinds=list(card.kinds),
    )


def scorecard_charts(card: Scorecard, *, codes_only: bool = False) -> dict:
    """The area chart and one criterion chart per area, for the page and the PDF.

    On paper a table beside each criterion chart names every criterion, so `codes_only`
    labels its bars by code alone: a compact chart, and far less text to lay out.
    """
    criterion_charts = [
        bar_chart(
            [(c.item.code if codes_only else f"{c.item.code} {c.item.name}", c.by_kind)
             for c in area.children],
            kinds=list(card.kinds),
        )
        for area in card.areas
    ]  # fmt: skip
    return {
        "area_chart": area_chart(card),
        "sections": list(zip(card.areas, criterion_charts, strict=True)),
    }


@dataclass
class TrendPoint:
    x: float
    y: float
    value: Decimal


@dataclass
class TrendLine:
    kind: str
    points: list[TrendPoint]

    @property
    def style(self):
        return KIND_STYLES[self.kind]

    @property
    def path(self) -> str:
        return " ".join(f"{'M' if i == 0 else 'L'}{p.x} {p.y}" for i, p in enumerate(self.points))


@dataclass
class TrendChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    lines: list[TrendLine]


def trend_chart(history: list[HistoryEntry], *, width=440, height=260) -> TrendChart:
    """Overall scores across cycles, one line per kind of assessment."""
    left, right, top, bottom = 40.0, width - 24.0, 30.0, height - 34.0
    count = len(history)
    x_scale = LinearScale(0, max(count - 1, 1), left + 20, right - 20)
    y_scale = LinearScale(0, 100, bottom, top)
    x_of = {entry.cycle.year: (x_scale(i) if count > 1 else (left + right) / 2)
            for i, entry in enumerate(history)}  # fmt: skip
    lines = []
    for kind in (Kind.SELF, Kind.EXTERNAL):
        points = [
            TrendPoint(x_of[e.cycle.year], y_scale(e.snapshots[kind].overall),
                       e.snapshots[kind].overall)
            for e in history
            if kind in e.snapshots and e.snapshots[kind].overall is not None
        ]  # fmt: skip
        if points:
            lines.append(TrendLine(kind, points))
    return TrendChart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        y_ticks=[Tick(y_scale(t), f"{t:g}") for t in ticks(0, 100, 20)],
        x_ticks=[Tick(x, str(year)) for year, x in x_of.items()],
        lines=lines,
    )


@dataclass
class MapPlace:
    name: str
    url: str
    x: float  # the administrative centre, or the label's place inside the outline
    y: float
    fill: str
    text: str
    score: Decimal | None
    band_label: str
    outline: str = ""
    label_lines: list[tuple[str, float, float, str]] = field(default_factory=list)

    @property
    def has_results(self) -> bool:
        return self.score is not None


@dataclass
class RegionMap:
    width: int
    height: int
    places: list[MapPlace]
    has_outlines: bool
    scale_bar: float
    scale_km: int


def region_map(results: CycleResults, *, width=540, height=400) -> RegionMap:
    """A choropleth where boundaries are loaded: each municipality's outline filled with
    its band's colour (hatched without published results) and labelled with its name and
    score. A municipality without a boundary is a circle at its centre, coloured the same
    way, its label placed where it is free.

    The projection is fitted to the boundaries and to the centres drawn as circles.
    """
    rows = sorted(results.rows, key=lambda r: r.municipality.name)
    points = []
    for row in rows:
        m = row.municipality
        if m.boundary:
            points.extend(geometry_points(m.boundary))
        else:
            points.append((m.longitude, m.latitude))
    project = Projection.fit(points, width=width, height=height, margin=30, pad=0.05)
    places = []
    taken = []  # boxes (left, top, right, bottom) already used by markers and labels
    for row in rows:
        if not row.municipality.boundary:
            x, y = project(row.municipality.longitude, row.municipality.latitude)
            taken.append((x - MARKER, y - MARKER, x + MARKER, y + MARKER))
    for row in rows:
        m = row.municipality
        fill = row.band.colour if row.band else UNPUBLISHED_FILL
        lines = wrap(m.name, 18)
        if m.boundary:
            x, y = interior_point(m.boundary, project)
            label_lines = _lines_above(x, y, lines)
        else:
            x, y = project(m.longitude, m.latitude)
            box, label_lines = _place_label(x, y, lines, taken, width, height)
            taken.append(box)
        places.append(
            MapPlace(
                name=m.name,
                url=reverse("assessments:municipality", args=[m.slug]),
                x=x,
                y=y,
                fill=fill,
                text=text_colour_on(fill),
                score=row.headline,
                band_label=row.band.label if row.band else "",
                outline=path_data(m.boundary, project) if m.boundary else "",
                label_lines=label_lines,
            )
        )
    km = project.pixels_per_km
    return RegionMap(
        width=width,
        height=height,
        places=places,
        has_outlines=any(place.outline for place in places),
        scale_bar=round(SCALE_BAR_KM * km, 1),
        scale_km=SCALE_BAR_KM,
    )


def _lines_above(x, y, lines):
    """A name inside an outline: its lines end just above the score, which sits at (x, y)."""
    return [
        ("middle", x, round(y - 14 - (len(lines) - 1 - i) * LINE_HEIGHT, 1), line)
        for i, line in enumerate(lines)
    ]


MARKER = 22
CHAR_WIDTH, LINE_HEIGHT = 9.2, 17
SCALE_BAR_KM = 20


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _place_label(x, y, lines, taken, width, height):
    """Put a marker's label below, above, right or left of it, wherever it is free."""
    text_width = max(len(line) for line in lines) * CHAR_WIDTH
    text_height = len(lines) * LINE_HEIGHT
    gap = MARKER + 4
    candidates = [
        ("middle", x, y + gap),  # below
        ("middle", x, y - gap - text_height),  # above
        ("start", x + gap, y - text_height / 2),  # right
        ("end", x - gap, y - text_height / 2),  # left
    ]
    options = []
    for anchor, left_x, top in candidates:
        left = {"middle": left_x - text_width / 2, "start": left_x, "end": left_x - text_width}[
            anchor
        ]
        box = (left, top, left + text_width, top + text_height)
        inside = box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height
        free = inside and not any(_overlaps(box, other) for other in taken)
        options.append((not free, len(options), anchor, left_x, top, box))
    _busy, _order, anchor, left_x, top, box = min(options)
    lines_at = [(round(top + (i + 1) * LINE_HEIGHT - 4, 1), line) for i, line in enumerate(lines)]
    return box, [(anchor, left_x, line_y, line) for line_y, line in lines_at]

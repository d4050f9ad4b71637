"""Geometry for the server-side SVG charts and map that pages and PDFs share.

Plain numbers in, plain numbers out: the templates under templates/charts/ draw
what these functions place.
"""

import math
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class LinearScale:
    """Maps a value in [low, high] to a coordinate in [start, end]."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value) -> float:
        if self.high == self.low:
            return self.start
        ratio = (float(value) - self.low) / (self.high - self.low)
        return round(self.start + ratio * (self.end - self.start), 2)


def ticks(low: float, high: float, step: float) -> list[float]:
    """Tick values from low to high inclusive."""
    count = int(round((high - low) / step))
    return [low + i * step for i in range(count + 1)]


@dataclass(frozen=True)
class Projection:
    """Equirectangular projection with its standard parallel at the map's middle
    latitude, fitted into a width × height box with a margin.

    Over an area the size of a Georgian region this keeps distances and shapes
    true to within a fraction of a percent, and north stays up.
    """

    west: float
    east: float
    south: float
    north: float
    width: float
    height: float
    margin: float

    @classmethod
    def fit(cls, points: Iterable[tuple[float, float]], *, width, height, margin, pad=0.08):
        """A projection whose box holds every (lon, lat) point, padded by ``pad`` degrees."""
        points = list(points)
        lons = [float(lon) for lon, _lat in points]
        lats = [float(lat) for _lon, lat in points]
        return cls(
            west=min(lons) - pad,
            east=max(lons) + pad,
            south=min(lats) - pad,
            north=max(lats) + pad,
            width=width,
            height=height,
            margin=margin,
        )

    @property
    def _parallel(self) -> float:
        return math.cos(math.radians((self.south + self.north) / 2))

    @property
    def _scale(self) -> float:
        span_x = (self.east - self.west) * self._parallel
        span_y = self.north - self.south
        inner_w = self.width - 2 * self.margin
        inner_h = self.height - 2 * self.margin
        return min(inner_w / span_x, inner_h / span_y)

    @property
    def pixels_per_km(self) -> float:
        """Map units per kilometre (a degree of latitude is about 111.32 km)."""
        return self._scale / 111.32

    def __call__(self, lon, lat) -> tuple[float, float]:
        scale = self._scale
        used_w = (self.east - self.west) * self._parallel * scale
        used_h = (self.north - self.south) * scale
        offset_x = (self.width - used_w) / 2
        offset_y = (self.height - used_h) / 2
        x = offset_x + (float(lon) - self.west) * self._parallel * scale
        y = offset_y + (self.north - float(lat)) * scale
        return round(x, 1), round(y, 1)


def rings(geometry: dict) -> list[Sequence]:
    """The outer and inner rings of a GeoJSON Polygon or MultiPolygon."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return list(geometry["coordinates"])
    if kind == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def geometry_points(geometry: dict) -> list[tuple[float, float]]:
    return [(point[0], point[1]) for ring in rings(geometry) for point in ring]


def path_data(geometry: dict, project: Projection) -> str:
    """SVG path data for a GeoJSON Polygon or MultiPolygon."""
    parts = []
    for ring in rings(geometry):
        coords = [project(lon, lat) for lon, lat, *_ in ring]
        if len(coords) < 3:
            continue
        head, *tail = coords
        parts.append(f"M{head[0]} {head[1]}" + "".join(f"L{x} {y}" for x, y in tail) + "Z")
    return "".join(parts)


def _ring_area_and_centroid(ring) -> tuple[float, float, float]:
    """Signed area and centroid of a closed ring of (x, y) points (the shoelace formula)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    if area == 0:
        xs, ys = [x for x, _y in ring], [y for _x, y in ring]
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return area, cx / (6 * area), cy / (6 * area)


def _crossings(rings, y: float) -> list[float]:
    """Where the horizontal line at y crosses the rings' edges, left to right."""
    xs = []
    for ring in rings:
        for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
            if (y0 > y) != (y1 > y):
                xs.append(x0 + (y - y0) * (x1 - x0) / (y1 - y0))
    return sorted(xs)


def interior_point(geometry: dict, project: Projection) -> tuple[float, float]:
    """A point inside a Polygon or MultiPolygon, on the map, where its label can go.

    The centroid of its largest polygon when that lies inside (holes count as outside);
    otherwise, for a crescent or a ring-shaped municipality, the middle of the widest
    stretch inside it along the centroid's horizontal line.
    """
    kind = geometry.get("type")
    polygons = [geometry["coordinates"]] if kind == "Polygon" else geometry["coordinates"]
    projected = [
        [[project(lon, lat) for lon, lat, *_ in ring] for ring in polygon] for polygon in polygons
    ]
    largest = max(projected, key=lambda polygon: abs(_ring_area_and_centroid(polygon[0])[0]))
    _area, x, y = _ring_area_and_centroid(largest[0])
    xs = _crossings(largest, y)
    stretches = list(zip(xs[0::2], xs[1::2], strict=False))
    if not stretches or any(left <= x <= right for left, right in stretches):
        return round(x, 1), round(y, 1)
    left, right = max(stretches, key=lambda stretch: stretch[1] - stretch[0])
    return round((left + right) / 2, 1), round(y, 1)


def wrap(text: str, width: int) -> list[str]:
    """Break a label into lines of at most ``width`` characters, at spaces."""
    return textwrap.wrap(str(text), width=width, break_long_words=False) or [""]


def _luminance(colour: str) -> float:
    def channel(hex_pair):
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    colour = colour.lstrip("#")
    r, g, b = (channel(colour[i : i + 2]) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_colour_on(background: str) -> str:
    """Black or white, whichever contrasts more with the background (WCAG formula)."""
    lum = _luminance(background)
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"

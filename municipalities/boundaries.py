"""Municipal boundaries from a GeoJSON FeatureCollection: read, checked, simplified, matched.

Plain data in, plain data out, no ORM: ``boundary_import.py`` hands in the municipalities
and writes what the plan says. A file such as geoBoundaries' ADM2 for Georgia names each
feature in its properties (``shapeName``, ``shapeISO``, ``shapeID``); a feature is matched
to a municipality by its slug or by a name (English or Georgian, ordinary or official),
ignoring case, spaces and hyphens.

The file comes from outside, so it is read with care, as defusedxml reads XML: its size is
bounded before it is decoded, its nesting before it is parsed, and NaN, infinities and
huge integers are refused while it is parsed. Coordinates must be WGS 84 longitude and
latitude; projected metres fall outside those ranges and are refused.

What is stored is drawn on a map a few hundred pixels wide, so each ring is simplified
(Douglas–Peucker, about 100 m) and its coordinates rounded to 4 decimals (about 10 m):
a national file of many megabytes keeps a few kilobytes per municipality.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Which properties name a feature, in the order they are tried when none is chosen.
NAME_PROPERTIES = ("slug", "shapeName", "name", "name_en", "name_ka", "NAME_2", "NAME")
MAX_FEATURES = 2000
# A FeatureCollection of MultiPolygons is 8 levels deep; anything much deeper is no boundary.
MAX_DEPTH = 16
MAX_DIGITS = 20
TOLERANCE = 0.001  # degrees of latitude, about 110 m
PLACES = 4  # decimals kept, about 11 m
WGS84_NAMES = {
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "EPSG:4326",
    "urn:ogc:def:crs:EPSG::4326",
}

ADDED, REPLACED, UNCHANGED = "added", "replaced", "unchanged"


class BoundaryError(Exception):
    """A file refused as a whole; the message is for people."""


class GeometryProblem(Exception):
    """One feature's geometry cannot be a boundary; the message is for people."""


# --- Reading ---------------------------------------------------------------------------------


@dataclass
class Feature:
    """One feature of the file, numbered from 1 in the file's order."""

    number: int
    properties: dict[str, str]
    geometry: dict | None = None  # checked and simplified; None when it has a problem
    problem: str = ""
    points: int = 0  # in the file
    kept: int = 0  # after simplification

    @property
    def label(self) -> str:
        for name in ("shapeName", "name", "name_en", "NAME_2", "NAME", "slug", "shapeID"):
            if self.properties.get(name):
                return self.properties[name]
        return _("feature %(number)s") % {"number": self.number}


def read_features(data: bytes, *, max_bytes: int) -> list[Feature]:
    """The features of a GeoJSON FeatureCollection, each with its geometry checked and
    simplified or with the problem that stops it; BoundaryError if the file is no such
    collection."""
    if len(data) > max_bytes:
        raise BoundaryError(
            _("The file is %(size)s; files of at most %(limit)s can be imported.")
            % {"size": filesizeformat(len(data)), "limit": filesizeformat(max_bytes)}
        )
    collection = _parse(data)
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise BoundaryError(
            _("This file is not a GeoJSON FeatureCollection (its “type” must be “%(type)s”).")
            % {"type": "FeatureCollection"}
        )
    _check_crs(collection.get("crs"))
    features = collection.get("features")
    if not isinstance(features, list) or not features:
        raise BoundaryError(_("The file has no features."))
    if len(features) > MAX_FEATURES:
        raise BoundaryError(
            _("The file has %(count)s features; at most %(limit)s can be imported at once.")
            % {"count": len(features), "limit": MAX_FEATURES}
        )
    return [_read_feature(number, item) for number, item in enumerate(features, 1)]


def _parse(data: bytes):
    not_geojson = _("This file is not GeoJSON: %(reason)s")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BoundaryError(not_geojson % {"reason": _("it is not UTF-8 text.")}) from None
    if not text.lstrip().startswith("{"):
        raise BoundaryError(not_geojson % {"reason": _("it does not start with “{”.")})
    if _depth(text) > MAX_DEPTH:
        raise BoundaryError(not_geojson % {"reason": _("it is nested too deeply.")})
    try:
        return json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
    except (ValueError, RecursionError) as error:
        reason = _("%(error)s.") % {"error": error} if isinstance(error, _Refused) else None
        reason = reason or _("it is not valid JSON.")
        raise BoundaryError(not_geojson % {"reason": reason}) from None


class _Refused(ValueError):
    pass


def _refuse_constant(name):
    raise _Refused(_("it contains %(name)s, which is no number") % {"name": name})


def _finite_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(_("it contains %(number)s, which is too large") % {"number": text[:20]})
    return value


def _bounded_int(text):
    if len(text) > MAX_DIGITS:
        raise _Refused(_("it contains a number with too many digits"))
    return int(text)


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _depth(text: str) -> int:
    """How deeply arrays and objects nest, strings skipped; counted before parsing, so
    that a small file of brackets cannot exhaust the parser."""
    depth = deepest = 0
    for token in _TOKENS.finditer(text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    break
        elif mark in "]}":
            depth -= 1
    return deepest


def _check_crs(crs) -> None:
    """Refuse a file that says its coordinates are not longitude and latitude (the old
    GeoJSON "crs" member; RFC 7946 files have none and are WGS 84)."""
    if crs is None:
        return
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if not isinstance(name, str) or name not in WGS84_NAMES:
        raise BoundaryError(
            _(
                "The file's coordinates are in %(crs)s; only WGS 84 longitude and latitude "
                "(EPSG:4326) can be imported. Export the file again in WGS 84."
            )
            % {"crs": name if isinstance(name, str) else _("an unknown system")}
        )


def _read_feature(number: int, item) -> Feature:
    if not isinstance(item, dict) or item.get("type") != "Feature":
        return Feature(number, {}, problem=_("it is not a GeoJSON Feature"))
    raw = item.get("properties")
    properties = {
        str(key): str(value).strip()
        for key, value in (raw.items() if isinstance(raw, dict) else [])
        if isinstance(value, str | int) and not isinstance(value, bool)
    }
    feature = Feature(number, properties)
    try:
        polygons = polygons_of(item.get("geometry"))
    except GeometryProblem as problem:
        feature.problem = str(problem)
        return feature
    feature.points = sum(len(ring) for polygon in polygons for ring in polygon)
    try:
        feature.geometry = simplify(polygons)
    except GeometryProblem as problem:
        feature.problem = str(problem)
        return feature
    feature.kept = sum(len(ring) for ring in _all_rings(feature.geometry))
    return feature


# --- Checking --------------------------------------------------------------------------------

Ring = list[tuple[float, float]]


def polygons_of(geometry) -> list[list[Ring]]:
    """A Polygon's or MultiPolygon's polygons, each a list of rings of (lon, lat) points,
    outer ring first; GeometryProblem says what is wrong with anything else."""
    if geometry is None:
        raise GeometryProblem(_("it has no geometry"))
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in ("Polygon", "MultiPolygon"):
        raise GeometryProblem(
            _("its geometry is a %(type)s; only a Polygon or a MultiPolygon can be a boundary")
            % {"type": str(kind)[:40]}
        )
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or not coordinates:
        raise GeometryProblem(_("its %(type)s has no coordinates") % {"type": kind})
    polygons = [coordinates] if kind == "Polygon" else coordinates
    return [_polygon(polygon, kind) for polygon in polygons]


def _polygon(polygon, kind) -> list[Ring]:
    if not isinstance(polygon, list) or not polygon:
        raise GeometryProblem(_("a polygon of its %(type)s has no rings") % {"type": kind})
    return [_ring(ring) for ring in polygon]


def _ring(ring) -> Ring:
    if not isinstance(ring, list):
        raise GeometryProblem(_("a ring is not a list of points"))
    points = [_point(point) for point in ring]
    if len(points) < 4:
        raise GeometryProblem(
            _("a ring has %(count)s points; a closed ring needs at least 4")
            % {"count": len(points)}
        )
    if points[0] != points[-1]:
        raise GeometryProblem(_("a ring does not end at the point where it starts"))
    return points


def _point(point) -> tuple[float, float]:
    if (
        not isinstance(point, list)
        or len(point) not in (2, 3)
        or not all(isinstance(n, int | float) and not isinstance(n, bool) for n in point)
    ):
        raise GeometryProblem(
            _("a point is not a pair of numbers [longitude, latitude]: %(point)s")
            % {"point": json.dumps(point)[:60]}
        )
    lon, lat = float(point[0]), float(point[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise GeometryProblem(
            _(
                "the point [%(lon)s, %(lat)s] is not a longitude and latitude; the "
                "coordinates must be WGS 84 degrees"
            )
            % {"lon": point[0], "lat": point[1]}
        )
    return lon, lat


# --- Simplifying -----------------------------------------------------------------------------


def simplify(polygons: list[list[Ring]], *, tolerance=TOLERANCE, places=PLACES) -> dict:
    """A GeoJSON geometry small enough to keep: every ring simplified and rounded.

    A hole or an island that simplifies to nothing is dropped; a municipality's only
    polygon is kept at full detail (rounded) rather than lost.
    """
    kept = []
    for polygon in polygons:
        outer, *holes = polygon
        ring = _simplified_ring(outer, tolerance, places)
        if ring is None:
            continue
        kept.append([ring, *filter(None, (_simplified_ring(h, tolerance, places) for h in holes))])
    if not kept:
        largest = max((polygon[0] for polygon in polygons), key=len)
        ring = _simplified_ring(largest, 0, places)
        if ring is None:
            raise GeometryProblem(_("its area is too small to draw"))
        kept = [[ring]]
    if len(kept) == 1:
        return {"type": "Polygon", "coordinates": kept[0]}
    return {"type": "MultiPolygon", "coordinates": kept}


def _simplified_ring(ring: Ring, tolerance: float, places: int) -> list[list[float]] | None:
    points = douglas_peucker(ring, tolerance) if tolerance else ring
    rounded = []
    for lon, lat in points:
        point = [round(lon, places), round(lat, places)]
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    if rounded[0] != rounded[-1]:
        rounded.append(list(rounded[0]))
    if len({tuple(point) for point in rounded}) < 3:
        return None
    return rounded


def douglas_peucker(ring: Ring, tolerance: float) -> Ring:
    """A closed ring with the points that stray less than ``tolerance`` degrees from the
    line through their neighbours removed (east-west distances scaled by the cosine of
    the latitude, as on the map). It splits at the point farthest from the start, so
    that both halves are open lines."""
    if len(ring) <= 4:
        return list(ring)
    scale = math.cos(math.radians(ring[0][1]))
    flat = [(lon * scale, lat) for lon, lat in ring]
    start = flat[0]
    far = max(range(len(flat)), key=lambda i: _distance(flat[i], start, start))
    keep = _keep(flat, 0, far, tolerance) | _keep(flat, far, len(flat) - 1, tolerance)
    return [ring[i] for i in sorted(keep)]


def _keep(points, first: int, last: int, tolerance: float) -> set[int]:
    keep = {first, last}
    stack = [(first, last)]
    while stack:  # no recursion: a ring may have a hundred thousand points
        start, end = stack.pop()
        farthest, index = 0.0, None
        for i in range(start + 1, end):
            distance = _distance(points[i], points[start], points[end])
            if distance > farthest:
                farthest, index = distance, i
        if index is not None and farthest > tolerance:
            keep.add(index)
            stack += [(start, index), (index, end)]
    return keep


def _distance(point, a, b) -> float:
    """From a point to the segment a–b."""
    (px, py), (ax, ay), (bx, by) = point, a, b
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    if length == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _all_rings(geometry: dict):
    coordinates = geometry["coordinates"]
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    return [ring for polygon in polygons for ring in polygon]


# --- Matching --------------------------------------------------------------------------------


def name_key(text) -> str:
    """A name as matching compares it: Unicode-normalised, case-folded, without spaces,
    hyphens, dots or apostrophes ("Dedoplis Tskaro" is "dedoplistskaro")."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"[\s\-_.'’`]+", "", text)


@dataclass(frozen=True)
class Place:
    """A municipality as matching sees it."""

    key: int
    slug: str
    label: str
    names: tuple[str, ...]
    boundary: dict | None = None


@dataclass
class Match:
    feature: Feature
    place: Place
    value: str  # the property value that matched

    @property
    def state(self) -> str:
        if self.place.boundary is None:
            return ADDED
        return UNCHANGED if self.place.boundary == self.feature.geometry else REPLACED


@dataclass
class Problem:
    """What stops a feature from being imported, or why it is left out."""

    feature: Feature
    message: str

    def __str__(self):
        return _("feature %(number)s (%(label)s): %(message)s") % {
            "number": self.feature.number,
            "label": self.feature.label,
            "message": self.message,
        }


@dataclass
class BoundaryPlan:
    """What an import would do: the matches it would write, the errors that stop it, the
    features it leaves out, and the municipalities no feature matches."""

    property: str | None
    matches: list[Match] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    unmatched: list[Problem] = field(default_factory=list)
    without_boundary: list[Place] = field(default_factory=list)

    @property
    def changes(self) -> list[Match]:
        return [match for match in self.matches if match.state != UNCHANGED]

    @property
    def may_apply(self) -> bool:
        return not self.errors and bool(self.changes)

    @property
    def counts(self) -> dict[str, int]:
        """How many matches add, replace or leave a boundary as it is."""
        counts = {ADDED: 0, REPLACED: 0, UNCHANGED: 0}
        for match in self.matches:
            counts[match.state] += 1
        return counts


def match_features(
    features: list[Feature], places: list[Place], *, property: str | None = None
) -> BoundaryPlan:
    """Match each feature to a municipality by the chosen property, or else by the first
    of ``NAME_PROPERTIES`` whose value names one.

    A feature that matches none is left out (a national file names every municipality of
    the country); one that matches but whose geometry is refused, or two that match the
    same municipality, stop the import.
    """
    if property and not any(property in feature.properties for feature in features):
        found = sorted({name for feature in features for name in feature.properties})
        raise BoundaryError(
            _("No feature has the property “%(property)s”. The file's properties: %(found)s.")
            % {"property": property, "found": ", ".join(found[:30]) or _("none")}
        )
    index: dict[str, list[Place]] = defaultdict(list)
    for place in places:
        for name in {name_key(n) for n in (place.slug, *place.names) if n}:
            index[name].append(place)

    plan = BoundaryPlan(property=property or None)
    for feature in features:
        names = [property] if property else [n for n in NAME_PROPERTIES if n in feature.properties]
        values = [feature.properties.get(name, "") for name in names]
        found = next(
            ((v, index[name_key(v)]) for v in values if v and index.get(name_key(v))), None
        )
        if found is None:
            plan.unmatched.append(Problem(feature, _unmatched_reason(feature, names, values)))
            continue
        value, candidates = found
        if len(candidates) > 1:
            message = _("“%(value)s” names more than one municipality: %(names)s") % {
                "value": value,
                "names": ", ".join(place.label for place in candidates),
            }
            plan.errors.append(Problem(feature, message))
        elif feature.problem:
            plan.errors.append(Problem(feature, feature.problem))
        else:
            plan.matches.append(Match(feature, candidates[0], value))

    by_place: dict[int, list[Match]] = defaultdict(list)
    for match in plan.matches:
        by_place[match.place.key].append(match)
    for matches in by_place.values():
        if len(matches) > 1:
            numbers = ", ".join(str(match.feature.number) for match in matches)
            for match in matches:
                plan.errors.append(
                    Problem(
                        match.feature,
                        _("features %(numbers)s all match %(name)s; keep one of them")
                        % {"numbers": numbers, "name": match.place.label},
                    )
                )
            plan.matches = [m for m in plan.matches if m not in matches]
    plan.errors.sort(key=lambda problem: problem.feature.number)
    plan.without_boundary = [place for place in places if place.key not in by_place]
    return plan


def _unmatched_reason(feature: Feature, names: list[str], values: list[str]) -> str:
    given = [(name, value) for name, value in zip(names, values, strict=True) if value]
    if not given:
        return _("it has no property that names a municipality (%(names)s)") % {
            "names": ", ".join(names or NAME_PROPERTIES)
        }
    return _("no municipality is named %(names)s") % {
        "names": ", ".join(f"“{value}”" for _name, value in given)
    }

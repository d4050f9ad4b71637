"""The geometry of the server-side charts and map: plain numbers in, plain numbers out."""

import math
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from assessments.results import charts
from assessments.results.cycles import cycle_results
from municipalities.models import boundary_is_valid
from musqat.svg import (
    LinearScale,
    Projection,
    interior_point,
    path_data,
    text_colour_on,
    ticks,
    wrap,
)

# Roughly Telavi and Sighnaghi.
TELAVI, SIGHNAGHI = (45.48, 41.92), (45.92, 41.62)


def square(lon, lat, size=0.1):
    """A closed ring, counter-clockwise from the south-west corner."""
    return [
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat],
    ]


# --- Scales and ticks ----------------------------------------------------------------------


def test_a_linear_scale_maps_the_ends_and_the_middle():
    scale = LinearScale(0, 100, 6, 406)

    assert (scale(0), scale(50), scale(100)) == (6, 206, 406)


def test_a_linear_scale_can_run_backwards_like_an_svg_y_axis():
    scale = LinearScale(0, 100, 226, 30)  # 0 at the bottom, 100 at the top

    assert scale(0) == 226 and scale(100) == 30 and scale(25) == 177


def test_a_linear_scale_accepts_decimals_and_rounds_to_two_places():
    from decimal import Decimal

    assert LinearScale(0, 3, 0, 100)(Decimal("1")) == 33.33


def test_a_linear_scale_with_no_range_puts_everything_at_the_start():
    assert LinearScale(5, 5, 10, 90)(5) == 10


def test_ticks_run_from_low_to_high_inclusive():
    assert ticks(0, 100, 20) == [0, 20, 40, 60, 80, 100]
    assert ticks(0, 1, 0.25) == [0, 0.25, 0.5, 0.75, 1]


# --- The map projection --------------------------------------------------------------------


@pytest.fixture
def projection():
    return Projection.fit([TELAVI, SIGHNAGHI], width=540, height=400, margin=30)


def test_north_is_up(projection):
    _x, north_y = projection(45.5, 41.9)
    _x, south_y = projection(45.5, 41.7)

    assert north_y < south_y


def test_east_is_to_the_right(projection):
    west_x, _y = projection(45.5, 41.8)
    east_x, _y = projection(45.8, 41.8)

    assert east_x > west_x


def test_every_fitted_point_lies_inside_the_box_and_its_margin(projection):
    for lon, lat in [TELAVI, SIGHNAGHI]:
        x, y = projection(lon, lat)
        assert 30 <= x <= 540 - 30
        assert 30 <= y <= 400 - 30


def test_the_fitted_box_is_padded_around_the_points():
    fitted = Projection.fit([TELAVI, SIGHNAGHI], width=540, height=400, margin=30, pad=0.05)

    assert (fitted.west, fitted.east) == pytest.approx((45.43, 45.97))
    assert (fitted.south, fitted.north) == pytest.approx((41.57, 41.97))


def test_a_degree_of_longitude_is_cos_latitude_as_wide_as_a_degree_of_latitude():
    projection = Projection(west=45, east=46, south=41, north=42, width=1000, height=1000, margin=0)
    x0, y0 = projection(45, 41)
    x1, _y = projection(46, 41)
    _x, y1 = projection(45, 42)

    assert (x1 - x0) / (y0 - y1) == pytest.approx(math.cos(math.radians(41.5)), abs=0.002)


def test_the_map_is_centred_in_its_box():
    projection = Projection(west=45, east=46, south=41, north=42, width=1000, height=1000, margin=0)
    x0, y0 = projection(45, 42)
    x1, y1 = projection(46, 41)

    assert (y0, y1) == (0, 1000)  # the taller side fills the box
    assert x0 == pytest.approx(1000 - x1, abs=0.1)  # the narrower one is centred


def test_a_kilometre_is_a_degree_of_latitude_divided_by_111_32():
    projection = Projection(west=45, east=46, south=41, north=42, width=1000, height=1000, margin=0)

    assert projection.pixels_per_km == pytest.approx(1000 / 111.32)


# --- Boundaries as SVG paths ---------------------------------------------------------------


def test_a_polygon_becomes_one_closed_path(projection):
    polygon = {"type": "Polygon", "coordinates": [square(45.6, 41.7)]}

    data = path_data(polygon, projection)

    assert re.fullmatch(r"M[\d.]+ [\d.]+(L[\d.]+ [\d.]+){4}Z", data)
    start = projection(45.6, 41.7)
    assert data.startswith(f"M{start[0]} {start[1]}")


def test_a_polygon_with_a_hole_draws_both_rings(projection):
    outer = square(45.5, 41.7, size=0.2)
    hole = square(45.55, 41.75, size=0.05)

    data = path_data({"type": "Polygon", "coordinates": [outer, hole]}, projection)

    assert data.count("M") == 2 and data.count("Z") == 2


def test_a_multipolygon_draws_every_part(projection):
    parts = [[square(45.5, 41.7)], [square(45.8, 41.65)], [square(45.6, 41.9, size=0.02)]]

    data = path_data({"type": "MultiPolygon", "coordinates": parts}, projection)

    assert data.count("M") == 3 and data.count("Z") == 3


def test_a_ring_too_short_to_enclose_anything_is_left_out(projection):
    data = path_data({"type": "Polygon", "coordinates": [[[45.5, 41.7], [45.6, 41.7]]]}, projection)

    assert data == ""


def test_other_geometries_draw_nothing(projection):
    assert path_data({"type": "Point", "coordinates": [45.5, 41.7]}, projection) == ""


# --- Text on colour, and wrapped labels ----------------------------------------------------


def test_text_on_a_dark_background_is_white():
    assert text_colour_on("#0b3d6b") == "#ffffff"
    assert text_colour_on("#2166ac") == "#ffffff"


def test_text_on_a_light_background_is_black():
    assert text_colour_on("#ffffff") == "#000000"
    assert text_colour_on("#e9ecef") == "#000000"
    assert text_colour_on("ef8a62") == "#000000"  # with or without the #


def test_a_label_wraps_at_spaces_within_the_width():
    lines = wrap("Dedoplistskaro Municipality services", 18)

    assert lines == ["Dedoplistskaro", "Municipality", "services"]
    assert all(len(line) <= 18 for line in lines)


def test_a_word_longer_than_the_width_is_not_broken():
    assert wrap("ინფრასტრუქტურა", 5) == ["ინფრასტრუქტურა"]


def test_an_empty_label_is_one_empty_line():
    assert wrap("", 10) == [""]


# --- Boundaries of municipalities ----------------------------------------------------------


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Polygon", "coordinates": [square(45.5, 41.9)]},
        {"type": "Polygon", "coordinates": [square(45.5, 41.9, 0.2), square(45.55, 41.95, 0.05)]},
        {"type": "MultiPolygon", "coordinates": [[square(45.5, 41.9)], [square(45.9, 41.6)]]},
        {"type": "Polygon", "coordinates": [[[*point, 420] for point in square(45.5, 41.9)]]},
    ],
)
def test_a_polygon_or_multipolygon_of_closed_lon_lat_rings_is_a_valid_boundary(geometry):
    assert boundary_is_valid(geometry)


@pytest.mark.parametrize(
    "geometry",
    [
        None,
        "Polygon",
        [square(45.5, 41.9)],
        {"type": "Point", "coordinates": [45.5, 41.9]},
        {"type": "LineString", "coordinates": square(45.5, 41.9)},
        {"type": "Polygon"},
        {"type": "Polygon", "coordinates": "45.5 41.9"},
        {"type": "Polygon", "coordinates": [square(45.5, 41.9)[:-1]]},  # not closed
        {"type": "Polygon", "coordinates": [[[45.5, 41.9], [45.6, 41.9], [45.5, 41.9]]]},
        {"type": "Polygon", "coordinates": [square(190, 41.9)]},  # longitude out of range
        {"type": "Polygon", "coordinates": [square(41.9, 95)]},  # latitude out of range
        {"type": "Polygon", "coordinates": [[["a", "b"], [1, 2], [3, 4], ["a", "b"]]]},
        {"type": "Polygon", "coordinates": [[[45.5], [45.6], [45.7], [45.5]]]},
        {"type": "MultiPolygon", "coordinates": [square(45.5, 41.9)]},  # one level too shallow
    ],
)
def test_anything_else_is_not_a_valid_boundary(geometry):
    assert not boundary_is_valid(geometry)


def test_a_municipality_with_an_invalid_boundary_does_not_validate(telavi):
    telavi.boundary = {"type": "Polygon", "coordinates": [square(45.5, 41.9)[:-1]]}

    with pytest.raises(ValidationError) as error:
        telavi.full_clean()

    assert "boundary" in error.value.message_dict


def test_a_municipality_with_a_valid_boundary_or_none_validates(telavi):
    telavi.full_clean()
    telavi.boundary = {"type": "Polygon", "coordinates": [square(45.45, 41.85)]}
    telavi.full_clean()


# --- The region map ------------------------------------------------------------------------


@pytest.fixture
def telavi_outlined(published_2021, telavi):
    telavi.boundary = {"type": "Polygon", "coordinates": [square(45.3, 41.8, size=0.3)]}
    telavi.save()
    return telavi


def test_the_map_draws_a_boundary_where_it_is_known_and_a_circle_elsewhere(
    published_2021, telavi_outlined
):
    with translation.override("en"):
        region = charts.region_map(cycle_results(published_2021.cycle))

    places = {place.name: place for place in region.places}
    assert places["Telavi"].outline.startswith("M") and places["Telavi"].outline.endswith("Z")
    assert places["Sighnaghi"].outline == ""
    assert region.has_outlines
    assert places["Telavi"].fill == "#2166ac"  # High
    assert places["Telavi"].text == "#ffffff"


def test_the_map_fits_boundaries_and_centres_inside_its_box(published_2021, telavi_outlined):
    with translation.override("en"):
        region = charts.region_map(cycle_results(published_2021.cycle))

    telavi = next(place for place in region.places if place.name == "Telavi")
    numbers = [float(n) for n in re.findall(r"[\d.]+", telavi.outline)]
    xs, ys = numbers[0::2], numbers[1::2]
    for place in region.places:
        xs.append(place.x)
        ys.append(place.y)
    assert all(0 <= x <= region.width for x in xs)
    assert all(0 <= y <= region.height for y in ys)


def test_the_home_page_map_shows_the_boundary_and_the_circle(visit, telavi_outlined):
    page = visit("/en/")

    svg = re.search(r"<svg[^>]*chart-map.*?</svg>", page.html, re.S).group(0)
    places = svg.split('<g class="map-furniture"')[0]  # not the north arrow
    assert places.count('<path d="M') == 1
    assert 'fill="#2166ac"' in places
    assert places.count("<circle") == 1
    assert "Municipal boundaries, coloured by grade band." in page.text


def test_the_map_labels_every_municipality_and_keeps_labels_inside(published_2021):
    region = charts.region_map(cycle_results(published_2021.cycle))

    for place in region.places:
        assert [line for _anchor, _x, _y, line in place.label_lines] == [place.name]
        for _anchor, _x, y, _line in place.label_lines:
            assert 0 <= y <= region.height
    assert region.scale_km == 20 and region.scale_bar > 0


def test_a_label_goes_inside_an_outline_even_when_its_centroid_is_outside():
    # A "U": its centroid falls in the notch, which is outside.
    u_shape = [[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]
    project = Projection.fit([(0, 0), (3, 3)], width=300, height=300, margin=0, pad=0)

    x, y = interior_point({"type": "Polygon", "coordinates": [u_shape]}, project)

    notch_left, _top = project(1, 3)
    notch_right, notch_bottom = project(2, 1)
    assert not (notch_left < x < notch_right and y < notch_bottom)  # not in the notch
    square_ring = [[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]
    assert interior_point({"type": "Polygon", "coordinates": [square_ring]}, project) == project(
        1, 1
    )

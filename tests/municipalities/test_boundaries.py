"""Importing municipal boundaries from GeoJSON: read with care, simplified, matched by slug
or name, previewed, then written on confirmation; and the map they make.

The file in fixtures/ is a made-up test fixture, not real geography: simple polygons
drawn around the demonstration municipalities' centres, in the shape of geoBoundaries'
ADM2 files.
"""

import io
import json
import math
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils.translation import override

from assessments.models import Document, Rendering
from assessments.pdf.layouts import LAYOUTS
from municipalities.boundaries import (
    ADDED,
    REPLACED,
    UNCHANGED,
    BoundaryError,
    Place,
    douglas_peucker,
    match_features,
    name_key,
    read_features,
    simplify,
)
from municipalities.models import Municipality, boundary_is_valid
from tests import factories

FIXTURE = Path(__file__).parent / "fixtures" / "synthetic_test_boundaries.geojson"
IMPORT_URL = "admin:municipalities_municipality_import_boundaries"
LIMIT = 10 * 1024 * 1024


@pytest.fixture(autouse=True)
def in_english():
    with override("en"):
        yield


def fixture_bytes() -> bytes:
    return FIXTURE.read_bytes()


def square(lon, lat, size=0.1):
    return [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]


def feature(name, geometry=None, **properties):
    geometry = geometry or {"type": "Polygon", "coordinates": [square(45.4, 41.8)]}
    return {
        "type": "Feature",
        "properties": {"shapeName": name, **properties},
        "geometry": geometry,
    }


def collection(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def read(data: bytes):
    return read_features(data, max_bytes=LIMIT)


TELAVI = Place(
    1, "telavi", "Telavi", ("Telavi", "თელავი", "Telavi Municipality", "თელავის მუნიციპალიტეტი")
)
SIGHNAGHI = Place(2, "sighnaghi", "Sighnaghi", ("Sighnaghi", "სიღნაღი"))
DEDOPLISTSKARO = Place(3, "dedoplistskaro", "Dedoplistskaro", ("Dedoplistskaro", "დედოფლისწყარო"))


# --- Reading the file ------------------------------------------------------------------------


def test_it_reads_every_feature_of_a_geoboundaries_like_file():
    features = read(fixture_bytes())

    assert [f.label for f in features][:3] == ["Akhmeta", "Telavi", "Kvareli"]
    assert len(features) == 9
    assert all(f.problem == "" and boundary_is_valid(f.geometry) for f in features)
    lagodekhi = features[3]
    assert lagodekhi.geometry["type"] == "MultiPolygon"
    assert lagodekhi.properties["shapeID"] == "TEST-ADM2-4"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(40), "it is not UTF-8 text"),
        (b"slug,name\ntelavi,Telavi\n", "it does not start with “{”"),
        (b'{"type": "FeatureCollection", "features": [', "it is not valid JSON"),
        (b'{"type": "Feature", "geometry": null}', "not a GeoJSON FeatureCollection"),
        (b'{"type": "FeatureCollection", "features": []}', "The file has no features"),
        (b"{" + b'"a":[' * 40 + b"1" + b"]" * 40 + b"}", "it is nested too deeply"),
        (b'{"type": "FeatureCollection", "features": [], "x": NaN}', "NaN, which is no number"),
        (b'{"type": "FeatureCollection", "features": [], "x": 1e999}', "1e999, which is too large"),
        (b'{"type": "FeatureCollection", "x": ' + b"9" * 5000 + b"}", "too many digits"),
    ],
)
def test_it_refuses_a_file_that_is_not_geojson_with_a_reason(data, message):
    with pytest.raises(BoundaryError, match=re.escape(message)):
        read(data)


def test_it_refuses_a_file_larger_than_the_limit_before_reading_it():
    with pytest.raises(BoundaryError, match="files of at most 100\xa0bytes can be imported"):
        read_features(collection(feature("Telavi")), max_bytes=100)


def test_it_refuses_coordinates_in_a_projected_system():
    data = json.loads(collection(feature("Telavi")))
    data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32638"}}

    with pytest.raises(BoundaryError, match="EPSG::32638; only WGS 84"):
        read(json.dumps(data).encode())


def test_a_file_that_names_wgs84_is_read():
    data = json.loads(collection(feature("Telavi")))
    data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}

    assert read(json.dumps(data).encode())[0].problem == ""


@pytest.mark.parametrize(
    ("geometry", "problem"),
    [
        (None, "it has no geometry"),
        ({"type": "Point", "coordinates": [45.4, 41.9]}, "its geometry is a Point"),
        ({"type": "Polygon", "coordinates": []}, "its Polygon has no coordinates"),
        ({"type": "Polygon", "coordinates": [square(45.4, 41.8)[:-1]]}, "does not end"),
        ({"type": "Polygon", "coordinates": [[[45, 41], [46, 41], [45, 41]]]}, "has 3 points"),
        ({"type": "Polygon", "coordinates": [[[45, 41], ["46", 41], [46, 42], [45, 41]]]},
         "a point is not a pair of numbers"),
        ({"type": "Polygon", "coordinates": [square(500000, 4640000, 1000)]},
         "the point [500000, 4640000] is not a longitude and latitude"),
        ({"type": "Polygon", "coordinates": [square(45.4, 91)]}, "is not a longitude"),
    ],
)  # fmt: skip
def test_a_bad_geometry_is_reported_for_its_feature_alone(geometry, problem):
    bad = feature("Telavi", geometry)
    bad["geometry"] = geometry

    first, second = read(collection(bad, feature("Sighnaghi")))

    assert problem in first.problem and first.geometry is None
    assert second.problem == "" and second.geometry is not None


# --- Simplifying -----------------------------------------------------------------------------


def noisy_circle(lon, lat, radius, count):
    """A ring of many points on a circle, each nudged by a few metres."""
    ring = [
        (
            lon + radius * math.cos(2 * math.pi * i / count) + (i % 3) * 1e-5,
            lat + radius * math.sin(2 * math.pi * i / count),
        )
        for i in range(count)
    ]
    return [*ring, ring[0]]


def test_simplifying_keeps_the_shape_with_far_fewer_points_rounded_to_four_decimals():
    ring = noisy_circle(45.5, 41.9, 0.2, 5000)

    geometry = simplify([[ring]])

    kept = geometry["coordinates"][0]
    assert geometry["type"] == "Polygon"
    assert 12 < len(kept) < 200
    assert kept[0] == kept[-1]
    assert all(round(value, 4) == value for point in kept for value in point)
    for lon, lat in kept:  # still on the circle, within the tolerance
        assert abs(math.hypot(lon - 45.5, lat - 41.9) - 0.2) < 0.003


def test_douglas_peucker_drops_points_on_a_straight_edge_and_keeps_the_corners():
    ring = [(0, 0), (0.5, 0), (1, 0), (1, 1), (0.5, 1.0001), (0, 1), (0, 0)]

    assert douglas_peucker(ring, 0.001) == [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]


def test_a_hole_or_an_island_too_small_to_draw_is_dropped_but_a_lone_polygon_is_kept():
    big = [tuple(p) for p in square(45, 41, 0.5)]
    speck = [tuple(p) for p in square(45.2, 41.2, 0.0002)]

    with_hole = simplify([[big, speck]])
    assert with_hole["type"] == "Polygon" and len(with_hole["coordinates"]) == 1

    islands = simplify([[big], [speck]])
    assert islands["type"] == "Polygon"

    small_but_alone = simplify([[[tuple(p) for p in square(45.2, 41.2, 0.0005)]]])
    assert len(small_but_alone["coordinates"][0]) == 5


# --- Matching --------------------------------------------------------------------------------


def test_names_match_whatever_their_case_spacing_or_hyphens():
    assert name_key("Dedoplis Tskaro") == name_key("dedoplistskaro") == name_key("DEDOPLIS-TSKARO")
    assert name_key(" სიღნაღი ") == name_key("სიღნაღი")


def test_features_match_by_english_or_georgian_name_slug_or_official_name():
    features = read(
        collection(
            feature("TELAVI"),
            feature("სიღნაღი"),
            feature("Nowhere", slug="dedoplistskaro"),  # the slug comes before shapeName
        )
    )

    plan = match_features(features, [TELAVI, SIGHNAGHI, DEDOPLISTSKARO])

    assert [(m.feature.number, m.place.slug) for m in plan.matches] == [
        (1, "telavi"),
        (2, "sighnaghi"),
        (3, "dedoplistskaro"),
    ]
    assert plan.errors == [] and plan.unmatched == [] and plan.without_boundary == []
    official = match_features(read(collection(feature("Telavi Municipality"))), [TELAVI])
    assert official.matches[0].place == TELAVI


def test_a_chosen_property_is_the_only_one_matched():
    features = read(collection(feature("Telavi", code="sighnaghi")))

    plan = match_features(features, [TELAVI, SIGHNAGHI], property="code")

    assert [m.place.slug for m in plan.matches] == ["sighnaghi"]
    assert [p.slug for p in plan.without_boundary] == ["telavi"]


def test_a_property_no_feature_has_is_refused_naming_those_it_has():
    features = read(collection(feature("Telavi", shapeID="X-1")))

    with pytest.raises(BoundaryError, match="No feature has the property “ADM2_EN”.*shapeID"):
        match_features(features, [TELAVI], property="ADM2_EN")


def test_features_of_other_municipalities_are_left_out_and_do_not_stop_the_import():
    features = read(fixture_bytes())

    plan = match_features(features, [TELAVI, SIGHNAGHI])

    assert {m.place.slug for m in plan.matches} == {"telavi", "sighnaghi"}
    assert len(plan.unmatched) == 7
    assert "feature 1 (Akhmeta): no municipality is named “Akhmeta”" in [
        str(p) for p in plan.unmatched
    ]
    assert plan.errors == [] and plan.may_apply


def test_a_bad_geometry_stops_the_import_only_for_a_matched_feature():
    point = {"type": "Point", "coordinates": [45.4, 41.9]}
    features = read(collection(feature("Telavi", point), feature("Tianeti", point)))

    plan = match_features(features, [TELAVI])

    assert [str(p) for p in plan.errors] == [
        "feature 1 (Telavi): its geometry is a Point; only a Polygon or a MultiPolygon can be "
        "a boundary"
    ]
    assert [p.feature.number for p in plan.unmatched] == [2]
    assert not plan.may_apply


def test_two_features_for_one_municipality_are_both_errors():
    features = read(collection(feature("Telavi"), feature("Sighnaghi"), feature("თელავი")))

    plan = match_features(features, [TELAVI, SIGHNAGHI])

    assert [p.feature.number for p in plan.errors] == [1, 3]
    assert "features 1, 3 all match Telavi" in str(plan.errors[0])
    assert [m.place.slug for m in plan.matches] == ["sighnaghi"]
    assert not plan.may_apply


def test_the_plan_tells_added_replaced_and_unchanged_boundaries():
    features = read(collection(feature("Telavi"), feature("Sighnaghi"), feature("Dedoplistskaro")))
    same = features[1].geometry
    places = [
        TELAVI,
        Place(2, "sighnaghi", "Sighnaghi", ("Sighnaghi",), boundary=same),
        Place(3, "dedoplistskaro", "Dedoplistskaro", ("Dedoplistskaro",), boundary={"x": 1}),
    ]

    plan = match_features(features, places)

    assert [m.state for m in plan.matches] == [ADDED, UNCHANGED, REPLACED]
    assert plan.counts == {ADDED: 1, REPLACED: 1, UNCHANGED: 1}


# --- The command -----------------------------------------------------------------------------


def test_the_command_previews_with_dry_run_then_imports(telavi, sighnaghi):
    out = io.StringIO()

    call_command("import_boundaries", str(FIXTURE), "--dry-run", stdout=out)

    report = out.getvalue()
    assert "feature 2 (Telavi) → Telavi: boundary added" in report
    assert "feature 7 (სიღნაღი) → Sighnaghi: boundary added" in report
    assert "left out: feature 1 (Akhmeta)" in report
    assert "Dry run, nothing written: 2 created" in report
    assert not Municipality.objects.exclude(boundary=None).exists()

    call_command("import_boundaries", str(FIXTURE), stdout=out)

    telavi.refresh_from_db()
    assert telavi.boundary["type"] == "Polygon" and boundary_is_valid(telavi.boundary)
    assert telavi.boundary["coordinates"][0][0] == [45.4, 41.86]
    assert "Imported: 2 created, 0 updated, 0 unchanged, 0 errors." in out.getvalue()
    call_command("import_boundaries", str(FIXTURE), stdout=out)
    assert "Every boundary is already as in the file" in out.getvalue()


def test_the_command_matches_by_a_chosen_property(tmp_path, telavi):
    path = tmp_path / "adm2.geojson"
    path.write_bytes(collection(feature("Anything", shapeISO="telavi")))

    call_command("import_boundaries", str(path), "--property", "shapeISO", stdout=io.StringIO())

    telavi.refresh_from_db()
    assert telavi.boundary is not None


def test_the_command_writes_nothing_when_a_feature_has_an_error(tmp_path, telavi, sighnaghi):
    path = tmp_path / "bad.geojson"
    path.write_bytes(collection(feature("Telavi"), feature("Sighnaghi", {"type": "Point"})))
    err = io.StringIO()

    with pytest.raises(CommandError, match="Nothing was imported: 1 errors"):
        call_command("import_boundaries", str(path), stdout=io.StringIO(), stderr=err)

    assert "feature 2 (Sighnaghi): its geometry is a Point" in err.getvalue()
    assert not Municipality.objects.exclude(boundary=None).exists()


def test_the_command_refuses_a_file_that_is_not_geojson(tmp_path, telavi):
    path = tmp_path / "boundaries.geojson"
    path.write_bytes(b"PK\x03\x04" + bytes(100))

    with pytest.raises(CommandError, match="This file is not GeoJSON"):
        call_command("import_boundaries", str(path))


# --- The admin page --------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, project_staff):
    client.force_login(project_staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def upload(client, data, name="adm2.geojson", **fields):
    return client.post(reverse(IMPORT_URL), {"file": SimpleUploadedFile(name, data), **fields})


def test_project_staff_find_the_boundary_import_on_the_changelist(staff_client, telavi):
    changelist = staff_client.get(reverse("admin:municipalities_municipality_changelist"))

    assert f'href="{reverse(IMPORT_URL)}"'.encode() in changelist.content
    page = staff_client.get(reverse(IMPORT_URL)).content.decode()
    assert 'type="file"' in page and "Property that names the municipality" in page


def test_project_staff_preview_then_confirm_and_the_import_is_logged(
    staff_client, project_staff, telavi, sighnaghi
):
    page = upload(staff_client, fixture_bytes())

    html = re.sub(r">\s+<", "><", page.content.decode())
    assert page.status_code == 200
    assert "<td>2</td><td>Telavi</td><td>Telavi</td><td>boundary added</td>" in html
    assert "feature 1 (Akhmeta): no municipality is named “Akhmeta”" in html
    assert "Confirm the import" in html
    assert not Municipality.objects.exclude(boundary=None).exists()

    done = staff_client.post(reverse(IMPORT_URL), page.context["confirm_form"].initial)

    assert done.status_code == 302
    assert Municipality.objects.exclude(boundary=None).count() == 2
    entry = LogEntry.objects.get(user=project_staff)
    assert "adm2.geojson" in entry.change_message and "2 created" in entry.change_message
    # The kept file is gone: the same confirmation cannot import twice.
    again = staff_client.post(reverse(IMPORT_URL), page.context["confirm_form"].initial)
    assert again.status_code == 400


def test_the_preview_lists_municipalities_no_feature_matches(staff_client, telavi):
    kvareli = factories.municipality("kvareli", "Kvareli-Test", "ყვარელი-ტესტი")
    kvareli.boundary = {"type": "Polygon", "coordinates": [square(45.7, 41.9)]}
    kvareli.save()

    html = upload(staff_client, collection(feature("Telavi"))).content.decode()

    assert "Municipalities no feature matches" in html
    assert "Kvareli-Test: keeps its current boundary" in html


def test_the_preview_shows_each_error_and_offers_no_confirmation(staff_client, telavi):
    page = upload(staff_client, collection(feature("Telavi"), feature("telavi")))

    assert "confirm_form" not in page.context
    assert "features 1, 2 all match Telavi" in page.content.decode()
    assert not Municipality.objects.exclude(boundary=None).exists()


def test_the_preview_matches_by_the_property_given_in_the_form(staff_client, telavi):
    page = upload(staff_client, collection(feature("X", code="telavi")), property="code")

    assert [m.place.slug for m in page.context["plan"].matches] == ["telavi"]
    assert page.context["confirm_form"].initial["property"] == "code"
    staff_client.post(reverse(IMPORT_URL), page.context["confirm_form"].initial)
    telavi.refresh_from_db()
    assert telavi.boundary is not None


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(64), "map.geojson", "This file is not GeoJSON"),
        (collection(feature("Telavi")), "map.png", "is not a GeoJSON file"),
        (collection(feature("Telavi", {"type": "Polygon", "coordinates": [square(4e5, 4e6)]})),
         "utm.geojson", "is not a longitude and latitude"),
    ],
)  # fmt: skip
def test_a_file_that_is_not_usable_geojson_gets_a_message(
    staff_client, telavi, data, name, message
):
    page = upload(staff_client, data, name)

    assert message in page.content.decode()
    assert "confirm_form" not in page.context
    assert not Municipality.objects.exclude(boundary=None).exists()


def test_a_file_over_the_limit_is_refused_with_a_message(staff_client, telavi, settings):
    settings.IMPORT_MAX_BYTES = 1024

    page = upload(staff_client, collection(feature("Telavi")) + b" " * 2048)

    assert page.status_code == 400
    assert "a boundary file may be 1.0\xa0KB at most" in page.content.decode()


def test_staff_of_a_municipality_and_citizens_cannot_import(client, telavi_staff):
    client.force_login(telavi_staff)
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    assert upload(client, collection(feature("Telavi"))).status_code == 403

    anonymous = Client()
    response = anonymous.get(reverse(IMPORT_URL))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert Municipality.objects.get(slug="telavi").boundary is None


def test_someone_who_may_only_read_municipalities_sees_no_boundary_import(client, telavi):
    reader = factories.user("reader", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_municipality"))
    client.force_login(reader)

    changelist = client.get(reverse("admin:municipalities_municipality_changelist"))

    assert reverse(IMPORT_URL).encode() not in changelist.content
    assert client.get(reverse(IMPORT_URL)).status_code == 403


def test_the_upload_and_the_confirmation_need_the_csrf_token(project_staff, telavi):
    client = Client(enforce_csrf_checks=True)
    client.force_login(project_staff)

    refused = upload(client, collection(feature("Telavi")))
    forged = client.post(reverse(IMPORT_URL), {"token": "0" * 32})

    assert refused.status_code == forged.status_code == 403
    assert Municipality.objects.get(slug="telavi").boundary is None


def test_a_confirmation_for_a_file_never_previewed_is_refused(staff_client, telavi):
    page = staff_client.post(reverse(IMPORT_URL), {"token": "0" * 32})

    assert page.status_code == 400
    assert "The previewed file has expired" in page.content.decode()


# --- The map they make -----------------------------------------------------------------------


def map_of(html: str) -> str:
    return re.search(r"<svg[^>]*chart-map.*?</svg>", html, re.S).group(0)


def test_the_home_page_draws_a_choropleth_only_once_boundaries_are_loaded(
    visit, published_2021, telavi, sighnaghi, django_capture_on_commit_callbacks
):
    kvareli = factories.municipality("kvareli", "Kvareli", "ყვარელი")  # nothing published
    before = map_of(visit("/en/").html)
    assert before.count("<circle") == 3 and '<path d="M' not in before.split("map-furniture")[0]

    for municipality in (telavi, sighnaghi, kvareli):
        municipality.boundary = {"type": "Polygon", "coordinates": [square(45.3, 41.8, 0.3)]}
    telavi.boundary["coordinates"] = [square(45.4, 41.8, 0.3)]
    sighnaghi.boundary["coordinates"] = [square(45.7, 41.5, 0.3)]
    kvareli.boundary["coordinates"] = [square(45.7, 41.8, 0.3)]
    with django_capture_on_commit_callbacks(execute=True):  # a saved boundary clears the cache
        for municipality in (telavi, sighnaghi, kvareli):
            municipality.save()
    page = visit("/en/")

    after = map_of(page.html)
    shapes = after.split('<g class="map-place">')[0]
    assert after.count("<circle") == 0
    assert shapes.count('<path d="M') == 3
    assert 'fill="#2166ac"' in shapes  # Telavi, High
    assert 'fill="url(#region-map-none)"' in shapes  # Kvareli, nothing published
    assert "Kvareli: no published results" in after  # in the picture's description
    assert "Municipal boundaries, coloured by grade band." in page.text
    assert "Kvareli: no published results" in page.text  # and in the list of links


def test_the_regional_report_draws_the_same_choropleth(published_2021, telavi, sighnaghi):
    telavi.boundary = {"type": "Polygon", "coordinates": [square(45.4, 41.8, 0.3)]}
    telavi.save()
    rendering = Rendering(document=Document.REPORT, cycle=published_2021.cycle, language="en")

    template, context = LAYOUTS[Document.REPORT](rendering)
    html = render_to_string(template, context)

    svg = map_of(html)
    assert context["map"].has_outlines
    assert svg.split('<g class="map-place">')[0].count('<path d="M') == 1
    assert svg.count("<circle") == 1  # Sighnaghi has no boundary: still a marker
    assert "band-swatch-none" in html

"""The public JSON API: what a developer, a journalist's script or another website gets.

Telavi and Sighnaghi are published in 2021 (both kinds) and 2020 (external only); see
published_2021 and published_2020 in tests/conftest.py for how each score comes about.
Every response is held to the OpenAPI document that the API serves, and every number
to the stored snapshot that the scorecard pages show.
"""

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from assessments import services
from assessments.api.openapi import DOCUMENT, PAGE_TEXTS
from assessments.models import EvidenceFile
from assessments.results.scorecard import scorecard
from assessments.scoring import for_display
from assessments.workflow import Status
from indicators.models import Criterion, Indicator, ThematicArea
from municipalities.models import Municipality
from tests import factories

DOCUMENT_FILE = Path(__file__).resolve().parents[2] / "assessments" / "api" / "openapi.json"
DOCUMENT_URI = "urn:musqat:openapi"
REGISTRY = Registry().with_resource(
    DOCUMENT_URI, Resource.from_contents(DOCUMENT, default_specification=DRAFT202012)
)


def pointer(*parts):
    return "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def validator_for(json_pointer):
    """A JSON Schema validator for the schema at this place in the OpenAPI document."""
    return Draft202012Validator({"$ref": f"{DOCUMENT_URI}#/{json_pointer}"}, registry=REGISTRY)


def response_schema(path, status="200"):
    response = DOCUMENT["paths"][path]["get"]["responses"][status]
    if "$ref" in response:
        return validator_for(response["$ref"].lstrip("#/") + "/content/application~1json/schema")
    return validator_for(
        pointer("paths", path, "get", "responses", status, "content", "application/json", "schema")
    )


def assert_valid(validator, data):
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert not errors, errors


def get_json(client, url, **headers):
    response = client.get(url, headers=headers or None)
    assert response["Content-Type"] == "application/json", response["Content-Type"]
    return response.status_code, json.loads(response.content)


def two_decimals(value):
    return None if value is None else float(value.quantize(Decimal("0.01"), ROUND_HALF_UP))


@pytest.fixture
def api(client):
    """Read an API address as a program would: the status and the parsed JSON."""

    def api(url, **headers):
        return get_json(client, url, **headers)

    return api


@pytest.fixture
def corrected_2021(published_2021, project_staff, cso_monitor):
    """Telavi's external assessment corrected and published again: A.2.1 from 60 % to 70 %,
    so A = (100 + 70) ÷ 2 = 85.0, with a public note in both languages (revision 2)."""
    external = published_2021["telavi", "external"]
    services.move_assessment(assessment=external, action="correct", by=project_staff)
    services.return_assessment(
        assessment=external, by=project_staff, comments=[], note="A.2.1: recount the villages."
    )
    factories.answer(external, "A.2.1", 70)
    services.submit_assessment(assessment=external, by=cso_monitor, notify=False)
    services.move_assessment(assessment=external, action="start_review", by=project_staff)
    services.publish_assessment(
        assessment=external,
        by=project_staff,
        note_ka="A.2.1 შესწორდა: 70%",
        note_en="A.2.1 corrected: 70%",
        notify=False,
    )
    return published_2021


# --- The document ----------------------------------------------------------------------------


def test_the_document_is_a_valid_openapi_3_1_description():
    validate_openapi(DOCUMENT)
    assert DOCUMENT["openapi"] == "3.1.0"


def test_the_data_file_is_the_valid_document_that_is_served():
    text = DOCUMENT_FILE.read_text(encoding="utf-8")
    written = json.loads(text)

    validate_openapi(written)
    assert written == DOCUMENT
    # Readable in review: indented, and Georgian examples as Georgian, not \u escapes.
    assert text == json.dumps(written, ensure_ascii=False, indent=2) + "\n"


def texts_the_page_translates(document):
    for item in document["paths"].values():
        operation = item["get"]
        yield operation["summary"]
        yield operation["description"]
        for parameter in operation.get("parameters", []):
            yield parameter["description"]


def test_the_page_s_texts_in_the_document_are_the_ones_marked_for_translation():
    assert set(texts_the_page_translates(DOCUMENT)) == set(PAGE_TEXTS)
    assert len(set(PAGE_TEXTS)) == len(PAGE_TEXTS)


@pytest.mark.parametrize("text", PAGE_TEXTS)
def test_each_of_the_page_s_texts_has_a_georgian_translation(text):
    with translation.override("ka"):
        assert translation.gettext(text) != text


def test_every_object_in_the_document_forbids_fields_it_does_not_list():
    def objects(schema):
        if isinstance(schema, dict):
            if schema.get("type") == "object" and "properties" in schema:
                yield schema
            for value in schema.values():
                yield from objects(value)
        elif isinstance(schema, list):
            for value in schema:
                yield from objects(value)

    found = list(objects(DOCUMENT["components"]["schemas"]))
    assert len(found) > 20
    for schema in found:
        assert schema["additionalProperties"] is False
        assert set(schema["required"]) == set(schema["properties"])


@pytest.mark.parametrize("path", list(DOCUMENT["paths"]))
def test_each_example_in_the_document_is_valid_against_its_own_schema(path):
    content = DOCUMENT["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    assert_valid(response_schema(path), content["example"])


def test_the_document_is_served_to_anyone_as_json(client):
    response = client.get("/api/v1/openapi.json", headers={"Origin": "https://example.org"})

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert json.loads(response.content) == DOCUMENT
    again = client.get("/api/v1/openapi.json", headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304


# --- Every endpoint's real output against the document ---------------------------------------

ENDPOINTS = [
    ("/cycles/", "/api/v1/cycles/"),
    ("/cycles/{year}/scores/", "/api/v1/cycles/2021/scores/"),
    ("/cycles/{year}/scores/", "/api/v1/cycles/2020/scores/"),
    ("/scorecards/{year}/{slug}/", "/api/v1/scorecards/2021/telavi/"),
    ("/scorecards/{year}/{slug}/", "/api/v1/scorecards/2021/sighnaghi/"),
    ("/scorecards/{year}/{slug}/", "/api/v1/scorecards/2020/telavi/"),
    ("/methodology/{code}/", "/api/v1/methodology/2020/"),
]


@pytest.mark.parametrize("path, url", ENDPOINTS)
def test_each_endpoint_returns_what_the_document_describes(
    api, corrected_2021, published_2020, media, path, url
):
    # An evidence file and links, so that those parts of a scorecard are checked too.
    telavi_self = corrected_2021["telavi", "self"]
    response = telavi_self.responses.get(indicator__code="A.1.2")
    EvidenceFile.objects.create(
        response=response, file=SimpleUploadedFile("minutes.pdf", b"%PDF-1.4"), title="Minutes"
    )

    status, data = api(url)

    assert status == 200
    assert_valid(response_schema(path), data)


@pytest.mark.parametrize(
    "path, url",
    [
        ("/cycles/{year}/scores/", "/api/v1/cycles/2031/scores/"),
        ("/scorecards/{year}/{slug}/", "/api/v1/scorecards/2021/tbilisi/"),
        ("/scorecards/{year}/{slug}/", "/api/v1/scorecards/2031/telavi/"),
        ("/methodology/{code}/", "/api/v1/methodology/1999/"),
    ],
)
def test_the_errors_are_what_the_document_describes(api, published_2021, path, url):
    status, data = api(url)

    assert status == 404
    assert_valid(response_schema(path, "404"), data)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = settings.PRIVATE_ROOT = tmp_path
    return tmp_path


# --- The numbers are the scorecard pages' numbers ---------------------------------------------


def test_the_scores_of_a_cycle_list_every_published_assessment_with_its_rank(api, published_2021):
    status, data = api("/api/v1/cycles/2021/scores/")

    assert status == 200
    assert data["cycle"] == {"year": 2021, "methodology": "2020"}
    assert data["headline_kind"] == "external"
    assert [area["code"] for area in data["areas"]] == ["A", "B"]
    rows = [
        (row["municipality"], row["kind"], row["overall"], row["areas"], row["rank"],
         row["band"]["label"]["en"])
        for row in data["assessments"]
    ]  # fmt: skip
    assert rows == [
        ("sighnaghi", "self", 100.0, {"A": 100.0, "B": 100.0}, 1, "High"),
        ("telavi", "self", 56.67, {"A": 33.33, "B": 80.0}, 2, "Developing"),
        ("telavi", "external", 80.0, {"A": 80.0, "B": None}, 1, "High"),
        ("sighnaghi", "external", 57.5, {"A": 75.0, "B": 40.0}, 2, "Developing"),
    ]
    telavi = data["assessments"][1]
    assert telavi["name"] == {"ka": "თელავი", "en": "Telavi"}
    assert telavi["links"]["scorecard"] == {
        "ka": "http://testserver/ka/scorecards/2021/telavi/",
        "en": "http://testserver/en/scorecards/2021/telavi/",
    }
    assert telavi["links"]["api"] == "http://testserver/api/v1/scorecards/2021/telavi/"


def test_curl_of_the_scores_gives_the_numbers_the_scorecard_pages_show(api, visit, published_2021):
    _status, data = api("/api/v1/cycles/2021/scores/")

    for row in data["assessments"]:
        place = Municipality.objects.get(slug=row["municipality"])
        card = scorecard(place, published_2021.cycle)
        summary = card.kinds[row["kind"]]
        # The same stored numbers: 2 decimals here, 1 on the page.
        assert row["overall"] == two_decimals(summary.overall)
        assert row["rank"] == summary.rank
        assert row["band"]["label"]["en"] == summary.band.label_en
        for area in card.areas:
            assert row["areas"][area.item.code] == two_decimals(area.by_kind[row["kind"]])
        page = visit(f"/en/scorecards/2021/{row['municipality']}/")
        label = {"self": "Self-assessment", "external": "External assessment"}[row["kind"]]
        shown = f"{for_display(summary.overall)}"
        assert f"{label} {shown} {row['band']['label']['en']} rank {row['rank']}" in page.text

    # Telavi's self-assessment: 56.6667 is 56.67 here and 56.7 on the page.
    telavi_self = next(
        r for r in data["assessments"] if (r["municipality"], r["kind"]) == ("telavi", "self")
    )
    assert telavi_self["overall"] == 56.67
    assert "Self-assessment 56.7 Developing rank 2" in visit("/en/scorecards/2021/telavi/").text


def test_the_scorecard_gives_each_kind_with_its_change_since_the_comparable_cycle(
    api, published_2021, published_2020
):
    status, data = api("/api/v1/scorecards/2021/telavi/")

    assert status == 200
    assert data["municipality"] == {
        "slug": "telavi",
        "name": {"ka": "თელავი", "en": "Telavi"},
        "official_name": {"ka": "თელავის მუნიციპალიტეტი", "en": "Telavi Municipality"},
    }
    assert data["headline_kind"] == "external"
    external, own = data["kinds"]["external"], data["kinds"]["self"]
    assert (external["overall"], external["rank"], external["band"]["label"]) == (
        80.0, 1, {"ka": "მაღალი", "en": "High"}
    )  # fmt: skip
    assert external["previous"] == {"year": 2020, "overall": 20.0, "comparable": True}
    assert external["change"] == 60.0
    assert (external["revision"], external["correction_note"], external["coverage"]) == (
        1, None, 100.0
    )  # fmt: skip
    assert (own["overall"], own["rank"], own["previous"], own["change"]) == (56.67, 2, None, None)
    assert data["gap"] == -23.33  # 56.6667 − 80.0000

    governance = data["areas"][0]
    assert governance["scores"] == {"self": 33.33, "external": 80.0}
    assert governance["changes"] == {"self": None, "external": 60.0}  # A was 20 in 2020
    assert [c["scores"] for c in governance["criteria"]] == [
        {"self": 33.33, "external": 100.0},
        {"self": None, "external": 60.0},
    ]
    assert data["areas"][1]["scores"] == {"self": 80.0, "external": None}
    assert data["links"]["pdf"]["en"] == "http://testserver/en/scorecards/2021/telavi/scorecard.pdf"
    assert data["links"]["csv"]["ka"] == "http://testserver/ka/scorecards/2021/telavi/data.csv"


def indicator(data, code):
    for area in data["areas"]:
        for criterion in area["criteria"]:
            for item in criterion["indicators"]:
                if item["code"] == code:
                    return item
    raise AssertionError(code)


def test_each_answer_comes_with_its_score_words_and_evidence(api, published_2021, published_2020):
    _status, data = api("/api/v1/scorecards/2021/telavi/")

    scale = indicator(data, "A.1.2")["answers"]
    assert scale["external"] is None  # only the municipality answers A.1.2
    assert scale["self"]["value"] == 2
    assert scale["self"]["score"] == 66.67  # 100 × 2 ÷ 3, like every other score
    assert "normalised" not in scale["self"]
    assert scale["self"]["answer_text"]["en"] == "Adopted (level 2 of 3)"
    assert scale["self"]["answer_text"]["ka"].startswith("მიღებული")
    assert scale["self"]["evidence"] == {
        "ka": "სტანდარტი მიღებულია საკრებულოს მიერ",
        "en": "The standard was adopted by the council",
    }

    villages = indicator(data, "A.2.1")["answers"]["external"]
    assert (villages["value"], villages["score"]) == (60, 60.0)
    assert villages["change"] == 20.0  # 40 % in 2020
    assert villages["evidence"]["en"] == "We visited 12 of 20 villages"
    assert villages["reply"] == {
        "ka": "დანარჩენი სოფლები 2022 წელს ჩაერთვება",
        "en": "The other villages join in 2022",
    }

    days = indicator(data, "B.1.1")["answers"]["external"]
    assert (days["value"], days["not_applicable"], days["score"]) == (None, True, None)
    assert days["not_applicable_reason"] == {
        "ka": "მუნიციპალიტეტს ეს სერვისი არ აქვს",
        "en": "The municipality has no such service",
    }
    assert days["answer_text"]["en"] == "Not applicable"


def test_every_number_of_a_scorecard_is_the_stored_number_rounded_to_two_decimals(
    api, published_2021, published_2020, telavi
):
    _status, data = api("/api/v1/scorecards/2021/telavi/")
    card = scorecard(telavi, published_2021.cycle)

    for area, area_data in zip(card.areas, data["areas"], strict=True):
        assert area_data["scores"] == {k: two_decimals(v) for k, v in area.by_kind.items()}
        for criterion, criterion_data in zip(area.children, area_data["criteria"], strict=True):
            assert criterion_data["scores"] == {
                k: two_decimals(v) for k, v in criterion.by_kind.items()
            }
            for row, row_data in zip(criterion.children, criterion_data["indicators"], strict=True):
                for answer in row.answers:
                    shown = row_data["answers"][answer.kind]
                    assert shown["score"] == two_decimals(answer.points)
                    assert shown["change"] == two_decimals(answer.change)


@pytest.fixture
def awkward_2021(methodology, telavi, sighnaghi, cycle_2021, cso, publish):
    """Telavi and Sighnaghi in 2021 with more decimals everywhere than the API gives:
    weights 1.125 and 2.675, thresholds 20.125 (worst) and 5.005 (best) days, answers of
    33.3333 % and 7.555 days. Half up from the Decimal, 2.675 is 2.68 and 20.125 is 20.13 (a float
    rounded to 2 places would give 2.67 and 20.12)."""
    Indicator.objects.filter(code="A.1.1").update(weight=Decimal("1.125"))
    Criterion.objects.filter(code="A.2").update(weight=Decimal("2.675"))
    Indicator.objects.filter(code="B.1.1").update(worst=Decimal("20.125"), best=Decimal("5.005"))
    publish(factories.assessment(telavi, cycle_2021, "self"), {"A.1.1": 1, "A.1.2": 2, "B.1.1": 8})
    publish(
        factories.assessment(telavi, cycle_2021, "external", organization=cso),
        {"A.1.1": 0, "A.2.1": Decimal("33.3333"), "B.1.1": Decimal("7.555")},
    )
    publish(
        factories.assessment(sighnaghi, cycle_2021, "external", organization=cso),
        {"A.1.1": 1, "A.2.1": Decimal("66.6667"), "B.1.1": Decimal("12.345")},
    )


def numbers_in(data, where="$"):
    """Every number in a JSON document, with where it is."""
    if isinstance(data, bool):
        return
    if isinstance(data, int | float):
        yield where, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from numbers_in(value, f"{where}.{key}")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from numbers_in(value, f"{where}[{index}]")


def test_every_number_of_every_endpoint_has_at_most_two_decimals(api, awkward_2021, published_2020):
    found = {}
    for _path, url in ENDPOINTS:
        status, data = api(url)
        assert status == 200, url
        for where, value in numbers_in(data):
            found[url, where] = value
            assert Decimal(repr(value)).as_tuple().exponent >= -2, (url, where, value)

    methodology_url = "/api/v1/methodology/2020/"
    card_url = "/api/v1/scorecards/2021/telavi/"
    assert found[methodology_url, "$.areas[0].criteria[0].indicators[0].weight"] == 1.13
    assert found[methodology_url, "$.areas[0].criteria[1].weight"] == 2.68
    assert found[methodology_url, "$.areas[1].criteria[0].indicators[0].thresholds.worst"] == 20.13
    assert found[methodology_url, "$.areas[1].criteria[0].indicators[0].thresholds.best"] == 5.01
    _status, card = api(card_url)
    villages = indicator(card, "A.2.1")["answers"]["external"]
    assert (villages["value"], villages["score"]) == (33.33, 33.33)
    days = indicator(card, "B.1.1")["answers"]["external"]
    # (7.555 − 20.125) ÷ (5.005 − 20.125) = 0.831349 stored, 83.13 on the 0–100 scale.
    assert (days["value"], days["score"]) == (7.56, 83.13)
    assert card["kinds"]["external"]["coverage"] == 100.0
    assert len(found) > 50


def test_the_cycles_list_the_published_ones_newest_first(api, published_2021, published_2020):
    status, data = api("/api/v1/cycles/")

    assert status == 200
    assert [
        (c["year"], c["methodology"], c["headline_kind"], c["counts"]) for c in data["cycles"]
    ] == [
        (2021, "2020", "external", {"municipalities": 2, "self": 2, "external": 2}),
        (2020, "2020", "external", {"municipalities": 2, "self": 0, "external": 2}),
    ]
    assert data["cycles"][0]["links"]["scores"] == "http://testserver/api/v1/cycles/2021/scores/"
    assert data["links"]["openapi"] == "http://testserver/api/v1/openapi.json"


def test_the_methodology_gives_areas_criteria_indicators_and_bands(api, published_2021):
    status, data = api("/api/v1/methodology/2020/")

    assert status == 200
    assert (data["code"], data["is_current"], data["previous"], data["cycles"]) == (
        "2020", True, None, [2021]
    )  # fmt: skip
    assert [(b["min_score"], b["label"]["en"]) for b in data["grade_bands"]] == [
        (0.0, "Low"), (40.0, "Developing"), (60.0, "Good"), (80.0, "High")
    ]  # fmt: skip
    assert [area["code"] for area in data["areas"]] == ["A", "B"]
    assert [c["code"] for c in data["areas"][0]["criteria"]] == ["A.1", "A.2"]
    scale = data["areas"][0]["criteria"][0]["indicators"][1]
    assert (scale["code"], scale["response_type"], scale["answered_by"]) == (
        "A.1.2", "scale", "municipality"
    )  # fmt: skip
    assert scale["scale_labels"] == {
        "ka": ["არა", "პროექტი", "მიღებული", "გამოიყენება"],
        "en": ["None", "Draft", "Adopted", "Applied"],
    }
    days = data["areas"][1]["criteria"][0]["indicators"][0]
    assert (days["thresholds"], days["unit"], days["weight"]) == (
        {"worst": 20.0, "best": 5.0}, {"ka": "დღე", "en": "days"}, 1.0
    )  # fmt: skip
    assert data["links"]["handbook_pdf"]["en"] == (
        "http://testserver/en/methodology/2020/handbook.pdf"
    )


def test_an_earlier_methodology_is_public_while_a_published_cycle_uses_it(
    api, published_2021, telavi, publish
):
    earlier = factories.methodology(code="2016", is_current=False)
    cycle_2019 = factories.cycle(2019, earlier)

    assert api("/api/v1/methodology/2016/")[0] == 404

    publish(factories.assessment(telavi, cycle_2019, "self"), {"A.1.1": 1, "A.1.2": 1, "B.1.1": 9})

    status, data = api("/api/v1/methodology/2016/")
    assert status == 200
    assert (data["is_current"], data["cycles"]) == (False, [2019])


def test_the_current_methodology_is_public_before_anything_is_published(api, methodology):
    status, data = api("/api/v1/methodology/2020/")

    assert status == 200
    assert data["cycles"] == []
    assert data["links"]["handbook_pdf"] is None


# --- Unpublished data never shows -------------------------------------------------------------


@pytest.fixture
def unpublished(published_2021, cycle_2021, cso, project_staff, methodology):
    """In 2021, Gurjaani's self-assessment (draft), Kvareli's (submitted) and Lagodekhi's
    external assessment (under review), all fully answered; and a 2022 cycle in which
    Telavi has only a draft."""
    answers = {"A.1.1": 1, "A.1.2": 3, "B.1.1": 6}
    external_answers = {"A.1.1": 1, "A.2.1": 99, "B.1.1": 5}

    def answered(slug, kind, cycle, values):
        place = factories.municipality(slug, slug.title(), slug)
        assessment = factories.assessment(
            place, cycle, kind, organization=cso if kind == "external" else None
        )
        for code, value in values.items():
            factories.answer(assessment, code, value)
        return assessment

    answered("gurjaani", "self", cycle_2021, answers)
    kvareli = answered("kvareli", "self", cycle_2021, answers)
    services.submit_assessment(assessment=kvareli, by=project_staff, notify=False)
    lagodekhi = answered("lagodekhi", "external", cycle_2021, external_answers)
    services.submit_assessment(assessment=lagodekhi, by=project_staff, notify=False)
    services.move_assessment(assessment=lagodekhi, action="start_review", by=project_staff)
    lagodekhi.refresh_from_db()
    assert lagodekhi.status == Status.REVIEW

    cycle_2022 = factories.cycle(2022, methodology, is_open=True)
    telavi = published_2021["telavi", "self"].municipality
    draft = factories.assessment(telavi, cycle_2022, "self")
    for code, value in answers.items():
        factories.answer(draft, code, value)
    return cycle_2022


def test_a_cycle_with_only_drafts_is_not_listed_and_has_no_scores(api, unpublished):
    _status, cycles = api("/api/v1/cycles/")
    assert [c["year"] for c in cycles["cycles"]] == [2021]

    status, data = api("/api/v1/cycles/2022/scores/")
    assert status == 404
    assert data == {"error": "not_found", "detail": "No published results for 2022."}
    assert api("/api/v1/scorecards/2022/telavi/")[0] == 404


def test_unpublished_assessments_are_not_in_the_scores_or_the_counts(api, unpublished):
    _status, data = api("/api/v1/cycles/2021/scores/")
    _status, cycles = api("/api/v1/cycles/")

    assert {row["municipality"] for row in data["assessments"]} == {"telavi", "sighnaghi"}
    assert len(data["assessments"]) == 4
    assert cycles["cycles"][0]["counts"] == {"municipalities": 2, "self": 2, "external": 2}
    assert "99.8" not in json.dumps(data) and "96.67" not in json.dumps(data)


@pytest.mark.parametrize("slug", ["gurjaani", "kvareli", "lagodekhi"])
def test_an_unpublished_scorecard_is_not_found(api, unpublished, slug):
    status, data = api(f"/api/v1/scorecards/2021/{slug}/")

    assert status == 404
    assert data["error"] == "not_found"


def test_a_correction_under_way_shows_the_published_revision(
    client, api, published_2021, project_staff, cso_monitor
):
    before = client.get("/api/v1/scorecards/2021/telavi/")
    external = published_2021["telavi", "external"]
    services.move_assessment(assessment=external, action="correct", by=project_staff)
    services.return_assessment(assessment=external, by=project_staff, comments=[], note="Recount.")
    response = external.responses.get(indicator__code="A.2.1")
    response.value, response.evidence_en = Decimal(70), "We visited 14 of 20 villages"
    response.save()
    services.submit_assessment(assessment=external, by=cso_monitor, notify=False)
    services.move_assessment(assessment=external, action="start_review", by=project_staff)

    _status, card = api("/api/v1/scorecards/2021/telavi/")
    _status, scores = api("/api/v1/cycles/2021/scores/")

    assert card["kinds"]["external"]["overall"] == 80.0
    assert card["kinds"]["external"]["revision"] == 1
    villages = indicator(card, "A.2.1")["answers"]["external"]
    assert (villages["value"], villages["evidence"]["en"]) == (60, "We visited 12 of 20 villages")
    assert [r["overall"] for r in scores["assessments"] if r["kind"] == "external"] == [80.0, 57.5]
    # Nothing public changed, so a client's copy is still good.
    again = client.get("/api/v1/scorecards/2021/telavi/", headers={"If-None-Match": before["ETag"]})
    assert again.status_code == 304


def test_a_published_correction_shows_its_revision_and_note(api, corrected_2021):
    _status, card = api("/api/v1/scorecards/2021/telavi/")

    external = card["kinds"]["external"]
    assert (external["overall"], external["revision"]) == (85.0, 2)
    assert external["correction_note"] == {
        "ka": "A.2.1 შესწორდა: 70%",
        "en": "A.2.1 corrected: 70%",
    }
    assert card["kinds"]["self"]["correction_note"] is None
    assert indicator(card, "A.2.1")["answers"]["external"]["value"] == 70


# --- HTTP: caching, CORS, methods, errors -----------------------------------------------------

API_URLS = [url for _path, url in ENDPOINTS[:5]] + ["/api/v1/methodology/2020/"]


@pytest.mark.parametrize("url", API_URLS)
def test_a_client_that_has_the_current_version_is_told_it_is_not_modified(
    client, published_2021, published_2020, url
):
    first = client.get(url)
    assert first.status_code == 200
    assert first["Cache-Control"] == "public, max-age=300"

    again = client.get(url, headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 304
    assert again.content == b""
    assert again["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("url", API_URLS[:5])
def test_a_client_that_read_after_the_last_publication_is_told_it_is_not_modified(
    client, published_2021, published_2020, url
):
    first = client.get(url)

    again = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})

    assert again.status_code == 304


@pytest.mark.parametrize(
    "url",
    ["/api/v1/cycles/", "/api/v1/cycles/2021/scores/", "/api/v1/scorecards/2021/telavi/"],
)
def test_a_published_correction_changes_the_etag(client, published_2021, project_staff, url):
    first = client.get(url)
    external = published_2021["telavi", "external"]
    services.move_assessment(assessment=external, action="correct", by=project_staff)
    factories.answer(external, "A.2.1", 65)
    services.publish_assessment(
        assessment=external, by=project_staff, note_ka="შენიშვნა", note_en="A note", notify=False
    )

    again = client.get(url, headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]


def test_a_new_publication_elsewhere_in_the_cycle_changes_the_scores_etag(
    client, published_2021, cycle_2021, publish
):
    first = client.get("/api/v1/cycles/2021/scores/")
    kvareli = factories.municipality("kvareli", "Kvareli", "ყვარელი")
    publish(factories.assessment(kvareli, cycle_2021, "self"), {"A.1.1": 1, "A.1.2": 1, "B.1.1": 9})

    again = client.get("/api/v1/cycles/2021/scores/", headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 200
    assert "kvareli" in again.content.decode()


def test_head_gives_the_headers_without_the_body(client, published_2021):
    response = client.head("/api/v1/cycles/2021/scores/")

    assert response.status_code == 200
    assert response.content == b""
    assert response["ETag"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cycles/",
        "/api/v1/cycles/2021/scores/",
        "/api/v1/cycles/2031/scores/",
        "/api/v1/scorecards/2021/telavi/",
        "/api/v1/methodology/2020/",
        "/api/v1/openapi.json",
        "/api/v1/nothing/here/",
    ],
)
def test_any_website_may_read_every_response_errors_included(client, published_2021, url):
    response = client.get(url, headers={"Origin": "https://news.example.ge"})

    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]


def test_a_browser_s_preflight_is_answered(client, published_2021):
    response = client.options(
        "/api/v1/scorecards/2021/telavi/",
        headers={
            "Origin": "https://news.example.ge",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]
    assert response["Allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "url", ["/api/v1/cycles/", "/api/v1/scorecards/2021/telavi/", "/api/v1/openapi.json"]
)
def test_it_refuses_to_change_anything(client, published_2021, method, url):
    response = getattr(client, method)(url, data="{}", content_type="application/json")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert json.loads(response.content)["error"] == "method_not_allowed"


@pytest.mark.parametrize(
    "url, detail",
    [
        ("/api/v1/cycles/2031/scores/", "No published results for 2031."),
        ("/api/v1/scorecards/2021/tbilisi/", "No municipality “tbilisi”."),
        ("/api/v1/scorecards/2031/telavi/", "No published scorecard of “telavi” for 2031."),
        ("/api/v1/methodology/1999/", "No public methodology version “1999”."),
        ("/api/v1/", "Nothing at /api/v1/. The API is described at /api/v1/openapi.json."),
        (
            "/api/v1/municipalities/",
            "Nothing at /api/v1/municipalities/. The API is described at /api/v1/openapi.json.",
        ),
    ],
)
def test_something_unknown_is_a_json_404(api, published_2021, url, detail):
    status, data = api(url)

    assert status == 404
    assert data == {"error": "not_found", "detail": detail}


def test_a_404_cannot_be_turned_into_a_304(client, published_2021):
    missing = client.get("/api/v1/scorecards/2021/tbilisi/")

    assert "ETag" not in missing
    assert (
        client.get("/api/v1/scorecards/2021/tbilisi/", headers={"If-None-Match": "*"}).status_code
        == 404
    )


def test_an_address_without_its_final_slash_is_redirected(client, published_2021):
    response = client.get("/api/v1/cycles/2021/scores?x=1")

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/cycles/2021/scores/?x=1"


def test_the_api_does_not_depend_on_the_browser_s_language(client, published_2021):
    english = client.get("/api/v1/scorecards/2021/telavi/", headers={"Accept-Language": "en"})
    georgian = client.get("/api/v1/scorecards/2021/telavi/", headers={"Accept-Language": "ka"})

    assert english.content == georgian.content


# --- Queries --------------------------------------------------------------------------------

MORE_MUNICIPALITIES = [("kvareli", "Kvareli"), ("gurjaani", "Gurjaani"), ("lagodekhi", "Lagodekhi")]


def an_answer_to(item):
    return {
        "yes_no": 1,
        "scale": len(item.labels_in("ka")) - 1,
        "percent": 70,
        "numeric": item.best,
    }[item.response_type]


@pytest.fixture
def grow(request, methodology, cycle_2021, cso, publish, media):
    """More of everything: another cycle, indicators, criteria, municipalities with both
    kinds published, evidence texts, links and files. Call it between two measurements."""

    def grow():
        request.getfixturevalue("published_2020")
        a = ThematicArea.objects.get(version=methodology, code="A")
        b = ThematicArea.objects.get(version=methodology, code="B")
        b2 = Criterion.objects.create(area=b, code="B.2", name_ka="ბ2", name_en="B two", order=1)
        factories.indicator(Criterion.objects.get(area=a, code="A.1"), "A.1.3", "yes_no")
        factories.indicator(
            b2,
            "B.2.1",
            "scale",
            scale_labels_ka="არა\nკი\nსრულად",
            scale_labels_en="No\nYes\nFully",
        )
        factories.indicator(b2, "B.2.2", "numeric", worst=Decimal(0), best=Decimal(100))
        for slug, name in MORE_MUNICIPALITIES:
            place = factories.municipality(slug, name, slug)
            for cycle in (request.getfixturevalue("cycle_2020"), cycle_2021):
                for kind in ("self", "external"):
                    assessment = factories.assessment(
                        place, cycle, kind, organization=cso if kind == "external" else None
                    )
                    answers = {i.code: an_answer_to(i) for i in assessment.indicators()}
                    texts = {
                        code: {"evidence": "მტკიცებულება", "links": "https://example.org"}
                        for code in answers
                    }
                    for code in list(answers)[:2]:
                        EvidenceFile.objects.create(
                            response=factories.answer(assessment, code, answers[code]),
                            file=SimpleUploadedFile("report.pdf", b"%PDF-1.4"),
                            title="Report",
                        )
                    publish(assessment, answers, texts)
        cache.clear()

    return grow


@pytest.mark.parametrize(
    "url, count",
    [
        ("/api/v1/cycles/", 3),
        ("/api/v1/cycles/2021/scores/", 8),
        ("/api/v1/scorecards/2021/telavi/", 11),
        ("/api/v1/methodology/2020/", 7),
    ],
)
def test_an_endpoint_runs_the_same_number_of_queries_however_much_is_published(
    client, published_2021, grow, django_assert_num_queries, url, count
):
    with django_assert_num_queries(count):
        assert client.get(url).status_code == 200

    grow()

    with django_assert_num_queries(count):
        assert client.get(url).status_code == 200


def test_a_fuller_scorecard_needs_no_more_queries_than_a_small_one(
    client, published_2021, grow, django_assert_num_queries
):
    with django_assert_num_queries(11):
        client.get("/api/v1/scorecards/2021/telavi/")

    grow()
    # Kvareli: more indicators, every answer with evidence, links and files, and a 2020
    # scorecard to show changes against.
    with django_assert_num_queries(11):
        response = client.get("/api/v1/scorecards/2021/kvareli/")
    assert indicator(json.loads(response.content), "B.2.1")["answers"]["self"]["files"] == []
    assert (
        indicator(json.loads(response.content), "A.1.1")["answers"]["self"]["files"][0]["title"]
        == "Report"
    )


def test_a_not_modified_answer_costs_one_query(client, published_2021, django_assert_num_queries):
    etag = client.get("/api/v1/scorecards/2021/telavi/")["ETag"]

    with django_assert_num_queries(1):
        response = client.get("/api/v1/scorecards/2021/telavi/", headers={"If-None-Match": etag})
    assert response.status_code == 304


# --- The page for people ----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ka", "en"])
def test_the_api_page_explains_each_endpoint_with_an_example(visit, published_2021, language):
    page = visit(f"/{language}/api/")

    assert page.status_code == 200
    assert page.lang == language
    for path in DOCUMENT["paths"]:
        assert f"GET /api/v1{path}" in page.text
    assert "curl http://testserver/api/v1/cycles/2021/scores/" in page.text
    assert "curl http://testserver/api/v1/scorecards/2021/telavi/" in page.text
    assert "/api/v1/openapi.json" in page.hrefs()
    assert '"headline_kind": "external"' in page.text


def test_the_api_page_in_english_shows_the_endpoints_in_english(visit, published_2021):
    page = visit("/en/api/")

    assert "Every published score of a cycle" in page.text
    assert "The municipality's slug, for example telavi or sighnaghi." in page.text


def test_every_page_s_footer_links_to_the_api_page(visit, published_2021):
    assert "/en/api/" in visit("/en/").hrefs()
    assert "/ka/api/" in visit("/ka/about/").hrefs()

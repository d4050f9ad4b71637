"""/api/v1/grants/calls/: the grant competition for programs, held to the OpenAPI document
that the API serves (assessments/api/openapi.json), as tests/assessments/test_api.py
holds every other endpoint: every object forbids fields it does not list.
"""

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from assessments.api.openapi import DOCUMENT
from grants.models import Application, ApplicationStatus, Call, CallStage, Decision, Eligibility
from municipalities.models import Organization

URL = "/api/v1/grants/calls/"
DOCUMENT_URI = "urn:musqat:openapi"
REGISTRY = Registry().with_resource(
    DOCUMENT_URI, Resource.from_contents(DOCUMENT, default_specification=DRAFT202012)
)


def validator_for(json_pointer):
    return Draft202012Validator({"$ref": f"{DOCUMENT_URI}#/{json_pointer}"}, registry=REGISTRY)


def assert_valid(validator, data):
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert not errors, errors


CALLS_SCHEMA = validator_for("components/schemas/GrantCallList")
ERROR_SCHEMA = validator_for("components/schemas/Error")


@pytest.fixture
def api(client):
    def api(url=URL, **headers):
        response = client.get(url, headers=headers or None)
        assert response["Content-Type"] == "application/json", response["Content-Type"]
        return response.status_code, json.loads(response.content)

    return api


@pytest.fixture
def draft_call(grant_cycle, telavi):
    call = Call.objects.create(
        slug="still-a-draft",
        title_ka="მონახაზი",
        title_en="Still a draft",
        description_ka="-",
        description_en="-",
        budget=Decimal("1000"),
        min_grant=Decimal("100"),
        max_grant=Decimal("500"),
        opens_at=timezone.now() - datetime.timedelta(days=1),
        closes_at=timezone.now() + datetime.timedelta(days=5),
        cycle=grant_cycle,
    )
    call.municipalities.set([telavi])
    return call


def more_awards(call, telavi, count):
    for n in range(count):
        org = Organization.objects.create(
            slug=f"grantee-{n}", name_ka=f"გრანტი {n}", name_en=f"Grantee {n}"
        )
        application = Application.objects.create(
            call=call,
            organization=org,
            reference=f"EXTRA-{n:03d}",
            status=ApplicationStatus.SUBMITTED,
            title=f"Project {n}",
            municipality=telavi,
            eligibility=Eligibility.ELIGIBLE,
            decision=Decision.AWARDED,
            awarded_amount=Decimal("1234.56"),
        )
        application.indicators.set(call.priority_indicators.all())


def call_of(data, slug):
    return next(call for call in data["calls"] if call["slug"] == slug)


def test_the_list_is_what_the_document_describes(api, awarded_application, open_call, draft_call):
    status, data = api()

    assert status == 200
    assert_valid(CALLS_SCHEMA, data)


def test_the_document_describes_the_grants_endpoint_with_a_valid_example():
    operation = DOCUMENT["paths"]["/grants/calls/"]["get"]
    example = operation["responses"]["200"]["content"]["application/json"]["example"]

    assert_valid(CALLS_SCHEMA, example)


def test_an_open_call_has_its_limits_and_dates_and_no_results_yet(api, open_call):
    _status, data = api()

    call = call_of(data, "kakheti-2024")
    assert call["title"] == {"ka": "მცირე გრანტები 2024", "en": "Small grants 2024"}
    assert call["status"] == "open"
    # Deadlines with Tbilisi's offset, to the second.
    closes = datetime.datetime.fromisoformat(call["closes_at"])
    assert closes == open_call.closes_at
    assert call["closes_at"].endswith("Z")  # UTC, as every time the API gives
    assert (call["budget"], call["min_grant"], call["max_grant"]) == (100000.0, 5000.0, 20000.0)
    assert call["municipalities"] == ["sighnaghi", "telavi"]
    assert call["priority_indicators"] == ["A.2.1"]
    assert call["applications"] is None
    assert call["awards"] == []
    assert call["total_awarded"] is None
    assert call["links"]["page"]["en"] == "http://testserver/en/grants/kakheti-2024/"
    assert call["links"]["pdf"]["ka"] == "http://testserver/ka/grants/kakheti-2024/call-ka.pdf"


def test_a_decided_call_gives_its_applications_awards_and_total(api, awarded_application):
    # An award whose Georgian summary was emptied afterwards (an award needs both).
    awarded_application.public_summary_ka = ""
    awarded_application.public_summary_en = "Drinking water for every village"
    awarded_application.save()

    _status, data = api()

    call = call_of(data, "kakheti-2024")
    assert call["status"] == "decided"
    assert call["applications"] == 1
    assert call["total_awarded"] == 10000.0
    assert call["awards"] == [
        {
            "reference": "KAKHETI-2024-001",
            "organisation": {"ka": "სამოქალაქო მონიტორი", "en": "Civic Monitor"},
            "municipality": "telavi",
            "indicators": ["A.2.1"],
            "amount": 10000.0,
            "grant_start": "2025-01-01",
            "grant_end": "2025-12-31",
            # No Georgian public summary: the applicant's own summary stands in.
            "summary": {
                "ka": "Advocacy for the water service.",
                "en": "Drinking water for every village",
            },
            "links": {
                "page": {
                    "ka": "http://testserver/ka/grants/kakheti-2024/awards/KAKHETI-2024-001/",
                    "en": "http://testserver/en/grants/kakheti-2024/awards/KAKHETI-2024-001/",
                }
            },
        }
    ]


def test_amounts_are_numbers_rounded_to_two_decimals(api, awarded_application, telavi):
    more_awards(awarded_application.call, telavi, 2)

    _status, data = api()

    call = call_of(data, "kakheti-2024")
    assert [award["amount"] for award in call["awards"]] == [1234.56, 1234.56, 10000.0]
    assert call["total_awarded"] == 12469.12


def test_drafts_are_not_listed(api, draft_call, open_call):
    _status, data = api()

    assert [call["slug"] for call in data["calls"]] == ["kakheti-2024"]


def test_no_reviewer_review_or_score_is_given(api, awarded_application):
    _status, data = api()

    text = json.dumps(data)
    for word in ("review", "score", "eligib", "reason", "moderat", "contact", "grant-reviewer"):
        assert word not in text.lower(), word


def test_an_unknown_address_under_grants_is_a_json_404(api, open_call):
    status, data = api("/api/v1/grants/awards/")

    assert status == 404
    assert_valid(ERROR_SCHEMA, data)
    assert data["error"] == "not_found"
    assert "/api/v1/openapi.json" in data["detail"]


def test_the_address_without_its_final_slash_is_redirected(client, open_call):
    response = client.get("/api/v1/grants/calls?x=1")

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/grants/calls/?x=1"


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_it_refuses_to_change_anything(client, open_call, method):
    response = getattr(client, method)(URL, data="{}", content_type="application/json")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert_valid(ERROR_SCHEMA, json.loads(response.content))
    assert Call.objects.filter(stage=CallStage.ANNOUNCED).count() == 1


def test_any_website_may_read_it_and_ask_first(client, open_call):
    assert client.get(URL)["Access-Control-Allow-Origin"] == "*"

    preflight = client.options(URL, headers={"Origin": "https://example.org"})
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"


def test_a_client_that_has_the_current_list_is_told_it_is_not_modified(client, awarded_application):
    etag = client.get(URL)["ETag"]

    again = client.get(URL, headers={"If-None-Match": etag})
    assert again.status_code == 304

    awarded_application.public_summary_en = "Changed"
    awarded_application.save()
    assert client.get(URL, headers={"If-None-Match": etag}).status_code == 200


def test_a_call_closing_changes_the_etag(client, open_call):
    etag = client.get(URL)["ETag"]
    # Nothing is saved when the deadline passes: the clock alone closes the call.
    Call.objects.filter(pk=open_call.pk).update(
        opens_at=timezone.now() - datetime.timedelta(days=2),
        closes_at=timezone.now() - datetime.timedelta(seconds=1),
        updated_at=open_call.updated_at,
    )

    response = client.get(URL, headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert json.loads(response.content)["calls"][0]["status"] == "closed"


def test_the_list_runs_the_same_number_of_queries_however_many_awards(
    client, awarded_application, telavi, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8) as few:
        assert client.get(URL).status_code == 200
    more_awards(awarded_application.call, telavi, 5)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)
    assert len(json.loads(response.content)["calls"][0]["awards"]) == 6

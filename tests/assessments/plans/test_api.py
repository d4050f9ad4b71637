"""Action plans in the public JSON API: /api/v1/plans/<slug>/, adopted and closed plans only.

Telavi's plan answers its 2021 findings (tests/conftest.py, telavi_plan): action 1
addresses A.1.1 (external 100 in 2021) and is due on 30 June 2022; action 2 addresses
A.2.1 (external 60) and B.1.1 (not applicable), with a budget of 40,000.00 lari. The
plan runs through 2023, so by now both actions are overdue unless they are done.
"""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessments.models import ActionIndicator, ActionStatus, VerdictKind
from assessments.plans import services
from assessments.plans.services import Link
from tests import factories
from tests.assessments.test_api import assert_valid, response_schema

PATH = "/plans/{slug}/"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = settings.PRIVATE_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def api(client):
    """Read an API address as a program would: the status and the parsed JSON."""

    def api(url, **headers):
        response = client.get(url, headers=headers or None)
        assert response["Content-Type"] == "application/json"
        return response.status_code, json.loads(response.content)

    return api


@pytest.fixture
def disputed(telavi_plan, telavi_staff, cso_monitor, monitoring_cso, media):
    """Telavi reports action 1 in progress with a photo link and a file; the CSO monitor
    disputes it with its own evidence; Telavi answers. Action 2 is reported done in time."""
    first, second = telavi_plan.actions.order_by("number")
    report = services.report_progress(
        action=first,
        by=telavi_staff,
        reported_on=datetime.date(2022, 5, 20),
        status=ActionStatus.IN_PROGRESS,
        progress=60,
        text="ქსელი 5 სოფელშია გაყვანილი",
        files=[SimpleUploadedFile("akti.pdf", factories.PDF_BYTES)],
        links=[Link(title="ფოტოები", url="https://example.org/photos")],
        today=datetime.date(2022, 5, 20),
    )
    verdict = services.give_verdict(
        update=report,
        by=cso_monitor,
        organization_id=monitoring_cso.pk,
        verdict=VerdictKind.DISPUTED,
        text="წყალი მხოლოდ 3 სოფელშია",
        links=[Link(title="ჩვენი ფოტოები", url="https://example.org/ours")],
    )
    services.answer_verdict(verdict=verdict, by=telavi_staff, text="ორი სოფელი ივლისში ჩაერთვება")
    services.report_progress(
        action=second,
        by=telavi_staff,
        reported_on=datetime.date(2023, 3, 1),
        status=ActionStatus.DONE,
        text="დასრულდა",
        today=datetime.date(2023, 3, 1),
    )
    cache.clear()
    return telavi_plan


def action_of(data, number, plan=0):
    return next(a for a in data["plans"][plan]["actions"] if a["number"] == number)


# --- What a journalist's script reads -----------------------------------------------------


def test_it_gives_telavi_s_adopted_plan_with_both_voices_on_an_action(api, disputed):
    status, data = api("/api/v1/plans/telavi/")

    assert status == 200
    assert_valid(response_schema(PATH), data)
    assert data["municipality"] == {"slug": "telavi", "name": {"ka": "თელავი", "en": "Telavi"}}
    assert data["as_of"] == timezone.localdate().isoformat()
    [plan] = data["plans"]
    assert plan | {"actions": [], "links": {}} == {
        "cycle": 2021,
        "starts_on": "2022-01-01",
        "ends_on": "2023-12-31",
        "status": "adopted",
        "order": {
            "number": "N 123",
            "date": "2022-01-01",
            "document": f"http://testserver/ka/plans/{disputed.pk}/order/",
        },
        "adopted_at": "2022-01-10T09:00:00Z",
        "closed_at": None,
        "counts": {
            "actions": 2,
            "done": 1,
            "on_track": 0,
            "delayed": 1,
            "dropped": 0,
            "overdue": 1,
            "disputed": 1,
        },
        "budget": 52500.5,
        "actions": [],
        "links": {},
    }
    assert plan["links"]["page"] == {
        "ka": "http://testserver/ka/municipalities/telavi/plan/",
        "en": "http://testserver/en/municipalities/telavi/plan/",
    }

    first = action_of(data, 1)
    assert first["title"] == {"ka": "ღონისძიება 1", "en": "Action 1"}
    assert first["responsible_unit"] == {
        "ka": "ინფრასტრუქტურის სამსახური",
        "en": "Infrastructure department",
    }
    assert (first["starts_on"], first["due_on"], first["original_due_on"]) == (
        "2022-01-01",
        "2022-06-30",
        None,
    )
    assert (first["status"], first["progress"], first["state"]) == ("in_progress", 60, "delayed")
    assert first["health"] == {"overdue": True, "stale": True, "unverified": False}
    assert first["done_on_time"] is False
    assert first["links"]["page"]["en"] == (
        "http://testserver/en/municipalities/telavi/plan/#action-1"
    )
    report = first["latest_report"]
    assert report["reported_on"] == "2022-05-20"
    assert (report["status"], report["progress"]) == ("in_progress", 60)
    assert report["text"] == "ქსელი 5 სოფელშია გაყვანილი"
    assert report["evidence"][0]["title"] == "akti.pdf"
    assert report["evidence"][0]["url"].startswith("http://testserver/ka/plans/evidence/")
    assert report["evidence"][1] == {"title": "ფოტოები", "url": "https://example.org/photos"}
    [verdict] = report["verdicts"]
    assert verdict["organisation"] == {"ka": "სამოქალაქო მონიტორი", "en": "Civic Monitor"}
    assert (verdict["verdict"], verdict["text"]) == ("disputed", "წყალი მხოლოდ 3 სოფელშია")
    assert verdict["evidence"] == [{"title": "ჩვენი ფოტოები", "url": "https://example.org/ours"}]
    assert verdict["answer"]["text"] == "ორი სოფელი ივლისში ჩაერთვება"
    assert verdict["answer"]["answered_at"].endswith("Z")

    second = action_of(data, 2)
    assert (second["status"], second["state"], second["progress"]) == ("done", "done", 100)
    assert second["done_on"] == "2023-03-01"
    assert second["done_on_time"] is True
    assert second["health"] == {"overdue": False, "stale": False, "unverified": True}
    assert second["latest_report"]["verdicts"] == []


def test_every_number_is_a_json_number_rounded_to_two_decimals(api, telavi_plan):
    target = ActionIndicator.objects.get(action__plan=telavi_plan, indicator__code="A.2.1")
    target.baseline = Decimal("66.6667")
    target.save()

    _status, data = api("/api/v1/plans/telavi/")

    first, second = action_of(data, 1), action_of(data, 2)
    assert first["budget"] == 12500.5 and isinstance(first["budget"], float)
    assert second["budget"] == 40000.0
    assert data["plans"][0]["budget"] == 52500.5
    indicators = {target["code"]: target for target in second["indicators"]}
    assert indicators["A.2.1"]["baseline"] == 66.67
    assert indicators["B.1.1"]["baseline"] is None  # not applicable in 2021
    assert action_of(data, 1)["indicators"][0] == {
        "code": "A.1.1",
        "name": {"ka": "ინდიკატორი A.1.1", "en": "Indicator A.1.1"},
        "baseline": 100.0,
        "later_cycle": None,
        "later": None,
        "change": None,
        "comparable": False,
    }


def test_a_moved_due_date_keeps_the_first_promise_visible(api, telavi_plan, telavi_staff):
    action = telavi_plan.actions.get(number=1)
    action.due_on = datetime.date(2022, 12, 31)
    action.save()
    services.record_due_date_change(
        action=action, old_due_on=datetime.date(2022, 6, 30), by=telavi_staff
    )

    _status, data = api("/api/v1/plans/telavi/")

    first = action_of(data, 1)
    assert (first["due_on"], first["original_due_on"]) == ("2022-12-31", "2022-06-30")


def test_a_closed_plan_follows_the_plan_in_force_newest_first(api, telavi_plan, telavi_staff):
    services.close_plan(plan=telavi_plan, by=telavi_staff)
    second = factories.plan(
        telavi_plan.municipality, telavi_plan.cycle, starts_on="2024-01-01", ends_on="2025-12-31"
    )
    factories.action(second, 1)
    factories.adopt(second, telavi_staff)

    status, data = api("/api/v1/plans/telavi/")

    assert status == 200
    assert_valid(response_schema(PATH), data)
    assert [(p["starts_on"], p["status"]) for p in data["plans"]] == [
        ("2024-01-01", "adopted"),
        ("2022-01-01", "closed"),
    ]
    assert data["plans"][1]["closed_at"] is not None
    assert data["plans"][1]["links"]["page"]["ka"] == (
        "http://testserver/ka/municipalities/telavi/plan/?cycle=2021"
    )


# --- Never a draft ------------------------------------------------------------------------


def test_a_municipality_with_only_a_draft_plan_has_an_empty_list(api, draft_plan):
    factories.action(draft_plan, 3, title_ka="საიდუმლო", title_en="Secret")

    status, data = api("/api/v1/plans/telavi/")

    assert status == 200
    assert data["plans"] == []
    assert_valid(response_schema(PATH), data)
    assert "საიდუმლო" not in json.dumps(data, ensure_ascii=False)


def test_a_draft_beside_the_adopted_plan_is_never_given(api, telavi_plan):
    draft = factories.plan(
        telavi_plan.municipality, telavi_plan.cycle, starts_on="2024-01-01", ends_on="2025-12-31"
    )
    factories.action(draft, 1, title_ka="საიდუმლო", title_en="Secret")

    _status, data = api("/api/v1/plans/telavi/")

    assert [plan["starts_on"] for plan in data["plans"]] == ["2022-01-01"]
    assert "Secret" not in json.dumps(data)


def test_a_municipality_without_plans_has_an_empty_list(api, published_2021):
    status, data = api("/api/v1/plans/sighnaghi/")

    assert (status, data["plans"]) == (200, [])
    assert data["links"]["self"] == "http://testserver/api/v1/plans/sighnaghi/"


def test_an_unknown_municipality_is_a_json_404(api, published_2021):
    status, data = api("/api/v1/plans/tbilisi/")

    assert status == 404
    assert data == {"error": "not_found", "detail": "No municipality “tbilisi”."}
    assert_valid(response_schema(PATH, "404"), data)


# --- Headers, like every endpoint -----------------------------------------------------------


def test_any_website_may_read_it_and_cache_it(client, telavi_plan):
    response = client.get("/api/v1/plans/telavi/", headers={"Origin": "https://news.example.ge"})

    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["ETag"]
    assert client.get("/api/v1/plans/tbilisi/")["Access-Control-Allow-Origin"] == "*"


def test_a_client_with_the_current_version_is_told_it_is_not_modified(client, telavi_plan):
    etag = client.get("/api/v1/plans/telavi/")["ETag"]

    again = client.get("/api/v1/plans/telavi/", headers={"If-None-Match": etag})

    assert again.status_code == 304


def test_a_new_verdict_changes_the_etag(client, disputed, cso_monitor, monitoring_cso):
    etag = client.get("/api/v1/plans/telavi/")["ETag"]
    report = disputed.actions.get(number=2).updates.get()
    services.give_verdict(
        update=report,
        by=cso_monitor,
        organization_id=monitoring_cso.pk,
        verdict=VerdictKind.CONFIRMED,
        text="დადასტურებულია",
    )

    again = client.get("/api/v1/plans/telavi/", headers={"If-None-Match": etag})

    assert again.status_code == 200
    assert "დადასტურებულია" in again.content.decode()


def test_adopting_a_plan_changes_the_etag(client, draft_plan, telavi_staff):
    etag = client.get("/api/v1/plans/telavi/")["ETag"]
    factories.adopt(draft_plan, telavi_staff)

    again = client.get("/api/v1/plans/telavi/", headers={"If-None-Match": etag})

    assert again.status_code == 200
    assert len(json.loads(again.content)["plans"]) == 1


def test_it_refuses_to_change_anything(client, telavi_plan):
    response = client.post("/api/v1/plans/telavi/")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"


# --- Queries --------------------------------------------------------------------------------


def test_more_actions_reports_and_verdicts_need_no_more_queries(
    client, disputed, telavi_staff, cso_monitor, monitoring_cso, django_assert_num_queries
):
    with django_assert_num_queries(13):
        assert client.get("/api/v1/plans/telavi/").status_code == 200

    for number in (3, 4, 5):
        action = factories.action(disputed, number, indicators=["A.1.2", "A.2.1"])
        report = services.report_progress(
            action=action,
            by=telavi_staff,
            reported_on=datetime.date(2022, 3, number),
            status=ActionStatus.IN_PROGRESS,
            text="მიმდინარეობს",
            links=[Link(title="ბმული", url="https://example.org")],
            today=datetime.date(2022, 3, number),
        )
        services.give_verdict(
            update=report,
            by=cso_monitor,
            organization_id=monitoring_cso.pk,
            verdict=VerdictKind.CONFIRMED,
            text="სწორია",
        )
    cache.clear()

    with django_assert_num_queries(13):
        response = client.get("/api/v1/plans/telavi/")
    assert len(json.loads(response.content)["plans"][0]["actions"]) == 5


def test_a_not_modified_answer_costs_one_query(client, disputed, django_assert_num_queries):
    etag = client.get("/api/v1/plans/telavi/")["ETag"]

    with django_assert_num_queries(1):
        response = client.get("/api/v1/plans/telavi/", headers={"If-None-Match": etag})
    assert response.status_code == 304

"""seed_demo: the demonstration data a newcomer sees after `make run`."""

import io

import pytest
from django.core.management import call_command
from django.http import HttpRequest

from assessments.models import Assessment, Response, ScoreSnapshot
from assessments.workflow import Kind, Status
from indicators.models import Criterion, Indicator, ResponseType, ThematicArea
from municipalities.models import Municipality

SLUGS = [
    "akhmeta", "dedoplistskaro", "gurjaani", "kvareli",
    "lagodekhi", "sagarejo", "sighnaghi", "telavi",
]  # fmt: skip


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module, in its own transaction that is rolled back at the end."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


pytestmark = pytest.mark.django_db


def test_it_loads_the_eight_kakheti_municipalities_with_their_facts(seeded):
    assert list(Municipality.objects.order_by("slug").values_list("slug", flat=True)) == SLUGS
    kvareli = Municipality.objects.get(slug="kvareli")
    assert kvareli.official_name_ka == "ყვარლის მუნიციპალიტეტი"
    assert (kvareli.centre_ka, kvareli.centre_en) == ("ყვარელი", "Kvareli")
    assert kvareli.population == 29827
    assert str(kvareli.area_km2) == "1000.8"
    for m in Municipality.objects.all():
        assert 41 < m.latitude < 42.5 and 45 < m.longitude < 46.5, m.slug


def test_it_loads_a_methodology_of_4_areas_27_criteria_and_100_indicators(seeded):
    assert ThematicArea.objects.count() == 4
    assert Criterion.objects.count() == 27
    assert Indicator.objects.count() == 100
    types = set(Indicator.objects.values_list("response_type", flat=True))
    assert types == set(ResponseType.values)
    for indicator in Indicator.objects.all():
        assert indicator.name_ka and indicator.name_en and indicator.data_source_en
        if indicator.response_type == ResponseType.SCALE:
            assert len(indicator.labels_in("ka")) == len(indicator.labels_in("en")) >= 3


def test_2020_and_2021_are_published_and_2022_is_open_for_entry(seeded):
    def count(year, kind, status):
        return Assessment.objects.filter(cycle__year=year, kind=kind, status=status).count()

    assert count(2020, Kind.SELF, Status.PUBLISHED) == 8
    assert count(2020, Kind.EXTERNAL, Status.PUBLISHED) == 8
    assert count(2021, Kind.SELF, Status.PUBLISHED) == 8
    assert count(2021, Kind.EXTERNAL, Status.PUBLISHED) == 8
    assert count(2022, Kind.SELF, Status.DRAFT) == 8
    assert count(2022, Kind.EXTERNAL, Status.DRAFT) == 8
    assert not Response.objects.filter(assessment__cycle__year=2022).exists()
    assert not Assessment.objects.filter(
        cycle__year=2022, kind=Kind.EXTERNAL, organization__isnull=True
    ).exists()
    assert ScoreSnapshot.objects.count() == 32


def test_the_open_cycle_closes_weeks_after_the_seeding_so_the_workspaces_show_a_deadline(
    seeded, client
):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from assessments.models import Cycle

    today = timezone.localdate()
    cycle = Cycle.objects.get(year=2022)
    assert cycle.opens_on < today < cycle.closes_on
    client.force_login(get_user_model().objects.get(username="telavi-staff"))
    client.cookies["django_language"] = "ka"
    home = client.get("/admin/").content.decode()
    assert "45 დღეში" in home  # the Telavi draft's deadline, with the days left


def test_the_synthetic_answers_are_complete_and_include_not_applicable(seeded):
    published = Assessment.objects.filter(status=Status.PUBLISHED)
    for assessment in published:
        assert assessment.responses.count() == assessment.indicators().count()
    na = Response.objects.filter(is_na=True)
    assert na.exists()
    assert not na.filter(na_reason="").exists()


def test_it_creates_one_user_per_role_and_prints_the_logins(seeded, django_user_model):
    for username in (
        "project-staff",
        "telavi-staff",
        "sighnaghi-staff",
        "cso-monitor",
        "grant-reviewer",
    ):
        user = django_user_model.objects.get(username=username)
        assert user.check_password("musqat-demo")
        assert username in seeded
    assert "musqat-demo" in seeded
    telavi_staff = django_user_model.objects.get(username="telavi-staff")
    assert telavi_staff.municipality_membership.municipality.slug == "telavi"


def test_running_it_again_changes_nothing(seeded):
    def state():
        return (
            Municipality.objects.count(),
            Indicator.objects.count(),
            Assessment.objects.count(),
            Response.objects.count(),
            sorted(ScoreSnapshot.objects.values_list("pk", "overall")),
        )

    before = state()
    call_command("seed_demo", stdout=io.StringIO())
    assert state() == before


def test_project_staff_sign_in_and_see_the_methodology_tree(seeded, client):
    # django-axes counts every password check, so it needs the request that makes it.
    assert client.login(request=HttpRequest(), username="project-staff", password="musqat-demo")
    area = ThematicArea.objects.get(code="A")
    criterion = area.criteria.first()
    indicator = criterion.indicators.first()
    pages = [
        "/admin/",
        "/admin/indicators/methodologyversion/",
        f"/admin/indicators/methodologyversion/{area.version_id}/change/",
        f"/admin/indicators/thematicarea/{area.pk}/change/",
        f"/admin/indicators/criterion/{criterion.pk}/change/",
        f"/admin/indicators/indicator/{indicator.pk}/change/",
        "/admin/indicators/indicator/?q=water",
        "/admin/assessments/assessment/",
        "/admin/municipalities/municipality/",
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page
    tree = client.get(f"/admin/indicators/thematicarea/{area.pk}/change/").content.decode()
    assert criterion.code in tree and criterion.name_en in tree


def test_the_public_home_page_shows_all_eight_with_scores(seeded, client):
    text = client.get("/en/").content.decode()
    for m in Municipality.objects.all():
        assert m.name_en in text
    assert "2021" in text

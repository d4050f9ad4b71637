"""The admin's lists as the people who use them every day see them: where each record
stands first, filters that make sense for the person, role groups and histories that
read in the page's language."""

import re
from datetime import UTC, datetime

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.utils import formats, timezone, translation

from assessments.answers.progress import progress_of
from assessments.permissions import MUNICIPAL_STAFF_GROUP
from assessments.workflow import Status
from tests import factories

# The 33 letters of the modern Georgian alphabet, in the alphabet's order.
GEORGIAN_ALPHABET = "აბგდევზთიკლმნოპჟრსტუფქღყშჩცძწჭხჯჰ"


@pytest.fixture
def kakheti(telavi, sighnaghi):
    return [
        telavi,
        sighnaghi,
        factories.municipality("akhmeta", "Akhmeta", "ახმეტა"),
        factories.municipality("gurjaani", "Gurjaani", "გურჯაანი"),
    ]


@pytest.fixture
def assessments(kakheti, cycle_2021):
    return [factories.assessment(m, cycle_2021, "self") for m in kakheti]


def changelist(client, user, language, path="/admin/assessments/assessment/"):
    client.force_login(user)
    page = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    return page


def municipality_filter(page):
    found = [
        spec
        for spec in page.context["cl"].filter_specs
        if getattr(spec, "field_path", "") == "municipality"
    ]
    return found[0] if found else None


def test_the_georgian_letters_sort_in_the_alphabets_order():
    assert "".join(sorted(GEORGIAN_ALPHABET)) == GEORGIAN_ALPHABET


def test_the_assessment_list_shows_status_and_progress_first(client, project_staff, assessments):
    factories.answer(assessments[0], "A.1.1", 1)
    page = changelist(client, project_staff, "en")
    assert page.context["cl"].list_display[1:3] == ["status", "progress"]
    progress = progress_of([assessments[0]])[assessments[0].pk]
    assert (progress.answered, progress.total) == (1, progress.total)
    assert progress.total > 1
    assert f'<td class="field-progress">1 / {progress.total}</td>' in page.content.decode()


def test_municipal_staff_of_one_municipality_get_no_municipality_filter(
    client, telavi_staff, assessments
):
    page = changelist(client, telavi_staff, "en")
    assert page.context["cl"].list_display[:2] == ["status", "progress"]
    assert municipality_filter(page) is None
    assert "Sighnaghi" not in page.content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ka", ["ახმეტა", "გურჯაანი", "თელავი", "სიღნაღი"]),
        ("en", ["Akhmeta", "Gurjaani", "Sighnaghi", "Telavi"]),
    ],
)
@pytest.mark.parametrize(
    "path",
    [
        "/admin/assessments/assessment/",
        "/admin/assessments/actionplan/",
        "/admin/municipalities/municipalitymembership/",
    ],
)
def test_the_municipality_filter_follows_the_pages_alphabet(
    client, project_staff, assessments, language, expected, path
):
    page = changelist(client, project_staff, language, path)
    spec = next(
        s
        for s in page.context["cl"].filter_specs
        if getattr(s, "field_path", "").endswith("municipality")
    )
    assert [str(name) for _pk, name in spec.lookup_choices] == expected


def test_role_groups_are_named_in_georgian(client, project_staff, telavi_staff):
    # The group list is the superuser's; project staff edit users, and their groups.
    superuser = factories.user("root", is_staff=True, is_superuser=True)
    page = changelist(client, superuser, "ka", "/admin/auth/group/")
    body = page.content.decode()
    with translation.override("ka"):
        georgian = str(translation.gettext(MUNICIPAL_STAFF_GROUP))
    assert georgian != MUNICIPAL_STAFF_GROUP
    assert georgian in body
    client.force_login(project_staff)
    form = client.get(
        f"/admin/auth/user/{telavi_staff.pk}/change/", HTTP_ACCEPT_LANGUAGE="ka"
    ).content.decode()
    group = Group.objects.get(name=MUNICIPAL_STAFF_GROUP)
    assert f'<option value="{group.pk}" selected>{georgian}</option>' in form


def test_an_assessments_history_reads_in_labels_and_local_time(client, project_staff, assessments):
    assessment = assessments[0]
    submitted = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assessment.status = Status.SUBMITTED
    assessment.submitted_at = submitted
    assessment._change_reason = "submit"
    assessment.save()
    page = changelist(
        client, project_staff, "en", f"/admin/assessments/assessment/{assessment.pk}/history/"
    )
    body = page.content.decode()
    with translation.override("en"):
        tbilisi = formats.date_format(timezone.localtime(submitted), "SHORT_DATETIME_FORMAT")
        assert f"{Status.DRAFT.label} → {Status.SUBMITTED.label}" in body
    assert tbilisi in body
    assert "+00:00" not in body
    assert "draft →" not in body
    assert f"/admin/assessments/assessment/{assessment.pk}/full-history/" in body


def test_permissions_are_named_in_the_page_s_language(client, project_staff, telavi_staff):
    client.force_login(project_staff)
    form = client.get(
        f"/admin/auth/user/{telavi_staff.pk}/change/", HTTP_ACCEPT_LANGUAGE="ka"
    ).content.decode()
    options = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', form)
    with translation.override("ka"):
        expected = f"{apps.get_app_config('assessments').verbose_name} | შეფასება | დამატება"
    assert expected in options
    # Django's own English names ("Can add assessment") are nowhere on the Georgian page.
    assert not [option for option in options if option.startswith("Can ") or "| Can " in option]

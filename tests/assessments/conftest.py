"""The people, assessments and pages of data entry and review.

The people come from tests/conftest.py: a Telavi staff member, a Sighnaghi staff
member, a CSO monitor (of "Civic Monitor", the CSO assigned to the external
assessments), project staff and a citizen. Here they get a monitor of another
CSO, their assessments, and a way to fill in a form page as a browser would.
"""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from assessments import services
from assessments.answers.forms import area_answers, replies
from assessments.models import EvidenceFile
from assessments.workflow import Status
from indicators.models import ThematicArea
from musqat.models import NotificationSettings
from tests import factories

# The smallest files that pass the type check: each starts as its format does.
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 32


def pdf(name="minutes.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    """Passwords hashed quickly: these tests create many people."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- People and places ------------------------------------------------------------------------


@pytest.fixture
def other_cso(db):
    return factories.organization("open-society-watch")


@pytest.fixture
def other_monitor(other_cso):
    """A monitor of a CSO that is not assigned to Telavi's or Sighnaghi's assessments."""
    return factories.cso_monitor("other-monitor", other_cso)


@pytest.fixture
def cycle_2022(methodology):
    return factories.cycle(2022, methodology, is_open=True)


@pytest.fixture
def telavi_self(telavi, cycle_2022):
    return factories.assessment(telavi, cycle_2022, "self")


@pytest.fixture
def telavi_external(telavi, cycle_2022, cso):
    return factories.assessment(telavi, cycle_2022, "external", organization=cso)


@pytest.fixture
def sighnaghi_self(sighnaghi, cycle_2022):
    return factories.assessment(sighnaghi, cycle_2022, "self")


@pytest.fixture
def sighnaghi_external(sighnaghi, cycle_2022, cso):
    return factories.assessment(sighnaghi, cycle_2022, "external", organization=cso)


# Complete answers for each kind: external answers A.1.1, A.2.1, B.1.1; self A.1.1, A.1.2, B.1.1.
EXTERNAL_ANSWERS = {"A.1.1": 1, "A.2.1": 60, "B.1.1": 8}
SELF_ANSWERS = {"A.1.1": 1, "A.1.2": 2, "B.1.1": 8}


def answer_all(assessment, answers=None):
    answers = answers or (EXTERNAL_ANSWERS if assessment.kind == "external" else SELF_ANSWERS)
    for code, value in answers.items():
        factories.answer(assessment, code, value)
    return assessment


def bring_to(assessment, status, *, by):
    """Move an assessment on through the workflow, by the services, to this status
    (answering everything first, if it is still a draft)."""
    if assessment.status == Status.DRAFT:
        answer_all(assessment)
    if assessment.kind == "external":
        path = ["submit", "open_reply", "close_reply", "publish"]
    else:
        path = ["submit", "start_review", "publish"]
    reached = {
        "submit": Status.SUBMITTED,
        "open_reply": Status.REPLY,
        "close_reply": Status.REVIEW,
        "start_review": Status.REVIEW,
        "publish": Status.PUBLISHED,
    }
    order = [Status.DRAFT, *(reached[action] for action in path)]
    for action in path[order.index(assessment.status) : order.index(status)]:
        if action == "submit":
            services.submit_assessment(assessment=assessment, by=by, notify=False)
        elif action == "open_reply":
            services.open_reply(assessment=assessment, by=by, days=14, notify=False)
        elif action == "publish":
            services.publish_assessment(assessment=assessment, by=by, notify=False)
        else:
            services.move_assessment(assessment=assessment, action=action, by=by)
        assessment.refresh_from_db()
    assert assessment.status == status
    return assessment


@pytest.fixture
def to_status(project_staff):
    """Bring an assessment to a status, as project staff would (they may do every step)."""

    def to_status(assessment, status):
        return bring_to(assessment, status, by=project_staff)

    return to_status


@pytest.fixture
def media(settings, tmp_path):
    """Files (evidence in the private folder, PDFs in the media folder) go to a temporary one."""
    settings.MEDIA_ROOT = settings.PRIVATE_ROOT = tmp_path
    return tmp_path


def evidence(response, name="minutes.pdf", content=PDF, by=None):
    return EvidenceFile.objects.create(
        response=response, file=SimpleUploadedFile(name, content), title=name, uploaded_by=by
    )


def speaks(person, language):
    NotificationSettings.objects.update_or_create(user=person, defaults={"language": language})
    return person


# --- Clients ----------------------------------------------------------------------------------


@pytest.fixture
def browser_of():
    """A separate browser for each person (None: a citizen, not logged in)."""

    def browser_of(person, language=None):
        headers = {"Accept-Language": language} if language else {}
        browser = Client(headers=headers)
        if person is not None:
            browser.force_login(person)
        return browser

    return browser_of


# --- Filling in a page of forms as a browser does ---------------------------------------------

SKIPPED_FIELDS = {"new_files", "remove_files", "version"}


def shown(bound):
    """What a field shows, as the browser sends it back ('' for nothing, a bool for a box)."""
    value = bound.value()
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        # A stored value carries four decimals; the choices of yes/no and scales are "1", "2", …
        return format(value.normalize(), "f")
    return str(value)


def shown_before(form, name):
    """The hidden copy of what the page first showed; a page re-rendered after a refused
    save passes on the copy it was sent."""
    if form.is_bound and form.add_initial_prefix(name) in form.data:
        return form.data[form.add_initial_prefix(name)]
    return str(shown(form[name]))


def post_data(forms, changes=None):
    """The POST of a page of answer or reply forms: what each form showed, with the
    changes given by indicator code, the hidden copy of what was shown, and the version."""
    changes = changes or {}
    data = {}
    for form in forms:
        fields = {}
        for name in form.fields:
            if name in SKIPPED_FIELDS:
                continue
            fields[name] = shown(form[name])
            data[form.add_initial_prefix(name)] = shown_before(form, name)
        fields.update(changes.get(form.indicator.code, {}))
        for name, value in fields.items():
            if value is True:
                data[form.add_prefix(name)] = "on"
            elif value not in (False, None):
                data[form.add_prefix(name)] = value
        version = form["version"].value()
        data[form.add_prefix("version")] = "" if version is None else str(version)
    return data


def answer_data(assessment, area_code="A", changes=None):
    """What a browser would post from an area page, built without opening it (for people
    who cannot open it)."""
    area = ThematicArea.objects.get(version_id=assessment.cycle.methodology_id, code=area_code)
    return post_data(area_answers(assessment, area), changes) | {"save": "1"}


def reply_data(assessment, changes=None):
    return post_data(replies(assessment), changes)


class FormPage:
    """A page of answer or reply forms, as one person opened it."""

    def __init__(self, browser, url, response, forms_key):
        assert response.status_code == 200, response.status_code
        self.browser = browser
        self.url = url
        self.response = response
        self.forms_key = forms_key
        self.forms = {form.indicator.code: form for form in response.context[forms_key]}

    @property
    def html(self):
        return self.response.content.decode()

    def data(self, changes=None):
        return post_data(self.forms.values(), changes) | {"save": "1"}

    def post(self, changes=None, **headers):
        """Send the page back with these changes (by indicator code, then field)."""
        return self.browser.post(self.url, self.data(changes), headers=headers or None)

    def again(self, refused):
        """The page as it came back after a refused save, to send again from."""
        assert refused.status_code == 400, refused.status_code
        page = FormPage.__new__(FormPage)
        page.browser, page.url, page.response, page.forms_key = (
            self.browser,
            self.url,
            refused,
            self.forms_key,
        )
        page.forms = {form.indicator.code: form for form in refused.context[self.forms_key]}
        return page


@pytest.fixture
def open_area():
    """Open an area page (the monitor workspace's, or the admin's) in a person's browser."""

    def open_area(browser, assessment, code="A", *, admin=False, **headers):
        if admin:
            url = reverse("admin:assessments_assessment_area", args=[assessment.pk, code])
        else:
            url = reverse("monitor:area", args=[assessment.pk, code])
        return FormPage(browser, url, browser.get(url, headers=headers or None), "answers")

    return open_area


@pytest.fixture
def open_replies():
    """Open the right-of-reply page of an external assessment in the admin."""

    def open_replies(browser, assessment, **headers):
        url = reverse("admin:assessments_assessment_reply", args=[assessment.pk])
        return FormPage(browser, url, browser.get(url, headers=headers or None), "forms")

    return open_replies

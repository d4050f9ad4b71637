"""Who gets each address of the grant competition: every person × every grant URL.

The people: the applicant (the CSO monitor, of Civic Monitor), the other applicant (the
monitor of another CSO, which applied to the same call), the reviewer (assigned to the
applicant's application, declared no conflict), the conflicted reviewer (assigned to it,
declared a conflict), the member reviewer (assigned to it and declared no conflict, but a
member of the other CSO, which applied to the call: excluded automatically), project staff
and a citizen (not signed in).

The competition is built as far as each row needs (its stage): the call open (the
applicant's draft, the other applicant's submission), under review (both submitted and
eligible, the three reviewers assigned), or decided (the applicant's award, its reports,
its agreement, the staff's export). Secrets are planted in the applicant's objectives and
document, the other applicant's, the reviewer's comment, the grantee's report and the
agreement: a cell `READS` gets the page and reads the row's secrets; every other cell
reads none of them, and nobody reads, on any page, a secret that is not theirs.

Then forged POSTs, each refused with nothing changed in the database: submitting after
the deadline, editing after submission, reviewing an unassigned or conflicted application,
reading (and writing) another organisation's application, an applicant reading the
reviews, people who are not project staff taking the staff's steps.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assessments.permissions import GRANT_REVIEWER_GROUP
from grants import services
from grants.models import (
    ApplicationStatus,
    CallExport,
    Report,
    ReportAttachment,
    ReportStatus,
    ReviewAssignment,
    ReviewScore,
)
from municipalities.models import OrganizationMembership
from tests import factories
from tests.grants.conftest import DECIDED_AT, PDF_BYTES, complete
from tests.grants.test_apply import frozen_at, sent_back

PEOPLE = (
    "applicant",
    "other_applicant",
    "reviewer",
    "conflicted_reviewer",
    "member_reviewer",
    "project_staff",
    "citizen",
)
REVIEWERS = ("reviewer", "conflicted_reviewer", "member_reviewer")

# What a person gets at an address.
READS = "reads the page and its secrets"
OK = "gets the page, without the row's secrets"
PREPARING = "is told the file is being prepared (202)"
LOGIN = "is sent to the login page"
REDIRECT = "is sent on, elsewhere than a login page"
FORBIDDEN = "is refused (403)"
NOT_FOUND = "is told it does not exist (404)"
NOT_ALLOWED = "may not GET it (405)"
STATUS = {OK: 200, READS: 200, PREPARING: 202, FORBIDDEN: 403, NOT_FOUND: 404, NOT_ALLOWED: 405}

# The secrets, and who may read each at a stage.
# (No apostrophes: pages escape them.)
APPLICATION = "SECRET objectives the board of the applicant agreed"
OTHER = "SECRET objectives of the other organisation"
REVIEW = "SECRET the own note of the reviewer on the applicant"
REPORT = "SECRET what the grantee spent, line by line"
AGREEMENT = "SECRET the signed grant agreement"


def readers(secret, stage) -> set[str]:
    return {
        APPLICATION: {"applicant", "project_staff"} | ({"reviewer"} if stage != "open" else set()),
        OTHER: {"other_applicant", "member_reviewer", "project_staff"},
        REVIEW: {"reviewer", "project_staff"},
        REPORT: {"applicant", "project_staff"},
        AGREEMENT: {"project_staff"},
    }[secret]


@dataclass(frozen=True)
class Row:
    stage: str  # "open", "review" or "decided"
    address: "At"  # (the competition, person) → path
    outcomes: tuple  # in the order of PEOPLE
    shows: tuple = ()  # the secrets a READS cell reads there


@dataclass(frozen=True)
class At:
    """An address of the competition: a URL name and its arguments, each a constant or a
    function of the competition (OWN_ASSIGNMENT: the person's own review, or, for whoever
    has none, the reviewer's)."""

    name: str
    args: tuple = ()

    def __call__(self, s, person) -> str:
        def value(arg):
            if arg is OWN_ASSIGNMENT:
                return s.assignments.get(person, s.assignments["reviewer"]).pk
            return arg(s) if callable(arg) else arg

        return reverse(self.name, args=[value(arg) for arg in self.args])


OWN_ASSIGNMENT = object()


def at(name, *args):
    return At(name, args)


def everyone(outcome):
    return (outcome,) * len(PEOPLE)


def staff_only(outcome=OK):
    """The admin: project staff only; nobody else here is staff, so each is sent to the
    admin's login page."""
    return (LOGIN,) * 5 + (outcome, LOGIN)


def public_slug(s):
    return s.call.slug


MATRIX = {
    # --- In public: the same for everyone -------------------------------------------------
    "the list of calls": Row("decided", at("grants:calls"), everyone(OK)),
    "a call's page": Row("decided", at("grants:call", public_slug), everyone(OK)),
    # No PDF is made in a request (a worker makes it): "being prepared", for everyone.
    "a call's PDF": Row("decided", at("grants:call_pdf", public_slug, "en"), everyone(PREPARING)),
    "an award's page": Row(
        "decided", at("grants:award", public_slug, lambda s: s.application.reference), everyone(OK)
    ),
    "the awards as open data": Row("decided", at("grants:awards_file", "csv"), everyone(OK)),
    "the calls in the API": Row("decided", at("grants_api:call_list"), everyone(OK)),
    "an address the API does not have": Row(
        "decided", at("grants_api:not_found", "nothing/"), everyone(NOT_FOUND)
    ),
    # --- The applicant's workspace ----------------------------------------------------------
    #                    applicant other_applicant reviewer conflicted member staff citizen
    "the applicant's workspace": Row(
        "open",
        at("apply:dashboard"),
        (OK, OK, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, LOGIN),
    ),
    "start an application, by a GET": Row(
        "open", at("apply:start", public_slug), (NOT_ALLOWED,) * 6 + (LOGIN,)
    ),
    "the applicant's draft": Row(
        "open",
        at("apply:application", lambda s: s.application.pk),
        (READS, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, LOGIN),
        shows=(APPLICATION,),
    ),
    "the other applicant's submitted application": Row(
        "open",
        at("apply:application", lambda s: s.other.pk),
        (NOT_FOUND, READS, NOT_FOUND, NOT_FOUND, READS, NOT_FOUND, LOGIN),
        shows=(OTHER,),
    ),
    "attach a document, by a GET": Row(
        "open", at("apply:attachments", lambda s: s.application.pk), (NOT_ALLOWED,) * 6 + (LOGIN,)
    ),
    "remove a document, by a GET": Row(
        "open",
        at("apply:remove_attachment", lambda s: s.application.pk, lambda s: s.document.pk),
        (NOT_ALLOWED,) * 6 + (LOGIN,),
    ),
    "the draft's document": Row(
        "open",
        at("apply:attachment", lambda s: s.document.pk),
        (READS, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, READS, LOGIN),
        shows=(APPLICATION,),
    ),
    "the application under review": Row(
        "review",
        at("apply:application", lambda s: s.application.pk),
        (READS, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, LOGIN),
        shows=(APPLICATION,),
    ),
    "the document of the application under review": Row(
        "review",
        at("apply:attachment", lambda s: s.document.pk),
        (READS, NOT_FOUND, READS, NOT_FOUND, NOT_FOUND, READS, LOGIN),
        shows=(APPLICATION,),
    ),
    "the grant's interim report": Row(
        "decided",
        at("apply:report", lambda s: s.report.pk),
        (READS, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, LOGIN),
        shows=(REPORT,),
    ),
    "the interim report's document": Row(
        "decided",
        at("apply:report_attachment", lambda s: s.report_file.pk),
        (READS, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, READS, LOGIN),
        shows=(REPORT,),
    ),
    # --- The review workspace ------------------------------------------------------------------
    #                    applicant other_applicant reviewer conflicted member staff citizen
    "the reviewers' sign-in page": Row("review", at("review:login"), (REDIRECT,) * 6 + (OK,)),
    "sign out of the review workspace, by a GET": Row(
        "review", at("review:logout"), everyone(NOT_ALLOWED)
    ),
    "the reviewer's list": Row(
        "review",
        at("review:dashboard"),
        (FORBIDDEN, FORBIDDEN, OK, OK, OK, FORBIDDEN, LOGIN),
    ),
    # Declared no conflict: on to the scores; declared one, or excluded: told so.
    "the declaration of one's own assignment": Row(
        "review",
        at("review:declare", OWN_ASSIGNMENT),
        (FORBIDDEN, FORBIDDEN, REDIRECT, OK, OK, FORBIDDEN, LOGIN),
        shows=(APPLICATION,),
    ),
    "the declaration of the reviewer's assignment": Row(
        "review",
        at("review:declare", lambda s: s.assignments["reviewer"].pk),
        (FORBIDDEN, FORBIDDEN, REDIRECT, NOT_FOUND, NOT_FOUND, FORBIDDEN, LOGIN),
        shows=(APPLICATION,),
    ),
    "the scores of one's own assignment": Row(
        "review",
        at("review:review", OWN_ASSIGNMENT),
        (FORBIDDEN, FORBIDDEN, READS, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
        shows=(APPLICATION, REVIEW),
    ),
    "the scores of the reviewer's assignment": Row(
        "review",
        at("review:review", lambda s: s.assignments["reviewer"].pk),
        (FORBIDDEN, FORBIDDEN, READS, NOT_FOUND, NOT_FOUND, FORBIDDEN, LOGIN),
        shows=(APPLICATION, REVIEW),
    ),
    "the reviewer's scores once the call is decided": Row(
        "decided",
        at("review:review", lambda s: s.assignments["reviewer"].pk),
        (FORBIDDEN, FORBIDDEN, READS, NOT_FOUND, NOT_FOUND, FORBIDDEN, LOGIN),
        shows=(APPLICATION, REVIEW),
    ),
    # --- The admin: project staff only ------------------------------------------------------
    "the calls in the admin": Row("review", at("admin:grants_call_changelist"), staff_only()),
    "the call in the admin": Row(
        "review", at("admin:grants_call_change", lambda s: s.call.pk), staff_only()
    ),
    "a step of the call": Row(
        "review",
        at("admin:grants_call_step", lambda s: s.call.pk, "close_decisions"),
        staff_only(),
    ),
    "the call's ranking": Row(
        "review", at("admin:grants_call_ranking", lambda s: s.call.pk), staff_only()
    ),
    "the applications in the admin": Row(
        "review", at("admin:grants_application_changelist"), staff_only()
    ),
    "the application in the admin": Row(
        "review",
        at("admin:grants_application_change", lambda s: s.application.pk),
        staff_only(READS),
        shows=(APPLICATION, REVIEW),
    ),
    "the application's eligibility": Row(
        "review",
        at("admin:grants_application_eligibility", lambda s: s.application.pk),
        staff_only(),
    ),
    "assigning a reviewer to it": Row(
        "review",
        at("admin:grants_application_assign", lambda s: s.application.pk),
        staff_only(),
    ),
    "moderating its score": Row(
        "review",
        at("admin:grants_application_moderate", lambda s: s.application.pk),
        staff_only(),
    ),
    "deciding it": Row(
        "review", at("admin:grants_application_decide", lambda s: s.application.pk), staff_only()
    ),
    "the grant agreement": Row(
        "decided",
        at("admin:grants_application_agreement", lambda s: s.application.pk),
        staff_only(READS),
        shows=(AGREEMENT,),
    ),
    "the reports in the admin": Row("decided", at("admin:grants_report_changelist"), staff_only()),
    "the interim report in the admin": Row(
        "decided",
        at("admin:grants_report_change", lambda s: s.report.pk),
        staff_only(READS),
        shows=(REPORT,),
    ),
    "reviewing the interim report": Row(
        "decided", at("admin:grants_report_review", lambda s: s.report.pk), staff_only()
    ),
    "the interim report's document in the admin": Row(
        "decided",
        at("admin:grants_report_attachment", lambda s: s.report.pk, lambda s: s.report_file.pk),
        staff_only(READS),
        shows=(REPORT,),
    ),
    "exporting the call": Row(
        "decided", at("admin:grants_call_export", lambda s: s.call.pk), staff_only()
    ),
    "the exports in the admin": Row(
        "decided", at("admin:grants_callexport_changelist"), staff_only()
    ),
    "the export in the admin": Row(
        "decided", at("admin:grants_callexport_change", lambda s: s.export.pk), staff_only()
    ),
    "the export's file": Row(
        "decided", at("admin:grants_callexport_download", lambda s: s.export.pk), staff_only()
    ),
}


# --- The competition, as far as a row needs it ------------------------------------------------


class Competition:
    """The call, the two applications, the reviewers' assignments, the award's files."""

    assignments: dict
    report = report_file = export = None


def replace_document(application, secret):
    document = application.attachments.get()
    document.file.save("budget.pdf", ContentFile(PDF_BYTES + secret.encode()))
    return document


@pytest.fixture
def people(cso_monitor, other_monitor, other_cso, grant_reviewer, project_staff):
    member = factories.user("member-reviewer", group=GRANT_REVIEWER_GROUP)
    OrganizationMembership.objects.create(user=member, organization=other_cso)
    return {
        "applicant": cso_monitor,
        "other_applicant": other_monitor,
        "reviewer": grant_reviewer,
        "conflicted_reviewer": factories.user("conflicted-reviewer", group=GRANT_REVIEWER_GROUP),
        "member_reviewer": member,
        "project_staff": project_staff,
        "citizen": None,
    }


@pytest.fixture
def competition(open_call, cso, other_cso, telavi, sighnaghi, people):
    """Builds the competition up to a stage."""
    staff = people["project_staff"]

    def build(stage) -> Competition:
        s = Competition()
        s.call = open_call
        s.assignments = {}
        applicant, other_applicant = people["applicant"], people["other_applicant"]
        s.application = services.start_application(
            call=open_call, organization_id=cso.pk, by=applicant
        )
        complete(s.application, applicant, telavi)
        s.application.objectives = APPLICATION
        s.application.save()
        s.document = replace_document(s.application, APPLICATION)
        s.other = services.start_application(
            call=open_call, organization_id=other_cso.pk, by=other_applicant
        )
        complete(s.other, other_applicant, sighnaghi)
        s.other.objectives = OTHER
        s.other.save()
        replace_document(s.other, OTHER)
        s.other = services.submit_application(application=s.other, by=other_applicant)
        if stage == "open":
            return s

        s.application = services.submit_application(application=s.application, by=applicant)
        services.start_review(call=open_call, by=staff, now=open_call.closes_at)
        s.application, s.other = (
            services.check_eligibility(application=application, eligible=True, by=staff)
            for application in (s.application, s.other)
        )
        for person in ("reviewer", "conflicted_reviewer"):
            review = services.assign_reviewer(
                application=s.application, reviewer=people[person], by=staff
            )
            s.assignments[person] = services.declare_conflict(
                review=review,
                has_conflict=person == "conflicted_reviewer",
                note="My sister chairs its board.",
                by=people[person],
            )
        ReviewScore.objects.create(
            review=s.assignments["reviewer"],
            criterion=open_call.rubric.first(),
            points=4,
            comment=REVIEW,
        )
        # Assigned before joining the other organisation (the service would not assign
        # them now), and declared no conflict: excluded all the same.
        s.assignments["member_reviewer"] = ReviewAssignment.objects.create(
            application=s.application,
            reviewer=people["member_reviewer"],
            assigned_by=staff,
            has_conflict=False,
        )
        if stage == "review":
            return s

        services.decide(
            application=s.application,
            award=True,
            amount=Decimal("10000"),
            start=datetime.date(2025, 1, 1),
            end=datetime.date(2025, 12, 31),
            agreement=SimpleUploadedFile("agreement.pdf", PDF_BYTES + AGREEMENT.encode()),
            by=staff,
            summary_ka="სასმელი წყალი ყველა სოფელს",
            summary_en="Drinking water for every village",
            now=DECIDED_AT,
        )
        services.decide(application=s.other, award=False, reason="Weaker link.", by=staff)
        services.close_decisions(call=open_call, by=staff)
        s.application.refresh_from_db()
        s.call.refresh_from_db()
        s.report = s.application.reports.get(kind="interim")
        s.report.narrative, s.report.financial = REPORT, "As planned."
        s.report.save()
        services.submit_report(report=s.report, by=applicant)
        s.report_file = ReportAttachment.objects.create(
            report=s.report,
            file=ContentFile(PDF_BYTES + REPORT.encode(), name="receipts.pdf"),
            name="receipts.pdf",
        )
        s.export = CallExport.objects.create(
            call=open_call, requested_by=staff, state=CallExport.State.READY
        )
        s.export.file.save("call.xlsx", ContentFile(b"PK\x03\x04 the call's workbook"))
        return s

    return build


# --- Reading an answer --------------------------------------------------------------------


def body_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def outcome_of(response, body: bytes, shows) -> str:
    if response.status_code == 302:
        return LOGIN if "/login/" in response["Location"] else REDIRECT
    if response.status_code == 200 and shows:
        return READS if all(secret.encode() in body for secret in shows) else OK
    for outcome, status in STATUS.items():
        if status == response.status_code and outcome != READS:
            return outcome
    return str(response.status_code)


@pytest.mark.parametrize("name", list(MATRIX))
def test_it_gives_each_person_exactly_what_the_matrix_says(name, competition, people, browser_of):
    row = MATRIX[name]
    s = competition(row.stage)
    wrong = []
    for person, expected in zip(PEOPLE, row.outcomes, strict=True):
        path = row.address(s, person)
        response = browser_of(people[person], "en").get(path)
        body = body_of(response)
        got = outcome_of(response, body, row.shows)
        if got != expected:
            wrong.append(f"{person}: {path} {got} ({response.status_code}), expected {expected}")
        for secret in (APPLICATION, OTHER, REVIEW, REPORT, AGREEMENT):
            if person not in readers(secret, row.stage) and secret.encode() in body:
                wrong.append(f"{person}: {path} shows {secret!r}")
    assert not wrong, "\n".join(wrong)


def test_it_has_a_matrix_of_every_person_that_reads_what_they_may_and_nothing_else():
    for name, row in MATRIX.items():
        assert len(row.outcomes) == len(PEOPLE), name
        for person, outcome in zip(PEOPLE, row.outcomes, strict=True):
            if outcome is READS:
                for secret in row.shows:
                    assert person in readers(secret, row.stage), (name, person, secret)


def grant_url_names(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            yield from grant_url_names(pattern, inner or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


# Django's stock admin pages of the grant models (add, change, delete, history) are tried
# for every person in tests/attack/test_access.py; here, the lists and a change page.
STOCK_ADMIN = ("_add", "_delete", "_history")


def test_it_has_a_row_for_every_address_of_the_grant_competition():
    names = {
        name
        for name in grant_url_names()
        if name.split(":")[0] in ("apply", "review", "grants", "grants_api")
        or (name.startswith("admin:grants_") and not name.endswith(STOCK_ADMIN))
    }
    tried = {row.address.name for row in MATRIX.values()}
    assert sorted(names - tried) == [], "add them to MATRIX"


# --- Forged POSTs: refused, and nothing changes ----------------------------------------------


def grants_rows() -> dict:
    """Every row of the grant competition's tables (and the memberships), to compare."""
    models = [*apps.get_app_config("grants").get_models(), OrganizationMembership]
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values_list())
        for model in models
    }


def refused(response) -> bool:
    if response.status_code in (400, 403, 404):
        return True
    return response.status_code == 302 and "/login/" in response["Location"]


def forged(browser, path, data):
    """POST, and whether the database stayed as it was."""
    before = grants_rows()
    response = browser.post(path, data)
    return response, grants_rows() == before


def test_it_refuses_a_submission_after_the_deadline_and_changes_nothing(
    competition, people, browser_of
):
    s = competition("open")
    applicant = browser_of(people["applicant"], "en")
    path = reverse("apply:application", args=[s.application.pk])

    with frozen_at(s.call.closes_at + datetime.timedelta(seconds=1)):
        response, unchanged = forged(applicant, path, sent_back(s.application, submit=""))

    assert response.status_code == 403
    assert "The call closed at" in response.content.decode()
    assert unchanged
    s.application.refresh_from_db()
    assert s.application.status == ApplicationStatus.DRAFT


@pytest.mark.parametrize(
    ("address", "data"),
    [
        (
            lambda s: reverse("apply:application", args=[s.application.pk]),
            lambda s: sent_back(s.application, title="Changed after submission"),
        ),
        (
            lambda s: reverse("apply:attachments", args=[s.application.pk]),
            lambda s: {"file": SimpleUploadedFile("late.pdf", PDF_BYTES)},
        ),
        (
            lambda s: reverse("apply:remove_attachment", args=[s.application.pk, s.document.pk]),
            lambda s: {},
        ),
    ],
    ids=["edit", "attach", "remove"],
)
def test_it_refuses_to_change_an_application_after_submission(
    competition, people, browser_of, address, data
):
    s = competition("review")

    response, unchanged = forged(browser_of(people["applicant"], "en"), address(s), data(s))

    assert response.status_code == 403
    assert unchanged


def review_data(s, points="1"):
    return {
        key: value
        for criterion in s.call.rubric.all()
        for key, value in ((f"points_{criterion.pk}", points), (f"comment_{criterion.pk}", "x"))
    } | {"submit": ""}


@pytest.mark.parametrize(
    ("person", "whose", "status"),
    [
        # Another reviewer's assignment: not theirs, so not found.
        ("reviewer", "conflicted_reviewer", 404),
        ("conflicted_reviewer", "reviewer", 404),
        ("member_reviewer", "reviewer", 404),
        # Their own, from which they are excluded (declared, or by their organisation).
        ("conflicted_reviewer", "conflicted_reviewer", 403),
        ("member_reviewer", "member_reviewer", 403),
        # Not a reviewer at all: the applicant, the other applicant, project staff.
        ("applicant", "reviewer", 403),
        ("other_applicant", "reviewer", 403),
        ("project_staff", "reviewer", 403),
    ],
)
def test_it_refuses_a_review_of_an_application_unassigned_or_in_conflict(
    competition, people, browser_of, person, whose, status
):
    s = competition("review")
    path = reverse("review:review", args=[s.assignments[whose].pk])

    response, unchanged = forged(browser_of(people[person], "en"), path, review_data(s))

    assert response.status_code == status
    assert unchanged
    assert APPLICATION not in response.content.decode()
    assert REVIEW not in response.content.decode()


@pytest.mark.parametrize("person", ["conflicted_reviewer", "member_reviewer"])
def test_it_refuses_to_take_back_a_conflict_by_declaring_again(
    competition, people, browser_of, person
):
    s = competition("review")
    path = reverse("review:declare", args=[s.assignments[person].pk])

    response, unchanged = forged(browser_of(people[person], "en"), path, {"has_conflict": "no"})

    assert response.status_code == 403
    assert unchanged


def test_it_never_lets_the_other_organisation_read_or_write_the_application(
    competition, people, browser_of
):
    s = competition("open")
    other = browser_of(people["other_applicant"], "en")
    for path in (
        reverse("apply:application", args=[s.application.pk]),
        reverse("apply:attachment", args=[s.document.pk]),
    ):
        response = other.get(path)
        assert response.status_code == 404, path
        assert APPLICATION.encode() not in body_of(response)

    for path, data in (
        (
            reverse("apply:application", args=[s.application.pk]),
            sent_back(s.application, title="Written by the other organisation", submit=""),
        ),
        (
            reverse("apply:attachments", args=[s.application.pk]),
            {"file": SimpleUploadedFile("theirs.pdf", PDF_BYTES)},
        ),
        (reverse("apply:remove_attachment", args=[s.application.pk, s.document.pk]), {}),
        (
            reverse("apply:start", args=[s.call.slug]),
            {"organization": s.application.organization_id},
        ),
    ):
        response, unchanged = forged(other, path, data)
        assert refused(response), (path, response.status_code)
        assert unchanged, path


def test_it_never_shows_an_applicant_the_reviews(competition, people, browser_of):
    s = competition("decided")
    applicant = browser_of(people["applicant"], "en")
    pages = [
        applicant.get(reverse("review:review", args=[s.assignments["reviewer"].pk])),
        applicant.get(reverse("review:dashboard")),
        applicant.get(reverse("apply:application", args=[s.application.pk])),
        applicant.get(reverse("apply:dashboard")),
    ]

    assert [page.status_code for page in pages] == [403, 403, 200, 200]
    for page in pages:
        text = page.content.decode()
        assert REVIEW not in text
        assert "grant-reviewer" not in text
    response, unchanged = forged(
        applicant, reverse("review:review", args=[s.assignments["reviewer"].pk]), review_data(s)
    )
    assert response.status_code == 403 and unchanged


STAFF_STEPS = {
    "eligibility": lambda s: (
        reverse("admin:grants_application_eligibility", args=[s.application.pk]),
        {"verdict": "ineligible", "reason": "Forged"},
    ),
    "assign": lambda s: (
        reverse("admin:grants_application_assign", args=[s.other.pk]),
        {"reviewer": s.assignments["reviewer"].reviewer_id},
    ),
    "moderate": lambda s: (
        reverse("admin:grants_application_moderate", args=[s.application.pk]),
        {"score": "5", "note": "Forged"},
    ),
    "decide": lambda s: (
        reverse("admin:grants_application_decide", args=[s.application.pk]),
        {"decision": "reject", "reason": "Forged"},
    ),
    "close decisions": lambda s: (
        reverse("admin:grants_call_step", args=[s.call.pk, "close_decisions"]),
        {},
    ),
    "export": lambda s: (reverse("admin:grants_call_export", args=[s.call.pk]), {}),
}


@pytest.mark.parametrize("step", list(STAFF_STEPS))
@pytest.mark.parametrize("person", [p for p in PEOPLE if p != "project_staff"])
def test_it_refuses_the_staff_s_steps_to_everyone_else(
    competition, people, browser_of, step, person
):
    s = competition("review")
    path, data = STAFF_STEPS[step](s)

    response, unchanged = forged(browser_of(people[person], "en"), path, data)

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert unchanged


def test_it_refuses_a_report_of_a_grant_to_anyone_but_the_grantee(competition, people, browser_of):
    s = competition("decided")
    final = s.application.reports.get(kind="final")
    data = {"narrative": "Forged", "financial": "Forged", "submit": ""}
    for person in PEOPLE:
        if person == "applicant":
            continue
        response, unchanged = forged(
            browser_of(people[person], "en"), reverse("apply:report", args=[final.pk]), data
        )
        assert refused(response), (person, response.status_code)
        assert unchanged, person
    # The grantee's own submitted report no longer changes either.
    response, unchanged = forged(
        browser_of(people["applicant"], "en"), reverse("apply:report", args=[s.report.pk]), data
    )
    assert response.status_code == 403 and unchanged
    assert Report.objects.get(pk=s.report.pk).status == ReportStatus.SUBMITTED

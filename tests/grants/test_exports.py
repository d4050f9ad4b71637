"""A call's workbook for project staff: applications, reviews and awards, written by a
Celery task that reports its progress and records its failure.

The call is `open_call` (tests/grants/conftest.py), reviewed and partly decided here:
KAKHETI-2024-001 (the CSO monitor's organisation, Telavi, 12 000 ₾) reviewed by Nino
(Relevance 4, Feasibility N/A) and Giorgi (Relevance 2, Feasibility 3), awarded 10 000 ₾;
KAKHETI-2024-002 (Second CSO, 12 000 ₾) reviewed by Nino (5 and 5), rejected.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from kombu.exceptions import OperationalError
from openpyxl import load_workbook

from assessments.permissions import GRANT_REVIEWER_GROUP
from grants import exports, services
from grants.models import Call, CallExport, ReviewAssignment, ReviewScore
from tests import factories

from .conftest import DECIDED_AT
from .test_admin import second_application

APPLICATIONS_HEADER = [
    "Reference number", "Organisation", "Municipality", "Project title", "Target indicators",
    "Submitted (Tbilisi time)", "Requested (GEL)", "Eligibility", "Reason for ineligibility",
    "Reviews submitted", "Reviews assigned", "Score", "Moderated score", "Score for ranking",
    "Spread", "Needs moderation", "Moderation note", "Decision", "Awarded (GEL)",
]  # fmt: skip
# 2 applications, 3 reviews × 2 criteria, 1 award and its total.
ROWS = 2 + 6 + 2


def values(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def workbook_of(call, language="en", **kwargs):
    out = io.BytesIO()
    exports.write_call_workbook(call, language=language, out=out, **kwargs)
    return load_workbook(io.BytesIO(out.getvalue()))


def exported_files(folder):
    """The files under the exports' folder of the private storage."""
    return sorted(
        str(p.relative_to(folder))
        for p in (folder / "grants" / "exports").rglob("*")
        if p.is_file()
    )


def review(application, person, points):
    assignment = ReviewAssignment.objects.create(
        application=application,
        reviewer=person,
        has_conflict=False,
        declared_at=timezone.now(),
        submitted_at=timezone.now(),
    )
    for criterion, (value, comment) in points.items():
        ReviewScore.objects.create(
            review=assignment, criterion=criterion, points=value, comment=comment
        )


@pytest.fixture
def decided(open_call, submitted_application, telavi, project_staff):
    """The call under review with one award and one rejection (see the module's doc)."""
    second = second_application(open_call, telavi)
    second.title = '=HYPERLINK("http://evil.example")'
    second.save(update_fields=["title"])
    open_call.closes_at = open_call.opens_at + datetime.timedelta(hours=1)
    open_call.save(update_fields=["closes_at"])
    services.start_review(call=open_call, by=project_staff)
    relevance, feasibility = open_call.rubric.all()
    nino = factories.user(
        "nino", group=GRANT_REVIEWER_GROUP, first_name="Nino", last_name="Beridze"
    )
    giorgi = factories.user(
        "giorgi", group=GRANT_REVIEWER_GROUP, first_name="Giorgi", last_name="Kapanadze"
    )
    for application in (submitted_application, second):
        services.check_eligibility(application=application, eligible=True, by=project_staff)
    review(
        submitted_application,
        nino,
        {relevance: (4, "Builds on A.2.1"), feasibility: (None, "Cannot judge")},
    )
    review(submitted_application, giorgi, {relevance: (2, ""), feasibility: (3, "")})
    review(second, nino, {relevance: (5, ""), feasibility: (5, "")})
    services.decide(
        application=submitted_application,
        award=True,
        amount=Decimal("10000"),
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 12, 31),
        by=project_staff,
        summary_ka="სასმელი წყალი ყველა სოფელს",
        summary_en="Drinking water for every village",
        now=DECIDED_AT,
    )
    services.decide(application=second, award=False, reason="Too broad", by=project_staff)
    return Call.objects.get(pk=open_call.pk)


# --- The workbook ---------------------------------------------------------------------------


def test_the_applications_sheet_has_each_submission_with_its_scores(decided, submitted_application):
    book = workbook_of(decided)

    assert book.sheetnames == ["Applications", "Reviews", "Awards"]
    rows = values(book["Applications"])
    assert rows[0] == APPLICATIONS_HEADER
    submitted = f"{timezone.localtime(submitted_application.submitted_at):%Y-%m-%d %H:%M}"
    # Nino: 4 (feasibility N/A left out); Giorgi (2 × 2 + 3) ÷ 3 = 2.33; spread 1.67 > 1.5.
    # Relevance (4 + 2) ÷ 2 = 3, feasibility 3 (Giorgi only) → 3.00.
    first = rows[1]
    assert first[:5] == [
        "KAKHETI-2024-001", "Civic Monitor", "Telavi", "Water for every village", "A.2.1",
    ]  # fmt: skip
    assert first[5:] == [
        submitted, 12000, "eligible", None, 2, 2, 3, None, 3, 1.67, "yes", None, "awarded", 10000,
    ]  # fmt: skip
    assert rows[2][0] == "KAKHETI-2024-002"
    assert rows[2][11:] == [5, None, 5, None, "no", None, "rejected", None]


def test_the_reviews_sheet_names_each_reviewer_and_says_n_a_never_zero(decided):
    rows = values(workbook_of(decided)["Reviews"])

    assert rows[0] == [
        "Reference number", "Reviewer", "Criterion", "Weight", "Score (0–5)", "Comment",
        "Reviewer's total", "Submitted (Tbilisi time)",
    ]  # fmt: skip
    assert [row[:7] for row in rows[1:]] == [
        ["KAKHETI-2024-001", "Nino Beridze", "Relevance", 2, 4, "Builds on A.2.1", 4],
        ["KAKHETI-2024-001", "Nino Beridze", "Feasibility", 1, "N/A", "Cannot judge", 4],
        ["KAKHETI-2024-001", "Giorgi Kapanadze", "Relevance", 2, 2, None, 2.33],
        ["KAKHETI-2024-001", "Giorgi Kapanadze", "Feasibility", 1, 3, None, 2.33],
        ["KAKHETI-2024-002", "Nino Beridze", "Relevance", 2, 5, None, 5],
        ["KAKHETI-2024-002", "Nino Beridze", "Feasibility", 1, 5, None, 5],
    ]


def test_the_awards_sheet_lists_each_award_and_the_total(decided):
    rows = values(workbook_of(decided)["Awards"])

    assert rows[0][:6] == [
        "Reference number", "Organisation", "Municipality", "Project title",
        "Target indicators", "Awarded (GEL)",
    ]  # fmt: skip
    award = rows[1]
    assert award[:8] == [
        "KAKHETI-2024-001", "Civic Monitor", "Telavi", "Water for every village", "A.2.1",
        10000, "2025-01-01", "2025-12-31",
    ]  # fmt: skip
    assert award[9:] == ["no", "due", "due"]
    assert rows[2][:6] == ["Total", None, None, None, None, 10000]
    assert len(rows) == 3


def test_text_that_looks_like_a_formula_stays_text_and_numbers_are_numbers(decided):
    sheet = workbook_of(decided)["Applications"]

    title = sheet.cell(row=3, column=4)
    assert title.value == '=HYPERLINK("http://evil.example")'
    assert title.data_type == "s"
    assert sheet.cell(row=2, column=7).data_type == "n"


def test_the_georgian_workbook_uses_the_georgian_names(decided):
    book = workbook_of(decided, "ka")

    with translation.override("ka"):
        assert book.sheetnames == [
            translation.gettext("Applications"),
            translation.gettext("Reviews"),
            translation.gettext("Awards"),
        ]
        not_applicable = translation.gettext("N/A")
    assert values(book.worksheets[0])[1][1:3] == ["სამოქალაქო მონიტორი", "თელავი"]
    assert values(book.worksheets[1])[2][4] == not_applicable


def test_the_writer_reports_its_progress_to_the_last_row(decided, monkeypatch):
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 4)
    seen = []

    workbook_of(decided, progress=lambda done, total: seen.append((done, total)))

    assert seen == [(4, ROWS), (8, ROWS), (ROWS, ROWS)]


def test_the_writer_takes_as_many_queries_however_many_applications(
    decided, telavi, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12) as captured:
        workbook_of(decided)
    before = len(captured)
    relevance, feasibility = decided.rubric.all()
    more = factories.user("more", group=GRANT_REVIEWER_GROUP)
    for number in range(3, 9):
        application = decided.applications.create(
            organization=factories.organization(f"org-{number}"),
            reference=f"KAKHETI-2024-{number:03d}",
            status="submitted",
            submitted_at=timezone.now(),
            title="More",
            municipality=telavi,
            requested_amount=Decimal("5000"),
            eligibility="eligible",
        )
        review(application, more, {relevance: (3, ""), feasibility: (None, "")})

    with django_assert_max_num_queries(before):
        workbook_of(decided)


# --- The task -------------------------------------------------------------------------------


def test_the_task_writes_the_workbook_and_ends_with_every_row_done(
    decided, project_staff, monkeypatch, django_capture_on_commit_callbacks, settings
):
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 4)
    seen = []
    write = exports.write_call_workbook

    def write_and_look(call, *, language, out, progress):
        def look(done, total):
            progress(done, total)
            export = CallExport.objects.get()
            seen.append((export.state, export.done, export.total))

        return write(call, language=language, out=out, progress=look)

    monkeypatch.setattr(exports, "write_call_workbook", write_and_look)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        export = exports.queue_export(call=decided, by=project_staff, language="en")

    assert len(callbacks) == 1
    assert seen == [("running", 4, ROWS), ("running", 8, ROWS), ("running", ROWS, ROWS)]
    export.refresh_from_db()
    assert (export.state, export.done, export.total, export.percent) == (
        "ready", ROWS, ROWS, 100,
    )  # fmt: skip
    name = exports.download_name(export)
    assert exported_files(settings.PRIVATE_ROOT) == [f"grants/exports/{export.pk}/{name}"]
    assert load_workbook(export.file.path).sheetnames == ["Applications", "Reviews", "Awards"]

    # Run again, it leaves the stored file as it is; a vanished export is gone.
    assert exports.export_call.delay(export.pk, "en").get() == "done"
    assert exported_files(settings.PRIVATE_ROOT) == [f"grants/exports/{export.pk}/{name}"]
    assert exports.export_call.delay(export.pk + 1000, "en").get() == "gone"


def test_a_failed_export_keeps_its_error_and_no_file(decided, monkeypatch, settings):
    def full_disk(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(exports, "write_call_workbook", full_disk)
    export = CallExport.objects.create(call=decided)

    assert exports.export_call.delay(export.pk, "en").get() == "failed"

    export.refresh_from_db()
    assert export.state == "failed"
    assert "No space left on device" in export.error
    assert not export.file
    assert exported_files(settings.PRIVATE_ROOT) == []


def test_an_export_that_cannot_be_queued_fails_at_once_saying_why(
    decided, project_staff, monkeypatch, django_capture_on_commit_callbacks, client
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(exports.export_call, "delay", broker_down)

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        export = exports.queue_export(call=decided, by=project_staff, language="en")

    export.refresh_from_db()
    assert export.state == "failed"
    assert export.error.startswith("The task queue could not be reached; ask again later.")
    assert "Connection refused" in export.error
    client.force_login(project_staff)
    page = client.get(
        f"/admin/grants/callexport/{export.pk}/change/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "The export failed; the error is below." in page
    assert 'http-equiv="refresh"' not in page


# --- In the admin ---------------------------------------------------------------------------


def test_project_staff_export_a_call_from_its_page_and_download_the_file(
    decided, project_staff, client, django_capture_on_commit_callbacks
):
    client.force_login(project_staff)
    call_page = client.get(f"/admin/grants/call/{decided.pk}/change/").content.decode()
    assert f'action="/admin/grants/call/{decided.pk}/export/"' in call_page

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/admin/grants/call/{decided.pk}/export/", HTTP_ACCEPT_LANGUAGE="en")

    export = CallExport.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/admin/grants/callexport/{export.pk}/change/"
    assert export.requested_by == project_staff
    page = client.get(answer["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    name = exports.download_name(export)
    assert f"Download {name}" in page
    assert 'http-equiv="refresh"' not in page
    download = client.get(f"/admin/grants/callexport/{export.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert name in download["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert book.sheetnames == ["Applications", "Reviews", "Awards"]


def test_an_export_under_way_shows_its_progress_on_a_page_that_reloads_itself(
    decided, project_staff, client
):
    export = CallExport.objects.create(call=decided, state="running", done=3, total=10)
    client.force_login(project_staff)

    page = client.get(
        f"/admin/grants/callexport/{export.pk}/change/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    listing = client.get("/admin/grants/callexport/").content.decode()

    assert '<meta http-equiv="refresh" content="3">' in page
    assert '<progress max="100" value="30"></progress> 30%' in page
    assert "(3 / 10)" in page
    assert '<meta http-equiv="refresh" content="3">' in listing
    assert client.get(f"/admin/grants/callexport/{export.pk}/download/").status_code == 404


def test_municipal_staff_and_monitors_cannot_download_or_list_exports(
    decided, project_staff, telavi_staff, cso_monitor, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export = exports.queue_export(call=decided, by=project_staff, language="en")
    for person in (telavi_staff, cso_monitor):
        client.force_login(person)
        for address in (
            f"/admin/grants/callexport/{export.pk}/download/",
            "/admin/grants/callexport/",
            f"/admin/grants/call/{decided.pk}/export/",
        ):
            got = client.get(address)
            assert got.status_code == 403 or "/login/" in got.get("Location", ""), address
        assert client.post(f"/admin/grants/call/{decided.pk}/export/").status_code in (302, 403)
    assert CallExport.objects.count() == 1

"""The staff workbook of a cycle's published results, written by a Celery task.

The numbers are those of `published_2021` (tests/conftest.py): Telavi's external
assessment 80.0 (A 80: A.1 100, A.2 60; B not applicable), Sighnaghi's 57.5
(A 75, B 40); self-assessments Telavi 56.7 (A 33.3, B 80) and Sighnaghi 100.
"""

import io

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext, override
from django.views.static import serve
from kombu.exceptions import OperationalError
from openpyxl import load_workbook

from assessments.models import Export, JobStatus
from assessments.opendata import exports, workbook
from assessments.workflow import Status
from tests import factories

ROWS_2021 = 4 * (1 + 2) + 12 + 4  # scores and area sheets, answers, indicators


def t(language, text):
    """A text as the workbook in that language says it."""
    with translation.override(language):
        return gettext(text)


def workbook_of(cycle, language, **kwargs):
    out = io.BytesIO()
    workbook.write_cycle_workbook(cycle, language=language, out=out, **kwargs)
    return load_workbook(io.BytesIO(out.getvalue()))


def values(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def files_under(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def private(settings, tmp_path):
    """Exports go to a temporary private folder."""
    settings.PRIVATE_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def media(settings, tmp_path_factory):
    """Public files go to another temporary folder, beside the private one."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    return settings.MEDIA_ROOT


def serve_media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def __getattr__(name):
    """This module as a URL configuration for one test: the site with its media folder at
    /media/, as musqat/urls.py serves it with DEBUG on (the tests run with DEBUG off). Made
    when asked for, so that musqat/urls.py is first imported with DEBUG off."""
    if name != "urlpatterns":
        raise AttributeError(name)
    from musqat.urls import urlpatterns as site

    return [path("media/<path:path>", serve_media), *site]


# --- The workbook ---------------------------------------------------------------------------


def test_the_georgian_workbook_shows_the_scores_with_georgian_names(published_2021):
    book = workbook_of(published_2021.cycle, "ka")

    assert book.sheetnames == [
        t("ka", "Scores"), "A. მმართველობა", "B. ინფრასტრუქტურა", t("ka", "Responses"),
        t("ka", "Methodology"),
    ]  # fmt: skip
    self_, external = t("ka", "Self-assessment"), t("ka", "External assessment")
    assert values(book.worksheets[0]) == [
        [t("ka", "Municipality"), t("ka", "Kind"), t("ka", "Overall score"), t("ka", "Rank"),
         t("ka", "Band"), "A. მმართველობა", "B. ინფრასტრუქტურა"],
        ["სიღნაღი", self_, 100, 1, "მაღალი", 100, 100],
        ["სიღნაღი", external, 57.5, 2, "განვითარებადი", 75, 40],
        ["თელავი", self_, 56.67, 2, "განვითარებადი", 33.33, 80],
        ["თელავი", external, 80, 1, "მაღალი", 80, None],
    ]  # fmt: skip
    assert values(book["B. ინფრასტრუქტურა"])[0] == [
        t("ka", "Municipality"), t("ka", "Kind"), "B. ინფრასტრუქტურა", "B.1 რეაგირება",
    ]  # fmt: skip


def test_the_english_workbook_has_a_sheet_per_area_with_its_criteria(published_2021):
    book = workbook_of(published_2021.cycle, "en")

    assert book.sheetnames == [
        "Scores", "A. Governance", "B. Infrastructure", "Responses", "Methodology",
    ]  # fmt: skip
    assert values(book["A. Governance"]) == [
        ["Municipality", "Kind", "A. Governance", "A.1 Strategy", "A.2 Access"],
        ["Sighnaghi", "Self-assessment", 100, 100, None],  # A.2 is answered by CSOs only
        ["Sighnaghi", "External assessment", 75, 100, 50],
        ["Telavi", "Self-assessment", 33.33, 33.33, None],
        ["Telavi", "External assessment", 80, 100, 60],
    ]
    assert values(book["B. Infrastructure"])[1:] == [
        ["Sighnaghi", "Self-assessment", 100, 100],
        ["Sighnaghi", "External assessment", 40, 40],
        ["Telavi", "Self-assessment", 80, 80],
        ["Telavi", "External assessment", None, None],
    ]


def test_the_responses_sheet_has_every_answer_with_its_normalised_score(published_2021):
    english = values(workbook_of(published_2021.cycle, "en")["Responses"])
    georgian = values(workbook_of(published_2021.cycle, "ka")[t("ka", "Responses")])

    assert english[0] == [
        "Municipality", "Kind", "Thematic area", "Criterion", "Indicator code", "Indicator",
        "Response type", "Answer", "Value", "Not applicable", "Normalised score (0–1)",
        "Reason it does not apply", "Evidence", "Municipality's reply", "Links", "Revision",
    ]  # fmt: skip
    assert len(english) == 1 + 12
    by_key = {(row[0], row[1], row[4]): row for row in english[1:]}
    assert by_key["Telavi", "External assessment", "A.2.1"] == [
        "Telavi", "External assessment", "A", "A.2", "A.2.1", "Indicator A.2.1",
        "Percentage (0–100)", "60%", 60, None, 0.6, None, "We visited 12 of 20 villages",
        "The other villages join in 2022", None, 1,
    ]  # fmt: skip
    assert by_key["Telavi", "External assessment", "B.1.1"][6:12] == [
        "Number with thresholds", "Not applicable", None, "yes", None,
        "The municipality has no such service",
    ]  # fmt: skip
    assert by_key["Telavi", "Self-assessment", "A.1.2"][7:11] == [
        "Adopted (level 2 of 3)", 2, None, 0.6667,
    ]  # fmt: skip
    telavi_na = next(row for row in georgian if row[0] == "თელავი" and row[4] == "B.1.1"
                     and row[1] == t("ka", "External assessment"))  # fmt: skip
    assert telavi_na[5:12] == [
        "ინდიკატორი B.1.1", t("ka", "Number with thresholds"), t("ka", "Not applicable"), None,
        t("ka", "yes"), None, "მუნიციპალიტეტს ეს სერვისი არ აქვს",
    ]  # fmt: skip


def test_the_english_workbook_keeps_a_georgian_text_that_has_no_translation(published_2020):
    rows = values(workbook_of(published_2020.cycle, "en")["Responses"])

    telavi = next(row for row in rows if row[0] == "Telavi" and row[4] == "B.1.1")
    assert telavi[11] == "სერვისი არ არის"


def test_the_methodology_sheet_describes_every_indicator_in_the_workbook_s_language(
    published_2021,
):
    english = values(workbook_of(published_2021.cycle, "en")["Methodology"])
    georgian = values(workbook_of(published_2021.cycle, "ka")[t("ka", "Methodology")])

    assert [row[6] for row in english[1:]] == ["A.1.1", "A.1.2", "A.2.1", "B.1.1"]
    assert english[4] == [
        "B", "Infrastructure", 1, "B.1", "Response", 1, "B.1.1", "Indicator B.1.1", None,
        "Number with thresholds", None, 20, 5, "days", 1, None, "Both",
    ]  # fmt: skip
    assert georgian[2][10] == "არა | პროექტი | მიღებული | გამოიყენება"
    assert georgian[4][13] == "დღე"


def test_every_sheet_has_a_frozen_header_and_numbers_typed_as_numbers(published_2021):
    book = workbook_of(published_2021.cycle, "ka")

    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(cell.font.b for cell in sheet[1]), sheet.title
    scores = book.worksheets[0]
    assert [scores.cell(2, column).data_type for column in (3, 4, 6, 7)] == ["n"] * 4
    answers = book[t("ka", "Responses")]
    assert {answers.cell(row, 9).data_type for row in range(2, answers.max_row + 1)} <= {"n"}


def test_the_writer_reports_its_progress_to_the_last_row(published_2021, monkeypatch):
    monkeypatch.setattr(workbook, "PROGRESS_EVERY", 5)
    calls = []

    workbook_of(
        published_2021.cycle, "en", progress=lambda done, total: calls.append((done, total))
    )

    assert calls == [(5, 28), (10, 28), (15, 28), (20, 28), (25, 28), (28, 28)]
    assert ROWS_2021 == 28


def test_nothing_unpublished_is_in_the_workbook(published_2021, cso):
    kvareli = factories.municipality("kvareli", "Kvareli", "ყვარელი")
    draft = factories.assessment(kvareli, published_2021.cycle, "self")
    factories.answer(draft, "A.1.1", 1)
    review = factories.assessment(
        kvareli, published_2021.cycle, "external", organization=cso, status=Status.REVIEW
    )
    factories.answer(review, "A.1.1", 1)
    correction = factories.answer(published_2021["telavi", "external"], "A.2.1", 95)
    correction.evidence_en = "An unpublished correction"
    correction.save()

    book = workbook_of(published_2021.cycle, "en")

    text = "\n".join(
        str(cell) for sheet in book.worksheets for row in values(sheet) for cell in row
    )
    assert "Kvareli" not in text
    assert "An unpublished correction" not in text
    telavi = next(
        row for row in values(book["Responses"])
        if row[:2] == ["Telavi", "External assessment"] and row[4] == "A.2.1"
    )  # fmt: skip
    assert telavi[8] == 60


def test_the_writer_runs_the_same_queries_however_many_municipalities(published_2021, cso, publish):
    def queries():
        with CaptureQueriesContext(connection) as context:
            workbook_of(published_2021.cycle, "ka")
        return len(context.captured_queries)

    two = queries()
    for slug, name in (("kvareli", "Kvareli"), ("gurjaani", "Gurjaani")):
        place = factories.municipality(slug, name, slug)
        publish(
            factories.assessment(place, published_2021.cycle, "external", organization=cso),
            {"A.1.1": 1, "A.2.1": 70, "B.1.1": 10},
        )

    assert queries() == two


# --- The task -------------------------------------------------------------------------------


def test_an_export_is_queued_after_the_transaction_commits(
    published_2021, project_staff, private, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        export = exports.queue_export(cycle=published_2021.cycle, language="ka", by=project_staff)

    export.refresh_from_db()
    assert (export.status, export.percent, export.requested_by) == (
        JobStatus.PENDING, 0, project_staff,
    )  # fmt: skip
    assert len(callbacks) == 1
    assert files_under(private) == []


def test_the_task_writes_the_workbook_reporting_its_progress_and_ends_done(
    published_2021, project_staff, private, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(workbook, "PROGRESS_EVERY", 10)
    seen = []
    write = workbook.write_cycle_workbook

    def write_and_look(cycle, *, language, out, progress):
        def look(done, total):
            progress(done, total)
            export = Export.objects.get()
            seen.append((export.status, export.done, export.total, export.percent))

        return write(cycle, language=language, out=out, progress=look)

    monkeypatch.setattr(workbook, "write_cycle_workbook", write_and_look)

    # Project staff working in English ask for it; the message is in their language.
    with override("en"), django_capture_on_commit_callbacks(execute=True):
        export = exports.queue_export(cycle=published_2021.cycle, language="en", by=project_staff)

    assert seen == [
        (JobStatus.RUNNING, 10, 28, 35),
        (JobStatus.RUNNING, 20, 28, 71),
        (JobStatus.RUNNING, 28, 28, 99),
    ]
    export.refresh_from_db()
    assert (export.status, export.done, export.total, export.percent) == (
        JobStatus.DONE, 28, 28, 100,
    )  # fmt: skip
    assert export.finished_at is not None and export.error == ""
    assert files_under(private) == ["exports/2021/musqat-2021-results-en.xlsx"]
    book = load_workbook(export.file.path)
    assert book.sheetnames[0] == "Scores"


def test_running_the_task_again_leaves_the_stored_export_as_it_is(
    published_2021, project_staff, private
):
    export = Export.objects.create(cycle=published_2021.cycle, language="ka")

    assert exports.export_cycle.delay(export.pk).get() == "done"
    export.refresh_from_db()
    first = (export.file.name, export.finished_at)
    assert exports.export_cycle.delay(export.pk).get() == "done"
    export.refresh_from_db()

    assert (export.file.name, export.finished_at) == first
    assert files_under(private) == ["exports/2021/musqat-2021-results-ka.xlsx"]
    assert exports.export_cycle.delay(export.pk + 1000).get() == "gone"


def test_a_failed_export_keeps_its_error_and_no_file(published_2021, private, monkeypatch):
    def full_disk(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(workbook, "write_cycle_workbook", full_disk)
    export = Export.objects.create(cycle=published_2021.cycle, language="ka")

    assert exports.export_cycle.delay(export.pk).get() == "failed"

    export.refresh_from_db()
    assert export.status == JobStatus.FAILED
    assert "No space left on device" in export.error
    assert not export.file
    assert files_under(private) == []


def test_an_export_that_cannot_be_queued_fails_at_once_saying_why(
    published_2021, project_staff, private, client, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(exports.export_cycle, "delay", broker_down)

    # Project staff working in English ask for it; the message is in their language.
    with override("en"), django_capture_on_commit_callbacks(execute=True):
        export = exports.queue_export(cycle=published_2021.cycle, language="en", by=project_staff)

    export.refresh_from_db()
    assert export.status == JobStatus.FAILED
    assert export.finished_at is not None
    assert export.error.startswith("The task queue could not be reached; ask again later.")
    assert "Connection refused" in export.error
    assert files_under(private) == []

    client.force_login(project_staff)
    detail = client.get(
        f"/admin/assessments/export/{export.pk}/change/", headers={"accept-language": "en"}
    ).content.decode()
    listing = client.get("/admin/assessments/export/").content.decode()
    assert "The export failed; the error is below." in detail
    assert "The task queue could not be reached; ask again later." in detail
    for page in (detail, listing):
        assert 'http-equiv="refresh"' not in page


# --- The admin ------------------------------------------------------------------------------


def test_project_staff_export_a_cycle_from_the_cycles_page_and_download_it(
    published_2021, project_staff, client, private, django_capture_on_commit_callbacks
):
    client.force_login(project_staff)
    cycles = client.get("/admin/assessments/cycle/", headers={"accept-language": "en"})
    assert "Export results as XLSX (Georgian)" in cycles.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/assessments/cycle/",
            {"action": "export_results_ka", "_selected_action": [published_2021.cycle.pk]},
            follow=True,
            headers={"accept-language": "en"},
        )

    assert response.redirect_chain[-1][0] == "/admin/assessments/export/"
    assert "1 export queued" in response.content.decode()
    export = Export.objects.get()  # made once the action's transaction committed
    assert (export.cycle, export.language, export.status) == (
        published_2021.cycle, "ka", JobStatus.DONE,
    )  # fmt: skip
    page = client.get("/admin/assessments/export/").content.decode()
    assert "100%" in page
    download = f"/admin/assessments/export/{export.pk}/download/"
    assert f'href="{download}"' in page
    assert 'http-equiv="refresh"' not in page

    file = client.get(download)
    assert file.status_code == 200
    assert file["Content-Disposition"] == 'attachment; filename="musqat-2021-results-ka.xlsx"'
    book = load_workbook(io.BytesIO(b"".join(file.streaming_content)))
    assert book.worksheets[0]["A2"].value == "სიღნაღი"


def test_a_cycle_with_nothing_published_is_not_exported(
    published_2021, methodology, project_staff, client, django_capture_on_commit_callbacks
):
    empty = factories.cycle(2022, methodology, is_open=True)
    client.force_login(project_staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/assessments/cycle/",
            {"action": "export_results_en", "_selected_action": [empty.pk]},
            follow=True,
            headers={"accept-language": "en"},
        )

    assert "Nothing is published in 2022, so there is nothing to export." in (
        response.content.decode()
    )
    assert not Export.objects.exists()


def test_an_export_under_way_shows_its_progress_on_a_page_that_reloads_itself(
    published_2021, project_staff, client
):
    export = Export.objects.create(
        cycle=published_2021.cycle, language="en", status=JobStatus.RUNNING, done=10, total=28
    )
    client.force_login(project_staff)

    detail = client.get(
        f"/admin/assessments/export/{export.pk}/change/", headers={"accept-language": "en"}
    ).content.decode()
    listing = client.get("/admin/assessments/export/").content.decode()

    for page in (detail, listing):
        assert '<meta http-equiv="refresh" content="3">' in page
        assert "35%" in page
    assert "10 of 28 rows" in detail
    assert "/download/" not in detail

    Export.objects.filter(pk=export.pk).update(status=JobStatus.DONE, file="exports/x.xlsx")
    detail = client.get(f"/admin/assessments/export/{export.pk}/change/").content.decode()
    assert 'http-equiv="refresh"' not in detail
    assert f"/admin/assessments/export/{export.pk}/download/" in detail


@pytest.fixture
def stored_export(published_2021, private):
    export = Export.objects.create(cycle=published_2021.cycle, language="ka")
    exports.export_cycle.delay(export.pk)
    export.refresh_from_db()
    assert export.is_ready
    return export


def test_municipal_staff_and_citizens_cannot_download_or_list_exports(
    stored_export, telavi_staff, cso_monitor, client
):
    download = f"/admin/assessments/export/{stored_export.pk}/download/"

    citizen_try = client.get(download)
    assert citizen_try.status_code == 302 and "/admin/login/" in citizen_try["Location"]

    client.force_login(telavi_staff)
    assert client.get(download).status_code == 403
    assert client.get("/admin/assessments/export/").status_code == 403
    assert client.get("/admin/assessments/cycle/").status_code == 403
    assert "/admin/assessments/export/" not in client.get("/admin/").content.decode()

    client.force_login(cso_monitor)  # not an admin user at all
    assert client.get(download).status_code == 302


def test_the_export_file_is_private_and_not_served_at_the_public_media_address(
    stored_export, private, media, project_staff, client
):
    assert (private / stored_export.file.name).is_file()
    assert files_under(media) == []
    (media / "exports").mkdir()
    (media / "exports" / "public.txt").write_text("public")

    with override_settings(ROOT_URLCONF=__name__):
        # The media address works (as with DEBUG on): a public file there is served.
        public = client.get("/media/exports/public.txt")
        assert public.status_code == 200
        # A citizen, not logged in, asking for the export at the media address.
        assert client.get(f"/media/{stored_export.file.name}").status_code == 404

    client.force_login(project_staff)
    download = client.get(f"/admin/assessments/export/{stored_export.pk}/download/")
    assert download.status_code == 200
    assert "no-store" in download["Cache-Control"]
    assert b"".join(download.streaming_content) == (private / stored_export.file.name).read_bytes()


def test_deleting_an_export_deletes_its_file(stored_export, project_staff, client, private):
    client.force_login(project_staff)

    client.post(
        "/admin/assessments/export/",
        {"action": "delete_selected", "_selected_action": [stored_export.pk], "post": "yes"},
    )

    assert not Export.objects.exists()
    assert files_under(private) == []

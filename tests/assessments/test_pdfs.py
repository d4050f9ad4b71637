"""PDFs: a scorecard, the regional report and the methodology handbook, in Georgian and in
English, made in the background when results are published and offered to citizens only
once they are complete.

Laying a document out takes a second or two, so only the tests about what a PDF shows,
and about publishing, lay one out for real (about ten in all). The others make a small
stand-in PDF that says what it is and in which language it was made (`quick_pdfs`).
"""

import os
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from assessments import services
from assessments.models import Document, JobStatus, Rendering
from assessments.pdf import documents, jobs
from tests import factories

from . import pdf_tools

TELAVI_2021 = "scorecards/2021/telavi/"
TELAVI_2021_PDF = "scorecards/2021/telavi/scorecard.pdf"


# --- Fixtures and helpers -------------------------------------------------------------------


@pytest.fixture
def pdfs_on(settings, media):
    """PDFs are made on publication (they are off for the rest of the suite); the files go
    to a temporary folder."""
    settings.RENDER_PDFS = True
    return media


@pytest.fixture
def results_2021(published_2021, pdfs_on):
    """Telavi and Sighnaghi's 2021 results, published before PDFs were turned on:
    no PDF of them is queued or made yet."""
    return published_2021


@pytest.fixture
def quick_pdfs(monkeypatch):
    """Make a small stand-in PDF instead of laying the document out; it names the
    document and the language it was made in. Returns the list of what was made."""
    made = []

    def render(rendering):
        language = translation.get_language()
        made.append((rendering.pk, language))
        label = f"{rendering.document} {rendering.pk} {language}"
        return f"%PDF-1.4\n% {label}\n%%EOF\n".encode(), 3

    monkeypatch.setattr(jobs, "render", render)
    return made


@pytest.fixture
def no_rendering_in_requests(monkeypatch):
    """A web request that tries to lay a PDF out fails the test."""

    def render(rendering):
        pytest.fail(f"{rendering} was rendered during a web request")

    monkeypatch.setattr(jobs, "render", render)


def broken_renderer(monkeypatch, message="WeasyPrint ran out of memory"):
    def render(rendering):
        raise MemoryError(message)

    monkeypatch.setattr(jobs, "render", render)


def scorecard_record(municipality, cycle, language):
    """The render record of a municipality's scorecard (created, not queued)."""
    documents.renderings_for([(Document.SCORECARD, cycle.pk, municipality.pk, None)])
    return documents.find(
        Document.SCORECARD, language=language, cycle=cycle, municipality=municipality
    )


def render_in(language, rendering):
    with translation.override(language):
        return jobs.render(rendering)


def stored(rendering) -> bytes:
    rendering.refresh_from_db()
    with rendering.file.open("rb") as file:
        return file.read()


def path_of(rendering, media):
    return media / rendering.file.name


def files_under(media):
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def correct(assessment, answers, *, by):
    """Publish a correction of a published assessment with these answers changed."""
    assessment = services.move_assessment(assessment=assessment, action="correct", by=by)
    for code, value in answers.items():
        factories.answer(assessment, code, value)
    codes = ", ".join(answers)
    return services.publish_assessment(
        assessment=assessment, by=by, note_ka=f"შესწორდა {codes}", note_en=f"{codes} corrected"
    )


def body_of(response) -> bytes:
    return response.getvalue() if response.streaming else response.content


# --- What a PDF shows (laid out for real) ---------------------------------------------------


def test_it_lays_out_telavi_s_scorecard_in_georgian(results_2021, telavi, cycle_2021):
    pdf, pages = render_in("ka", scorecard_record(telavi, cycle_2021, "ka"))

    cover = pdf_tools.text(pdf, page=1)
    assert "თელავის მუნიციპალიტეტი" in cover
    # Telavi's external score leads: 80.0, written the Georgian way.
    assert "80,0" in cover
    assert "80.0" not in cover

    assert pages == pdf_tools.page_count(pdf)
    assert pages > 1
    assert pdf_tools.text(pdf, page=2).startswith("თელავი: 2021")  # the running title
    last_page = pdf_tools.text(pdf, page=pages)
    # "Page 6 of 6", however the Georgian catalogue words it.
    assert re.search(rf"(?<!\d){pages}\D{{1,20}}(?<!\d){pages}(?!\d)", last_page), last_page


def test_the_georgian_scorecard_embeds_noto_sans_georgian(results_2021, telavi, cycle_2021):
    pdf, _pages = render_in("ka", scorecard_record(telavi, cycle_2021, "ka"))

    fonts = pdf_tools.fonts(pdf)
    assert "Noto-Sans-Georgian" in {font.name for font in fonts if font.embedded}
    assert [font for font in fonts if not font.embedded] == []


def test_it_lays_out_telavi_s_scorecard_in_english(results_2021, telavi, cycle_2021):
    pdf, pages = render_in("en", scorecard_record(telavi, cycle_2021, "en"))

    cover = pdf_tools.text(pdf, page=1)
    assert "Telavi Municipality" in cover
    assert "80.0" in cover
    assert "თელავ" not in cover
    assert f"Page 1 of {pages}" in cover
    assert pages == pdf_tools.page_count(pdf)
    assert f"Page {pages} of {pages}" in pdf_tools.text(pdf, page=pages)


@pytest.mark.parametrize(
    ("language", "since"),
    [
        # The kind, then when the change is counted from, then the change: one colon.
        ("ka", r"გარე შეფასება \([^():]*2020[^():]*\): \+60,0"),
        ("en", r"External assessment \(since 2020\): \+60\.0"),
    ],
)
def test_the_scorecard_says_since_when_beside_the_kind(
    published_2020, results_2021, telavi, cycle_2021, language, since
):
    pdf, _pages = render_in(language, scorecard_record(telavi, cycle_2021, language))

    text = pdf_tools.text(pdf)
    assert re.search(since, text)
    assert "2020:" not in text  # no second colon after the year


# --- Publishing makes the PDFs (laid out for real) ------------------------------------------


@pytest.fixture
def telavi_self_2021(telavi, cycle_2021, cso):
    """Telavi's 2021 self-assessment; the CSO's external assessment is still a draft, so
    the cycle is not complete and only Telavi's scorecard is made when it is published."""
    factories.assessment(telavi, cycle_2021, "external", organization=cso)
    return factories.assessment(telavi, cycle_2021, "self")


# A.1 = 100 × (1 + 2/3) ÷ 2 = 83.3, B.1 = (8 − 20) ÷ (5 − 20) = 80 → 81.7;
# corrected to A.1.2 = 3 of 3: A.1 = 100 → 90.0.
SELF_ANSWERS = {"A.1.1": 1, "A.1.2": 2, "B.1.1": 8}


def test_publishing_a_scorecard_makes_its_pdf_in_both_languages(
    pdfs_on, telavi_self_2021, telavi, publish, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish(telavi_self_2021, SELF_ANSWERS)

    renderings = {r.language: r for r in Rendering.objects.all()}
    assert sorted(renderings) == ["en", "ka"]
    for rendering in renderings.values():
        assert (rendering.document, rendering.municipality) == (Document.SCORECARD, telavi)
        assert rendering.status == JobStatus.DONE, rendering.error
        assert path_of(rendering, pdfs_on).is_file()
        content = stored(rendering)
        assert content.startswith(b"%PDF")
        assert rendering.pages == pdf_tools.page_count(content)
        assert rendering.attempts == 1
    assert "81,7" in pdf_tools.text(stored(renderings["ka"]), page=1)
    assert "81.7" in pdf_tools.text(stored(renderings["en"]), page=1)
    assert "Telavi Municipality" in pdf_tools.text(stored(renderings["en"]), page=1)


def test_a_correction_makes_the_pdfs_again_and_deletes_the_old_files(
    pdfs_on,
    telavi_self_2021,
    publish,
    project_staff,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        publish(telavi_self_2021, SELF_ANSWERS)
    first = {r.language: path_of(r, pdfs_on) for r in Rendering.objects.all()}

    with django_capture_on_commit_callbacks(execute=True):
        correct(telavi_self_2021, {"A.1.2": 3}, by=project_staff)

    corrected = {r.language: r for r in Rendering.objects.all()}
    assert sorted(corrected) == ["en", "ka"]
    for language, rendering in corrected.items():
        assert rendering.status == JobStatus.DONE, rendering.error
        assert path_of(rendering, pdfs_on) != first[language]
        assert path_of(rendering, pdfs_on).is_file()
        assert not first[language].exists()
    assert files_under(pdfs_on) == sorted(r.file.name for r in corrected.values())
    assert "90,0" in pdf_tools.text(stored(corrected["ka"]), page=1)
    cover = pdf_tools.text(stored(corrected["en"]), page=1)
    assert "90.0" in cover
    assert "A.1.2 corrected" in cover


def test_publishing_makes_no_pdf_while_pdfs_are_turned_off(
    media, telavi_self_2021, publish, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish(telavi_self_2021, SELF_ANSWERS)

    assert not Rendering.objects.exists()
    assert files_under(media) == []


def test_publishing_succeeds_while_the_broker_is_down(
    pdfs_on, telavi_self_2021, publish, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def unreachable(*args, **kwargs):
        raise ConnectionRefusedError("[Errno 111] Connection refused")

    monkeypatch.setattr(jobs.render_pdf, "delay", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        snapshot = publish(telavi_self_2021, SELF_ANSWERS)

    assert snapshot.is_current
    telavi_self_2021.refresh_from_db()
    assert telavi_self_2021.status == "published"
    # Left pending, for the sweep to queue again.
    assert {(r.language, r.status) for r in Rendering.objects.all()} == {
        ("ka", JobStatus.PENDING),
        ("en", JobStatus.PENDING),
    }
    assert "Connection refused" in caplog.text  # logged, not raised


# --- The render task ------------------------------------------------------------------------


def test_rendering_a_current_pdf_again_changes_nothing(
    results_2021, telavi, cycle_2021, quick_pdfs
):
    rendering = scorecard_record(telavi, cycle_2021, "ka")
    assert jobs.render_pdf.delay(rendering.pk).get() == "rendered"
    rendering.refresh_from_db()
    first = (rendering.file.name, rendering.finished_at, rendering.attempts, stored(rendering))

    assert jobs.render_pdf.delay(rendering.pk).get() == "current"
    assert jobs.render_and_store(rendering.pk) == "current"

    rendering.refresh_from_db()
    assert (rendering.file.name, rendering.finished_at, rendering.attempts, stored(rendering)) == (
        first
    )
    assert quick_pdfs == [(rendering.pk, "ka")]


def test_it_renders_each_pdf_in_its_own_language(
    results_2021, telavi, cycle_2021, quick_pdfs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        jobs.queue(documents.renderings_for([(Document.SCORECARD, cycle_2021.pk, telavi.pk, None)]))

    for language in ("ka", "en"):
        rendering = documents.find(
            Document.SCORECARD, language=language, cycle=cycle_2021, municipality=telavi
        )
        assert stored(rendering).endswith(f" {language}\n%%EOF\n".encode())
        assert rendering.download_name() == f"musqat-scorecard-2021-telavi-{language}.pdf"


def test_a_failed_render_keeps_the_error_and_stores_no_file(
    results_2021, telavi, cycle_2021, media, monkeypatch
):
    broken_renderer(monkeypatch, "WeasyPrint ran out of memory")
    rendering = scorecard_record(telavi, cycle_2021, "ka")

    assert jobs.render_pdf.delay(rendering.pk).get() == "failed"

    rendering.refresh_from_db()
    assert rendering.status == JobStatus.FAILED
    assert "WeasyPrint ran out of memory" in rendering.error
    assert not rendering.file
    assert not rendering.is_ready
    assert rendering.attempts == 1
    assert files_under(media) == []


@pytest.fixture
def telavi_pdf_then_correction(
    results_2021, telavi, cycle_2021, quick_pdfs, project_staff, monkeypatch
):
    """Telavi's Georgian scorecard PDF was made; then its external assessment was
    corrected, and the PDF of the correction fails to render."""
    rendering = scorecard_record(telavi, cycle_2021, "ka")
    assert jobs.render_and_store(rendering.pk) == "rendered"
    rendering.refresh_from_db()
    # Published inside the test's transaction: the queued render never runs by itself.
    correct(results_2021["telavi", "external"], {"A.2.1": 70}, by=project_staff)
    broken_renderer(monkeypatch, "WeasyPrint ran out of memory")
    return rendering


def test_a_failed_render_leaves_the_old_file_in_place(telavi_pdf_then_correction, media):
    rendering = telavi_pdf_then_correction
    old_name, old_content = rendering.file.name, stored(rendering)

    assert jobs.render_pdf.delay(rendering.pk).get() == "failed"

    rendering.refresh_from_db()
    assert rendering.status == JobStatus.FAILED
    assert "WeasyPrint ran out of memory" in rendering.error
    assert rendering.file.name == old_name
    assert stored(rendering) == old_content
    assert files_under(media) == [old_name]


def test_citizens_are_not_given_the_outdated_pdf_after_a_correction(
    telavi_pdf_then_correction, citizen
):
    """The page already shows the corrected numbers; the old PDF would contradict it."""
    jobs.render_pdf.delay(telavi_pdf_then_correction.pk).get()

    response = citizen.get("/ka/" + TELAVI_2021_PDF)

    assert response.status_code == 202
    assert response["Content-Type"].startswith("text/html")


def test_a_render_of_nothing_published_is_recorded_as_failed(
    pdfs_on, telavi, cycle_2021, quick_pdfs
):
    rendering = Rendering.objects.create(
        document=Document.SCORECARD, cycle=cycle_2021, municipality=telavi, language="en"
    )

    assert jobs.render_pdf.delay(rendering.pk).get() == "unpublished"

    rendering.refresh_from_db()
    assert rendering.status == JobStatus.FAILED
    assert "Nothing of this document is published." in rendering.error
    assert quick_pdfs == []


# --- Storing a file -------------------------------------------------------------------------


@pytest.mark.parametrize("failing_step", ["fsync", "replace"])
def test_a_file_that_cannot_be_written_whole_is_never_left_under_its_name(
    results_2021, telavi, cycle_2021, media, monkeypatch, failing_step
):
    rendering = scorecard_record(telavi, cycle_2021, "ka")
    old_name = jobs.store(rendering, b"%PDF-1.4 the complete old file", "a" * 32)

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing_step, fail)
    with pytest.raises(OSError, match="No space left"):
        jobs.store(rendering, b"%PDF-1.4 half of a new f", "b" * 32)
    monkeypatch.undo()

    assert files_under(media) == [old_name]
    assert (media / old_name).read_bytes() == b"%PDF-1.4 the complete old file"


# --- What a citizen gets --------------------------------------------------------------------


def test_a_citizen_gets_the_pdf_in_the_language_of_the_address(
    pdfs_on,
    telavi_self_2021,
    publish,
    citizen,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    with django_capture_on_commit_callbacks(execute=True):
        publish(telavi_self_2021, SELF_ANSWERS)
    monkeypatch.setattr(jobs, "render", lambda r: pytest.fail("rendered in a request"))

    georgian = citizen.get("/ka/" + TELAVI_2021_PDF)
    english = citizen.get("/en/" + TELAVI_2021_PDF)

    for response, language in ((georgian, "ka"), (english, "en")):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        download = f"musqat-scorecard-2021-telavi-{language}.pdf"
        assert f'filename="{download}"' in response["Content-Disposition"]
    assert "თელავის მუნიციპალიტეტი" in pdf_tools.text(body_of(georgian), page=1)
    english_cover = pdf_tools.text(body_of(english), page=1)
    assert "Telavi Municipality" in english_cover
    assert "თელავ" not in english_cover


@pytest.mark.parametrize("state", ["never queued", "queued", "running", "file lost"])
def test_a_citizen_is_told_a_pdf_is_being_prepared_until_it_is_ready(
    results_2021,
    telavi,
    cycle_2021,
    citizen,
    visit,
    quick_pdfs,
    no_rendering_in_requests,
    state,
):
    if state != "never queued":
        rendering = scorecard_record(telavi, cycle_2021, "en")
    if state == "queued":
        jobs.queue([rendering])  # the render waits for a worker
    if state == "running":
        Rendering.objects.filter(pk=rendering.pk).update(status=JobStatus.RUNNING)
    if state == "file lost":
        rendering.file.name = jobs.store(rendering, b"%PDF-1.4\n", "c" * 32)
        rendering.status = JobStatus.DONE
        rendering.save()
        rendering.file.storage.delete(rendering.file.name)

    page = visit("/en/" + TELAVI_2021_PDF)

    assert page.status_code == 202
    assert "This PDF is being prepared." in page.text
    assert "Telavi: scorecard 2021" in page.text
    assert '<meta http-equiv="refresh" content="5">' in page.html
    assert page.response["Retry-After"] == "5"
    assert "no-store" in page.response["Cache-Control"]
    assert ("/en/" + TELAVI_2021, "Read the results online meanwhile") in page.links


def test_a_citizen_is_told_when_a_pdf_could_not_be_prepared(
    results_2021, telavi, cycle_2021, visit, monkeypatch
):
    broken_renderer(monkeypatch)
    jobs.render_pdf.delay(scorecard_record(telavi, cycle_2021, "en").pk).get()

    page = visit("/en/" + TELAVI_2021_PDF)

    assert page.status_code == 202
    assert "This PDF could not be prepared yet." in page.text
    assert "WeasyPrint" not in page.text  # the error is for project staff


@pytest.mark.parametrize(
    "path",
    [
        TELAVI_2021_PDF,
        "scorecards/2021/nowhere/scorecard.pdf",
        "scorecards/1999/telavi/scorecard.pdf",
        "reports/2021/report.pdf",
        "methodology/2020/handbook.pdf",
    ],
)
def test_a_citizen_gets_no_pdf_of_what_is_not_published(
    pdfs_on, telavi_self_2021, citizen, no_rendering_in_requests, to_status, path
):
    to_status(telavi_self_2021, "review")  # answered and under review, not published

    response = citizen.get("/en/" + path)

    assert response.status_code == 404


@pytest.mark.parametrize(
    "path, download",
    [
        ("reports/2021/report.pdf", "musqat-report-2021-{}.pdf"),
        ("methodology/2020/handbook.pdf", "musqat-methodology-2020-{}.pdf"),
    ],
)
def test_a_citizen_gets_the_report_and_the_handbook_once_ready(
    results_2021,
    cycle_2021,
    citizen,
    quick_pdfs,
    django_capture_on_commit_callbacks,
    path,
    download,
):
    assert citizen.get("/ka/" + path).status_code == 202
    with django_capture_on_commit_callbacks(execute=True):
        jobs.queue_stale(cycle=cycle_2021)

    for language in ("ka", "en"):
        response = citizen.get(f"/{language}/{path}")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert download.format(language) in response["Content-Disposition"]
        assert body_of(response).endswith(f" {language}\n%%EOF\n".encode())


@pytest.mark.parametrize("language", ["ka", "en"])
def test_the_scorecard_page_links_to_its_pdf_in_the_same_language(
    results_2021, telavi, cycle_2021, quick_pdfs, visit, language
):
    jobs.render_and_store(scorecard_record(telavi, cycle_2021, language).pk)

    page = visit(f"/{language}/{TELAVI_2021}")

    assert f"/{language}/{TELAVI_2021_PDF}" in page.hrefs()


def test_the_scorecard_page_offers_the_pdf_with_its_length_once_ready(
    results_2021, telavi, cycle_2021, quick_pdfs, visit
):
    rendering = scorecard_record(telavi, cycle_2021, "en")
    waiting = visit("/en/" + TELAVI_2021)
    jobs.render_and_store(rendering.pk)

    ready = visit("/en/" + TELAVI_2021)

    pdf = "/en/" + TELAVI_2021_PDF
    assert (pdf, "Download the scorecard (PDF): being prepared") in waiting.links
    assert (pdf, "Download the scorecard (PDF) (3 pages)") in ready.links


# --- The sweep ------------------------------------------------------------------------------


def described(renderings):
    return sorted(
        (r.document, r.municipality.slug if r.municipality else None, r.language)
        for r in renderings
    )


def test_the_sweep_queues_missing_failed_and_stale_pdfs_and_leaves_current_ones(
    results_2021, telavi, sighnaghi, cycle_2021, quick_pdfs, django_capture_on_commit_callbacks
):
    telavi_ka = scorecard_record(telavi, cycle_2021, "ka")
    telavi_en = scorecard_record(telavi, cycle_2021, "en")
    sighnaghi_ka = scorecard_record(sighnaghi, cycle_2021, "ka")
    with django_capture_on_commit_callbacks(execute=True):
        jobs.queue([telavi_ka, telavi_en, sighnaghi_ka])
    current = Rendering.objects.get(pk=telavi_ka.pk)
    Rendering.objects.filter(pk=telavi_en.pk).update(status=JobStatus.FAILED)
    Rendering.objects.filter(pk=sighnaghi_ka.pk).update(source="made-from-older-data")
    Rendering.objects.filter(municipality=sighnaghi, language="en").delete()

    with django_capture_on_commit_callbacks() as callbacks:
        queued = jobs.queue_stale(cycle=cycle_2021)

    assert described(queued) == [
        ("handbook", None, "en"),
        ("handbook", None, "ka"),
        ("report", None, "en"),
        ("report", None, "ka"),
        ("scorecard", "sighnaghi", "en"),
        ("scorecard", "sighnaghi", "ka"),
        ("scorecard", "telavi", "en"),
    ]
    assert len(callbacks) == len(queued)
    assert {r.status for r in Rendering.objects.exclude(pk=telavi_ka.pk)} == {JobStatus.PENDING}
    telavi_ka.refresh_from_db()
    assert (telavi_ka.status, telavi_ka.requested_at, telavi_ka.file.name) == (
        JobStatus.DONE,
        current.requested_at,
        current.file.name,
    )

    for callback in callbacks:
        callback()
    assert Rendering.objects.exclude(status=JobStatus.DONE).count() == 0
    assert jobs.queue_stale(cycle=cycle_2021) == []


def test_the_sweep_queues_again_a_pdf_stuck_in_the_queue(
    results_2021, telavi, sighnaghi, cycle_2021, settings, quick_pdfs,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    settings.RENDER_STUCK_AFTER = timedelta(minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.sweep_pdfs()
    now = timezone.now()
    stuck = scorecard_record(telavi, cycle_2021, "ka")
    Rendering.objects.filter(pk=stuck.pk).update(
        status=JobStatus.PENDING, requested_at=now - timedelta(minutes=31)
    )
    lost_worker = scorecard_record(sighnaghi, cycle_2021, "ka")
    Rendering.objects.filter(pk=lost_worker.pk).update(
        status=JobStatus.RUNNING, requested_at=now - timedelta(hours=2)
    )
    waiting = scorecard_record(telavi, cycle_2021, "en")
    Rendering.objects.filter(pk=waiting.pk).update(
        status=JobStatus.PENDING, requested_at=now - timedelta(minutes=29)
    )
    quick_pdfs.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.sweep_pdfs() == 2

    assert sorted(pk for pk, _language in quick_pdfs) == sorted([stuck.pk, lost_worker.pk])
    for rendering in (stuck, lost_worker):
        rendering.refresh_from_db()
        assert rendering.status == JobStatus.DONE
    waiting.refresh_from_db()
    assert waiting.status == JobStatus.PENDING


def test_the_sweep_brings_later_scorecards_up_to_date_after_an_earlier_year_is_corrected(
    published_2020, results_2021, telavi, cycle_2021, project_staff, quick_pdfs,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        jobs.sweep_pdfs()
    telavi_2021 = scorecard_record(telavi, cycle_2021, "en")
    made_from = telavi_2021.source

    # Telavi's 2021 scorecard shows its change since 2020.
    with django_capture_on_commit_callbacks(execute=True):
        correct(published_2020["telavi", "external"], {"A.2.1": 50}, by=project_staff)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.sweep_pdfs()

    telavi_2021.refresh_from_db()
    assert telavi_2021.status == JobStatus.DONE
    assert telavi_2021.source != made_from
    assert telavi_2021.source == documents.source_of(telavi_2021)


def test_the_sweep_does_nothing_while_pdfs_are_turned_off(published_2021, settings, quick_pdfs):
    settings.RENDER_PDFS = False

    assert jobs.sweep_pdfs() == 0
    assert not Rendering.objects.exists()


# --- The render_scorecards command ----------------------------------------------------------


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("render_scorecards", *args, stdout=out, stderr=err)
    return out.getvalue().splitlines(), err.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_command_renders_a_cycle_with_one_line_per_file(results_2021, quick_pdfs):
    lines, errors = run("--cycle", "2021")

    # Two scorecards, the report and the handbook, each in Georgian and in English.
    assert len(lines) == 8, lines
    for number, line in enumerate(lines, 1):
        assert re.fullmatch(rf"\[{number}/8\] .+ \((ka|en)\): 3 pages, \d+\.\d s", line), line
    assert errors == ""
    assert Rendering.objects.filter(status=JobStatus.DONE).count() == 8
    assert all(os.path.isfile(r.file.path) for r in Rendering.objects.all())

    lines, errors = run("--cycle", "2021", "--only-stale")

    assert lines == ["Every PDF of cycle 2021 is up to date."]
    assert len(quick_pdfs) == 8

    # Queued for a worker a moment ago (as publishing with a broker leaves them): not
    # queued again, and not called up to date either.
    Rendering.objects.update(status=JobStatus.PENDING, requested_at=timezone.now())
    lines, errors = run("--cycle", "2021", "--only-stale")

    assert lines == ["Every PDF of cycle 2021 is made or queued: 8 wait for a worker."]


def test_the_command_refuses_a_year_with_no_cycle(results_2021, quick_pdfs):
    with pytest.raises(CommandError, match=r"There is no cycle 1999\. Cycles: 2021\."):
        run("--cycle", "1999")
    assert not Rendering.objects.exists()


def test_the_command_refuses_a_cycle_with_nothing_published(pdfs_on, cycle_2021, quick_pdfs):
    with pytest.raises(CommandError, match="Nothing is published in cycle 2021"):
        run("--cycle", "2021")
    assert not Rendering.objects.exists()


# --- The admin ------------------------------------------------------------------------------


def test_project_staff_see_why_a_pdf_failed_and_queue_it_again(
    results_2021,
    telavi,
    cycle_2021,
    project_staff,
    client,
    quick_pdfs,
    django_capture_on_commit_callbacks,
):
    failed = scorecard_record(telavi, cycle_2021, "ka")
    Rendering.objects.filter(pk=failed.pk).update(
        status=JobStatus.FAILED, error="OSError: No space left on device", attempts=4
    )
    client.force_login(project_staff)

    listing = client.get("/admin/assessments/rendering/?status__exact=failed")
    assert listing.status_code == 200
    assert "No space left on device" in listing.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/assessments/rendering/",
            {"action": "queue_again", "_selected_action": [failed.pk]},
            follow=True,
            headers={"accept-language": "en"},
        )

    assert "queued again" in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == JobStatus.DONE  # eager here: queued and made at once
    assert quick_pdfs == [(failed.pk, "ka")]


def test_municipal_staff_do_not_see_the_pdf_renderings(results_2021, telavi_staff, client):
    client.force_login(telavi_staff)

    assert client.get("/admin/assessments/rendering/").status_code == 403
    assert "/admin/assessments/rendering/" not in client.get("/admin/").content.decode()

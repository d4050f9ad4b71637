"""The call as a PDF in Georgian and English: made by a worker after the call changes,
never in a request, and offered only once it is complete and current.

Two tests lay the document out for real; the others use a small stand-in PDF that says
which call and language it was made for (`quick_pdfs`).
"""

import pytest
from django.utils import translation

from grants import documents
from grants.models import CallDocument, CallStage, ChecklistItem
from tests.assessments import pdf_tools


@pytest.fixture
def pdfs_on(settings):
    """Calls queue their PDFs (off for the rest of the suite)."""
    settings.RENDER_PDFS = True


@pytest.fixture
def quick_pdfs(monkeypatch):
    """A stand-in for the layout: a tiny PDF naming the call and the language."""
    made = []

    def render_html(template, context):
        language = translation.get_language()
        made.append((context["call"].slug, language))
        return f"%PDF-1.4\n% {context['call'].slug} {language}\n%%EOF\n".encode(), 1

    monkeypatch.setattr(documents.pdf, "render_html", render_html)
    return made


def pdf_url(language, file_language=None):
    return f"/{language}/grants/kakheti-2024/call-{file_language or language}.pdf"


# --- What the PDF shows (laid out for real) -------------------------------------------------


def test_the_task_renders_the_call_in_georgian_with_the_fonts_embedded(open_call):
    assert documents.render_call_pdf.delay(open_call.pk, "ka").get() == "rendered"

    document = CallDocument.objects.get(call=open_call, language="ka")
    assert document.is_ready
    content = document.file.read()
    text = pdf_tools.text(content)
    assert "მცირე გრანტები 2024" in text
    assert "ადვოკატირება შეფასების შედეგების საფუძველზე." in text
    assert "მუშაობს კახეთში" in text  # the checklist
    assert "პროექტის ბიუჯეტი" in text  # the documents to attach
    assert "შესაბამისობა" in text  # the rubric
    assert "A.2.1" in text and "55,0" in text  # the priority indicator's published mean
    assert "100 000,00 ₾" in text
    assert "/monitor/grants/" in text
    fonts = pdf_tools.fonts(content)
    assert fonts and all(font.embedded for font in fonts)
    assert any("Georgian" in font.name for font in fonts)


def test_the_task_renders_the_call_in_english(open_call):
    assert documents.render_call_pdf.delay(open_call.pk, "en").get() == "rendered"

    text = pdf_tools.text(CallDocument.objects.get(call=open_call, language="en").file.read())
    assert "Small grants 2024" in text
    assert "Works in Kakheti" in text
    assert "from 5,000.00 ₾ to 20,000.00 ₾" in text
    assert "მცირე გრანტები" not in text


# --- When PDFs are made ---------------------------------------------------------------------


def test_the_view_answers_202_then_serves_the_pdf_once_it_is_made(
    client, open_call, pdfs_on, quick_pdfs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        pending = client.get(pdf_url("en"))

    assert pending.status_code == 202
    assert pending["Retry-After"] == "5"
    assert "no-store" in pending["Cache-Control"]
    assert "This PDF is being prepared." in pending.content.decode()
    assert quick_pdfs == []  # nothing laid out in the request
    assert len(queued) == 1

    for callback in queued:
        callback()  # the worker's turn
    ready = client.get(pdf_url("en"))

    assert ready.status_code == 200
    assert ready["Content-Type"] == "application/pdf"
    assert b"".join(ready.streaming_content).startswith(b"%PDF-1.4\n% kakheti-2024 en")
    assert quick_pdfs == [("kakheti-2024", "en")]


def test_a_pdf_already_asked_for_is_not_queued_again(
    client, open_call, pdfs_on, quick_pdfs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.get(pdf_url("ka"))
        client.get(pdf_url("ka"))
        client.get(pdf_url("en", "ka"))  # the Georgian file, asked for from an English page

    assert len(queued) == 1


def test_each_language_is_its_own_file(
    client, open_call, pdfs_on, quick_pdfs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.get(pdf_url("ka"))
        client.get(pdf_url("ka", "en"))

    georgian = b"".join(client.get(pdf_url("en", "ka")).streaming_content)
    english = b"".join(client.get(pdf_url("ka", "en")).streaming_content)
    assert b"kakheti-2024 ka" in georgian
    assert b"kakheti-2024 en" in english


def test_saving_a_call_queues_its_pdf_in_both_languages_once(
    open_call, pdfs_on, quick_pdfs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        open_call.title_en = "Small grants 2024 (corrected)"
        open_call.save()
        ChecklistItem.objects.create(call=open_call, text_ka="ახალი", text_en="New", order=2)

    assert sorted(quick_pdfs) == [("kakheti-2024", "en"), ("kakheti-2024", "ka")]
    assert all(document.is_ready for document in CallDocument.objects.filter(call=open_call))


def test_changing_a_row_of_the_call_makes_its_pdf_stale_and_queues_it_again(
    client, open_call, pdfs_on, quick_pdfs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.get(pdf_url("en"))
    assert client.get(pdf_url("en")).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        open_call.rubric.first().delete()
        # Until the worker has made the new one, the old file is not offered.
        assert not CallDocument.objects.get(call=open_call, language="en").is_ready
        assert client.get(pdf_url("en")).status_code == 202

    assert client.get(pdf_url("en")).status_code == 200
    assert quick_pdfs == [("kakheti-2024", "en"), ("kakheti-2024", "en"), ("kakheti-2024", "ka")]


def test_a_draft_call_has_no_pdf_and_queues_none(
    client, open_call, pdfs_on, quick_pdfs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        open_call.stage = CallStage.DRAFT
        open_call.save()

    assert client.get(pdf_url("en")).status_code == 404
    assert quick_pdfs == []


def test_an_unknown_language_is_not_found(client, open_call):
    assert client.get("/en/grants/kakheti-2024/call-de.pdf").status_code == 404


def test_a_failed_render_is_said_so_and_kept_for_staff(
    client, open_call, monkeypatch, pdfs_on, django_capture_on_commit_callbacks
):
    def broken(template, context):
        raise MemoryError("WeasyPrint ran out of memory")

    monkeypatch.setattr(documents.pdf, "render_html", broken)

    with django_capture_on_commit_callbacks(execute=True):
        client.get(pdf_url("en"))
    page = client.get(pdf_url("en"))

    assert page.status_code == 202
    assert "This PDF could not be prepared yet." in page.content.decode()
    assert "out of memory" in CallDocument.objects.get(call=open_call, language="en").error

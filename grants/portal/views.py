"""The public pages of the grant competition: calls, a call, an award, the call's PDF and
the awards as open data. Anonymous, in Georgian and English; drafts are never found.

These pages are not kept in the page cache: a call opens and closes by the clock, and
its page must say so to the second. Each runs a fixed number of queries.
"""

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from musqat.cache import generation
from musqat.spreadsheets import download

from .. import documents, opendata, register
from ..findings import findings_of
from ..models import Call, CallDocument

PDF_REFRESH_SECONDS = 5


def calls(request):
    current, past = register.call_rows(register.public_calls(), timezone.now())
    return render(request, "grants/portal/calls.html", {"current": current, "past": past})


def _pdf_links(call: Call) -> list[dict]:
    return [
        {
            "language": code,
            "name": name,
            "url": reverse("grants:call_pdf", args=[call.slug, code]),
        }
        for code, name in settings.LANGUAGES
    ]


def call(request, slug):
    found = get_object_or_404(register.with_call_texts(register.public_calls()), slug=slug)
    row = register.call_row(found, timezone.now())
    awards = []
    if row.is_decided:
        awards = list(register.awards().filter(call=found).order_by("reference"))
    return render(
        request,
        "grants/portal/call.html",
        {
            "call": found,
            "row": row,
            "priorities": register.priorities(found),
            "total_weight": register.total_weight(found),
            "awards": awards,
            "pdfs": _pdf_links(found),
            "apply_url": register.apply_url(),
        },
    )


def award(request, slug, reference):
    found = (
        register.awards()
        .select_related("call__cycle")
        .filter(call__slug=slug, reference=reference)
        .first()
    )
    if found is None:
        raise Http404(_("No grant was awarded under this reference."))
    return render(
        request,
        "grants/portal/award.html",
        {"award": found, "call": found.call, "findings": findings_of(found)},
    )


def call_pdf(request, slug, language):
    """The stored PDF of the call in a language; while it is being made, a page that says
    so and reloads itself until it can offer it. Nothing is laid out here."""
    if language not in register.LANGUAGES:
        raise Http404
    found = get_object_or_404(Call.objects.public(), slug=slug)
    document = CallDocument.objects.filter(call=found, language=language).first()
    if document is not None:
        document.call = found
        if document.is_ready and document.file.storage.exists(document.file.name):
            return FileResponse(
                document.file.open("rb"),
                as_attachment=False,
                filename=f"musqat-{found.slug}-{language}.pdf",
                content_type="application/pdf",
            )
    documents.request_render(found, language)
    response = render(
        request,
        "grants/portal/call_pdf_pending.html",
        {
            "call": found,
            "language": dict(settings.LANGUAGES)[language],
            "failed": bool(document and document.error),
            "refresh": PDF_REFRESH_SECONDS,
        },
        status=202,
    )
    response["Retry-After"] = str(PDF_REFRESH_SECONDS)
    patch_cache_control(response, no_store=True)
    return response


def awards_file(request, fmt):
    """Every award of every decided call as CSV or XLSX, the same in both languages.

    Kept until anything public changes (the page cache's generation moves with awards
    and calls, see documents.py)."""
    if fmt not in opendata.FORMATS:
        raise Http404
    key = f"grants:awards:{generation()}:{fmt}"
    content = cache.get(key)
    if content is None:
        content = opendata.awards_file(fmt)
        cache.set(key, content, timeout=settings.PUBLIC_PAGE_SECONDS)
    return download(content, opendata.file_name(fmt))

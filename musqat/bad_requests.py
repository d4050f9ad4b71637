"""Bad requests, answered with a page that says what was wrong, in the person's language.

``RequestLimitsMiddleware`` refuses, before any view reads it:
- a NUL character in the address, the query or the form: no page expects one, and
  PostgreSQL refuses every query that carries one;
- a body larger than ``REQUEST_MAX_BYTES``, from its Content-Length, before it is read;
- a form Django's parser refuses: more files, fields or text than the
  ``DATA_UPLOAD_MAX_*`` settings allow, or a body that is cut off or malformed.

``bad_request`` (the project's handler400) gives the same page for any other bad
request that a view raises.
"""

from django.conf import settings
from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpResponseBadRequest, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.template import loader
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _

from .refusals import refusal_context

NUL = "\x00"


def bad_request(request, exception=None, *, reason=None, advice=None):
    """The 400 page. A view's exception gets a general reason: its text is not for people."""
    explained = {
        "reason": reason or _("This request is malformed and could not be handled."),
        "advice": advice,
    }
    if isinstance(exception, DisallowedHost):
        # A host name Django refused must not be asked for again while the page is drawn:
        # the public frame, with no request, and so no way back but the home page.
        context = {
            "base_template": "base.html",
            "title": _("Bad request"),
            "start_url": reverse("assessments:home"),
            "start_label": _("Overview of all municipalities"),
            "about_url": reverse("assessments:about"),
            **explained,
        }
        return HttpResponseBadRequest(loader.render_to_string("400.html", context))
    context = refusal_context(request, title=_("Bad request")) | explained
    return HttpResponseBadRequest(loader.render_to_string("400.html", context, request))


def _send_less() -> str:
    return _(
        "Nothing was saved, and what was typed on the page could not be kept. Go back to "
        "the page (your browser may still show what you typed: copy it before you reload "
        "the page), then save again with fewer or smaller files at a time."
    )


def _unreadable_form(error) -> tuple[str, str]:
    """Why Django's parser refused a form, and what the person can do."""
    if isinstance(error, TooManyFilesSent):
        limit = {"count": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
        return _("The form sent more files at once than allowed (%(count)s).") % limit, _send_less()
    if isinstance(error, TooManyFieldsSent):
        limit = {"count": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
        return _(
            "The form sent more fields at once than allowed (%(count)s)."
        ) % limit, _send_less()
    if isinstance(error, RequestDataTooBig):
        limit = {"size": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}
        return _("The form sent more text at once than allowed (%(size)s).") % limit, _send_less()
    return (
        _("The form could not be read: it arrived cut off or malformed."),
        _("Nothing was saved. Go back, reload the page and try again."),
    )


def _nul() -> str:
    return _(
        "The address or the form contains a null character (NUL), which this website does "
        "not accept."
    )


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django reads no body then


def _has_nul(query) -> bool:
    return any(
        NUL in name or any(NUL in value for value in values) for name, values in query.lists()
    )


class RequestLimitsMiddleware:
    """Refuse a request no page can handle before any view, or the CSRF check (which
    reads the form), sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self.refusal(request)
        if refusal is not None:
            reason, advice = refusal
            return bad_request(request, reason=reason, advice=advice)
        return self.get_response(request)

    def refusal(self, request) -> tuple[str, str] | None:
        """Why the request is refused and what the person can do, or None to let it in."""
        if NUL in request.path or _has_nul(request.GET):
            return _nul(), _("Check the address and try again.")
        size, limit = _content_length(request), settings.REQUEST_MAX_BYTES
        if size > limit:
            sizes = {"size": filesizeformat(size), "limit": filesizeformat(limit)}
            return (
                _("The form sent %(size)s at once; at most %(limit)s can be sent in one save.")
                % sizes,
                _send_less(),
            )
        if request.method == "POST":
            try:
                form = request.POST
            except (SuspiciousOperation, MultiPartParserError, UnreadablePostError) as error:
                return _unreadable_form(error)
            if _has_nul(form):
                return _nul(), _(
                    "Nothing was saved. Go back to the page, remove the character from what "
                    "you typed, and save again."
                )
        return None

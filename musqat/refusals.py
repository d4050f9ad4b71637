"""Refusals (400, 403, 404, a form whose CSRF token failed, 500) in the person's language,
in the frame of the part of the site they were in, each saying what they can do instead.

Under /admin/ a page keeps the admin's header and navigation, under /monitor/ and /review/
the workspace's, elsewhere the public site's. The language is the one LocaleMiddleware
chose already: the address's prefix on the public site, the language cookie (set by the
workspaces' and the admin's language switch) or the browser's elsewhere.

A refusal whose message is meant for the person is raised as ``NotAllowed``, or drawn with
``forbidden``; any other ``PermissionDenied`` gets a general explanation, since its text
(if any) was written for developers.

The 500 page is drawn from a template alone, with no request and no database: whatever
broke the page may have broken those too.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseForbidden, HttpResponseNotFound
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token


class NotAllowed(PermissionDenied):
    """A refusal whose message says why, in the person's language, and is shown to them."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Frame:
    """The part of the site a request belongs to, and where its refusals send people."""

    prefix: str
    base: str  # the template a refusal extends
    start: str  # the URL name of its start page
    sign_in: str | None  # the URL name of its sign-in page


PUBLIC = Frame("/", "base.html", "assessments:home", None)
FRAMES = (
    Frame("/admin/", "admin/base_site.html", "admin:index", "admin:login"),
    Frame("/monitor/", "assessments/monitor/base.html", "monitor:dashboard", "monitor:login"),
    Frame("/review/", "grants/review/base.html", "review:dashboard", "review:login"),
)


def frame_of(path: str) -> Frame:
    return next((frame for frame in FRAMES if path.startswith(frame.prefix)), PUBLIC)


def _start_label(frame: Frame) -> str:
    return {
        "admin:index": _("Platform administration"),
        "monitor:dashboard": _("My assessments"),
        "review:dashboard": _("My reviews"),
    }.get(frame.start, _("Overview of all municipalities"))


def _back_url(request) -> str:
    """The page the person came from, when it is one of this site's and not this one."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return "" if referer == request.build_absolute_uri() else referer


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated)


def refusal_context(request, *, title: str) -> dict:
    """What every refusal page shows: its frame, its title and the ways on."""
    frame = frame_of(request.path_info)
    context = {
        "base_template": frame.base,
        "title": title,
        "in_admin": frame.prefix == "/admin/",
        "start_url": reverse(frame.start),
        "start_label": _start_label(frame),
        "sign_in_url": reverse(frame.sign_in) if frame.sign_in and not _signed_in(request) else "",
        "back_url": _back_url(request),
        "about_url": reverse("assessments:about"),
        "contact_email": settings.CONTACT_EMAIL,
        "was_sent": request.method not in ("GET", "HEAD"),
    }
    if context["in_admin"]:
        context |= admin.site.each_context(request)
        context["title"] = title  # each_context has none; keep ours over any
    return context


def forbidden(request, message: str = "", *, status: int = 403):
    """The 403 page, saying why when the message is for the person."""
    context = refusal_context(request, title=_("Not allowed"))
    context["message"] = message
    return HttpResponse(loader.render_to_string("403.html", context, request), status=status)


@requires_csrf_token
def permission_denied(request, exception=None):
    """The project's handler403: the message of a ``NotAllowed``, a general one otherwise."""
    message = exception.message if isinstance(exception, NotAllowed) else ""
    return forbidden(request, message)


@requires_csrf_token
def page_not_found(request, exception=None):
    """The project's handler404. Http404's own text is for developers and is not shown."""
    context = refusal_context(request, title=_("Page not found"))
    context["public"] = frame_of(request.path_info) is PUBLIC
    return HttpResponseNotFound(loader.render_to_string("404.html", context, request))


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: almost always a form sent from a page opened before the person
    signed in again or their session ended; reloading the page gives a fresh form."""
    context = refusal_context(request, title=_("The form could not be sent"))
    context["no_cookie"] = reason == REASON_NO_CSRF_COOKIE and not request.COOKIES
    context["reload_url"] = request.get_full_path()
    return HttpResponseForbidden(loader.render_to_string("403_csrf.html", context, request))


def server_error(request):
    """The project's handler500: a page of its own, with no request context (no session,
    no user, no database), only the language and addresses read from the request."""
    frame = frame_of(request.path_info)
    language = get_language() or settings.LANGUAGE_CODE
    try:
        start_url = reverse(frame.start)
    except Exception:  # the address book itself may be what broke
        start_url = "/"
    context = {
        "LANGUAGE_CODE": language,
        "start_url": start_url,
        "start_label": _start_label(frame),
        "retry_url": request.get_full_path() if request.method in ("GET", "HEAD") else "",
        "was_sent": request.method not in ("GET", "HEAD"),
        "contact_email": settings.CONTACT_EMAIL,
    }
    return HttpResponse(loader.get_template("500.html").render(context), status=500)

"""Sign-in throttling: where a request comes from, and the page a locked-out person sees.

django-axes (configured in settings) counts wrong passwords on every login form and
calls these two functions.
"""

import ipaddress

from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.shortcuts import render
from django.utils import timezone


def client_ip(request) -> str | None:
    """The address a request came from.

    Behind our proxy (MUSQAT_BEHIND_PROXY=1) that is the last address in X-Forwarded-For,
    the one the proxy itself appended; the addresses before it are whatever the client sent.
    """
    if settings.BEHIND_PROXY:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        try:
            return str(ipaddress.ip_address(hops[-1]))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    """The lockout page, in the person's language, with 429 Too Many Requests."""
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds())
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "minutes": max(1, seconds // 60),
        "until": timezone.now() + cool_off,
        "contact_email": settings.CONTACT_EMAIL,
    }
    response = render(request, "lockout.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response

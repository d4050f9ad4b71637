"""The site's addresses, and /bench/trivial: the least a response can cost through the
same middleware, the yardstick of the scale benchmark's throughput (/bench/sized/N: the
same with a body of N bytes)."""

from django.http import HttpResponse
from django.urls import path

from musqat.urls import handler400
from musqat.urls import urlpatterns as site_urlpatterns

__all__ = ["handler400", "urlpatterns"]


def trivial(request):
    return HttpResponse(b"ok", content_type="text/plain")


def sized(request, size):
    """The trivial view with a body of the given size: what sending a page's bytes costs."""
    return HttpResponse(b"x" * min(size, 10_000_000), content_type="text/plain")


urlpatterns = [
    path("bench/trivial", trivial, name="bench_trivial"),
    path("bench/sized/<int:size>", sized, name="bench_sized"),
    *site_urlpatterns,
]

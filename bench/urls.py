"""The site's addresses, and /bench/trivial: the least a response can cost through the
same middleware, the yardstick of the scale benchmark's throughput."""

from django.http import HttpResponse
from django.urls import path

from musqat.urls import handler400
from musqat.urls import urlpatterns as site_urlpatterns

__all__ = ["handler400", "urlpatterns"]


def trivial(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/trivial", trivial, name="bench_trivial"), *site_urlpatterns]

"""The grant competition in the public JSON API, mounted at /api/v1/grants/."""

from django.urls import path, re_path

from musqat.json_api import not_found

from . import api

app_name = "grants_api"

urlpatterns = [
    path("calls/", api.call_list, name="call_list"),
    # Anything else under /api/v1/grants/ is a JSON 404, not the portal's HTML page.
    re_path(r"^(?P<path>.*)$", not_found, name="not_found"),
]

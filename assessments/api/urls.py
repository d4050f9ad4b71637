"""The public JSON API, mounted at /api/v1/ outside the language prefixes."""

from django.urls import path, re_path

from musqat.json_api import not_found

from . import views as api

app_name = "api"

urlpatterns = [
    path("cycles/", api.cycle_list, name="cycle_list"),
    path("cycles/<int:year>/scores/", api.cycle_scores, name="cycle_scores"),
    path("scorecards/<int:year>/<slug:slug>/", api.scorecard, name="scorecard"),
    path("methodology/<slug:code>/", api.methodology, name="methodology"),
    path("plans/<slug:slug>/", api.plans, name="plans"),
    path("openapi.json", api.openapi_document, name="openapi"),
    # Anything else under /api/v1/ is a JSON 404, not the portal's HTML page.
    re_path(r"^(?P<path>.*)$", not_found, name="not_found"),
]

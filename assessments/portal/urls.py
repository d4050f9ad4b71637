from django.urls import path

from ..api import docs as api
from . import data, downloads, embeds, feeds, plans, scorecards, views

app_name = "assessments"

urlpatterns = [
    path("", views.home, name="home"),
    path("municipalities/", views.municipality_list, name="municipality_list"),
    path("municipalities/<slug:slug>/", views.municipality, name="municipality"),
    path("municipalities/<slug:slug>/plan/", plans.plan, name="plan"),
    path("municipalities/<slug:slug>/feed/", feeds.municipality_feed, name="municipality_feed"),
    path("embed/<slug:slug>/", embeds.card, name="embed"),
    path("embed/<slug:slug>/badge.svg", embeds.badge, name="embed_badge"),
    path("plans/<int:year>/", plans.plans, name="plans"),
    path("plans/evidence/<int:pk>/", plans.plan_evidence, name="plan_evidence"),
    path("plans/<int:pk>/order/", plans.plan_order, name="plan_order"),
    path("scorecards/<int:year>/<slug:slug>/", scorecards.scorecard, name="scorecard"),
    path(
        "scorecards/<int:year>/<slug:slug>/data.csv", downloads.scorecard_csv, name="scorecard_csv"
    ),
    path(
        "scorecards/<int:year>/<slug:slug>/revisions/",
        views.scorecard_revisions,
        name="scorecard_revisions",
    ),
    path(
        "scorecards/<int:year>/<slug:slug>/scorecard.pdf",
        downloads.scorecard_pdf,
        name="scorecard_pdf",
    ),
    path("reports/<int:year>/report.pdf", downloads.report_pdf, name="report_pdf"),
    path("compare/", views.compare, name="compare"),
    path("areas/<int:year>/<str:code>/", views.area, name="area"),
    path("methodology/", views.methodology, name="methodology"),
    path("methodology/<slug:code>/", views.methodology, name="methodology_version"),
    path("methodology/<slug:code>/handbook.pdf", downloads.handbook_pdf, name="handbook_pdf"),
    path("about/", views.about, name="about"),
    path("api/", api.documentation, name="api"),
    path("evidence/<int:pk>/", downloads.evidence_file, name="evidence_file"),
    path("data/", data.open_data, name="open_data"),
    path("data/dictionary.csv", data.open_data_dictionary, name="open_data_dictionary"),
    path(
        "data/methodology/<slug:code>.csv",
        data.open_data_methodology,
        name="open_data_methodology",
    ),
    path(
        "data/<int:year>/<slug:dataset>.<slug:extension>",
        data.open_data_file,
        name="open_data_file",
    ),
]

"""The public pages of the grant competition, at /ka/grants/ and /en/grants/."""

from django.urls import path

from . import views

app_name = "grants"

urlpatterns = [
    path("", views.calls, name="calls"),
    path("awards.<str:fmt>", views.awards_file, name="awards_file"),
    path("<slug:slug>/", views.call, name="call"),
    path("<slug:slug>/call-<str:language>.pdf", views.call_pdf, name="call_pdf"),
    path("<slug:slug>/awards/<str:reference>/", views.award, name="award"),
]

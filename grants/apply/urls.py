from django.urls import path

from . import views

app_name = "apply"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("calls/<slug:slug>/start/", views.start, name="start"),
    path("<int:pk>/", views.application, name="application"),
    path("<int:pk>/attachments/", views.attachments, name="attachments"),
    path(
        "<int:pk>/attachments/<int:attachment>/remove/",
        views.remove_attachment,
        name="remove_attachment",
    ),
    path("files/<int:pk>/", views.attachment, name="attachment"),
    path("report-files/<int:pk>/", views.report_attachment, name="report_attachment"),
    path("reports/<int:pk>/", views.report, name="report"),
]

from django.contrib.auth import views as auth_views
from django.urls import path

from . import plans
from . import views as monitor

app_name = "monitor"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="assessments/monitor/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="monitor:login"), name="logout"),
    path("", monitor.dashboard, name="dashboard"),
    path("assessments/<int:pk>/", monitor.assessment, name="assessment"),
    path("assessments/<int:pk>/areas/<str:code>/", monitor.area, name="area"),
    path("assessments/<int:pk>/transition/", monitor.transition, name="transition"),
    path("plans/", plans.plans, name="plans"),
    path("plans/<int:pk>/", plans.plan, name="plan"),
    path("plans/reports/<int:pk>/verdict/", plans.verdict, name="verdict"),
]

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="grants/review/login.html",
            redirect_authenticated_user=True,
            next_page="review:dashboard",
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="review:login"), name="logout"),
    path("", views.dashboard, name="dashboard"),
    path("<int:pk>/declare/", views.declare, name="declare"),
    path("<int:pk>/", views.review, name="review"),
]

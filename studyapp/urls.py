from django.contrib.auth import views as auth_views
from django.urls import include, path

from studyapp.shell import views as shell_views

urlpatterns = [
    path("", shell_views.home, name="home"),
    path("health/", shell_views.health, name="health"),
    path("accounts/signup/", shell_views.signup, name="signup"),
    path("accounts/login/", shell_views.login_view, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("studyapp.topics.urls")),
    path("", include("studyapp.quiz.urls")),
    path("", include("studyapp.sandbox.urls")),
]

from django.contrib.auth import views as auth_views
from django.urls import include, path

from studyapp.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("health/", core_views.health, name="health"),
    path("accounts/signup/", core_views.signup, name="signup"),
    path("accounts/login/", core_views.login_view, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("studyapp.topics.urls")),
    path("", include("studyapp.quiz.urls")),
    path("", include("studyapp.sandbox.urls")),
]

from django.urls import path

from studyapp.sandbox import views

urlpatterns = [path("sandbox/", views.sandbox_home, name="sandbox_home")]

from django.urls import path

from studyapp.sandbox import views

urlpatterns = [
    path("sandbox/", views.sandbox_home, name="sandbox_home"),
    path("sandbox/run/", views.sandbox_run, name="sandbox_run"),
    path("sandbox/tune/", views.sandbox_tune, name="sandbox_tune"),
    path("sandbox/jobs/<str:public_id>/", views.sandbox_job, name="sandbox_job"),
    path("sandbox/reset/", views.sandbox_reset, name="sandbox_reset"),
    path("sandbox/share/", views.sandbox_share, name="sandbox_share"),
    path("sandbox/history/", views.sandbox_history, name="sandbox_history"),
    path("sandbox/s/<str:token>/", views.sandbox_shared, name="sandbox_shared"),
    path("sandbox/events/<slug:slug>.json", views.sandbox_event, name="sandbox_event"),
]

from django.urls import path, re_path

from studyapp.quiz import export_views, views

PACKAGES = "(?P<fmt>apkg|csv|json)"
TABLES = "(?P<fmt>csv|json)"

urlpatterns = [
    path("quiz/", views.quiz_home, name="quiz_home"),
    path("quiz/practice/", views.start_practice, name="quiz_start_practice"),
    path("quiz/exam/", views.start_exam, name="quiz_start_exam"),
    path("quiz/interview/", views.start_interview, name="quiz_start_interview"),
    path("quiz/review/", views.review_queue, name="quiz_review"),
    path("quiz/dashboard/", views.quiz_dashboard, name="quiz_dashboard"),
    path("quiz/export/", export_views.export_home, name="quiz_export"),
    re_path(
        rf"^quiz/export/questions\.{PACKAGES}$", export_views.export_questions, name="quiz_export_questions"
    ),
    re_path(rf"^quiz/export/review\.{PACKAGES}$", export_views.export_review, name="quiz_export_review"),
    re_path(rf"^quiz/export/attempts\.{TABLES}$", export_views.export_attempts, name="quiz_export_attempts"),
    path("quiz/topic/<slug:slug>/", views.quiz_topic, name="quiz_topic"),
    path("quiz/a/<str:public_id>/", views.attempt_detail, name="quiz_attempt"),
    path("quiz/a/<str:public_id>/q/<int:position>/", views.attempt_question, name="quiz_question"),
    path("quiz/a/<str:public_id>/q/<int:position>/flag/", views.flag_question, name="quiz_flag"),
    path("quiz/a/<str:public_id>/q/<int:position>/reveal/", views.reveal_model_answer, name="quiz_reveal"),
    path("quiz/a/<str:public_id>/summary/", views.attempt_summary, name="quiz_summary"),
    path("quiz/a/<str:public_id>/submit/", views.submit_attempt, name="quiz_submit"),
    path("quiz/a/<str:public_id>/results/", views.attempt_results, name="quiz_results"),
    path("quiz/a/<str:public_id>/retry-missed/", views.retry_missed, name="quiz_retry_missed"),
]

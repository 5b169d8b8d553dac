from django.urls import path

from studyapp.quiz import views

urlpatterns = [path("quiz/", views.quiz_home, name="quiz_home")]

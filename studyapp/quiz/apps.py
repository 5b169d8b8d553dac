from django.apps import AppConfig


class QuizConfig(AppConfig):
    name = "studyapp.quiz"
    label = "quiz"

    def ready(self):
        from studyapp.quiz import checks, progress  # noqa: F401  (register checker and merger)

from django.apps import AppConfig


class TopicsConfig(AppConfig):
    name = "studyapp.topics"
    label = "topics"

    def ready(self):
        from studyapp.topics import checks, progress  # noqa: F401  (register checker, merger)

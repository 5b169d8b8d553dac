from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "studyapp.core"
    label = "core"

    def ready(self):
        from studyapp.content import coverage  # noqa: F401  (registers the coverage checker)
        from studyapp.core import checks, progress  # noqa: F401  (deploy checks, login signal)

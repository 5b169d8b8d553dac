from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "studyapp.core"
    label = "core"

    def ready(self):
        from studyapp.core import checks, coverage, progress  # noqa: F401  (checks, checker, login signal)

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "studyapp.core"
    label = "core"

    def ready(self):
        from studyapp.core import coverage, progress  # noqa: F401  (checker, login signal)

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "studyapp.core"
    label = "core"

    def ready(self):
        from studyapp.core import progress  # noqa: F401  (connects the login signal)

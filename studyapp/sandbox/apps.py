from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "studyapp.sandbox"
    label = "sandbox"

    def ready(self):
        from studyapp.sandbox import checks, progress  # noqa: F401  (register checker and merger)

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studyapp.settings")
application = get_wsgi_application()

from studyapp.core.checks import require_secret_key  # noqa: E402

require_secret_key()  # a server without SECRET_KEY stops here, not at its first request

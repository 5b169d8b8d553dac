"""System checks of the deployment that Django does not make itself."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

MISSING_SECRET = "SECRET_KEY must be set when DEBUG is off."


def require_secret_key() -> None:
    """Raise at start-up rather than on the first request that signs something."""
    try:
        settings.SECRET_KEY  # noqa: B018 - Django raises on access when it is empty
    except ImproperlyConfigured:
        raise ImproperlyConfigured(MISSING_SECRET) from None


@register()
def secret_key_is_set(app_configs, **kwargs):
    try:
        require_secret_key()
    except ImproperlyConfigured:
        return [Error(MISSING_SECRET, hint="Set the SECRET_KEY environment variable.", id="coldstart.E001")]
    return []

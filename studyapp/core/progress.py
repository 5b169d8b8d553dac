"""Progress kept for anonymous learners in their session, merged into the account on login.

Each app that stores anonymous progress registers a merger; one login signal runs them all,
so sign-up and log-in merge the same way.
"""

from collections.abc import Callable

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

Merger = Callable[[dict, object], None]
_mergers: list[Merger] = []


def register_merger(merger: Merger) -> Merger:
    """Decorator: `merger(session, user)` moves session progress into the user's records."""
    if merger not in _mergers:
        _mergers.append(merger)
    return merger


@receiver(user_logged_in, dispatch_uid="coldstart-merge-anonymous-progress")
def merge_anonymous_progress(sender, request, user, **kwargs):
    if request is None:
        return
    for merger in _mergers:
        merger(request.session, user)

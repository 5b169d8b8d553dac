"""Which topics a learner has read: database rows when signed in, the session otherwise."""

from __future__ import annotations

from studyapp.core.progress import register_merger
from studyapp.topics.models import TopicRead

SESSION_KEY = "topics_read"


def read_slugs(request) -> set[str]:
    if request.user.is_authenticated:
        return set(TopicRead.objects.filter(user=request.user).values_list("slug", flat=True))
    return set(request.session.get(SESSION_KEY, []))


def set_read(request, slug: str, read: bool) -> None:
    if request.user.is_authenticated:
        if read:
            TopicRead.objects.get_or_create(user=request.user, slug=slug)
        else:
            TopicRead.objects.filter(user=request.user, slug=slug).delete()
        return
    slugs = set(request.session.get(SESSION_KEY, []))
    slugs = slugs | {slug} if read else slugs - {slug}
    request.session[SESSION_KEY] = sorted(slugs)


@register_merger
def merge_session_reads(session, user) -> None:
    slugs = session.pop(SESSION_KEY, [])
    existing = set(TopicRead.objects.filter(user=user).values_list("slug", flat=True))
    TopicRead.objects.bulk_create(
        [TopicRead(user=user, slug=slug) for slug in slugs if slug not in existing],
        ignore_conflicts=True,
    )

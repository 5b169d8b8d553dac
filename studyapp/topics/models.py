from django.conf import settings
from django.db import models


class TopicRead(models.Model):
    """A topic a signed-in learner marked as read (keyed by the content slug, not a row id)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(max_length=100)
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "slug"], name="unique_topic_read")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.slug}"

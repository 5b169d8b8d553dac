import secrets

from django.conf import settings
from django.db import models


def new_public_id() -> str:
    """Attempt URLs carry this, not the row id: unguessable and not countable."""
    return secrets.token_urlsafe(12)


class Owned(models.Model):
    """Rows belong to an account, or to an anonymous learner's key (merged at log in)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    learner_key = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        abstract = True


class Attempt(Owned):
    PRACTICE, EXAM, INTERVIEW, REVIEW = "practice", "exam", "interview", "review"
    MODES = [(PRACTICE, "Practice"), (EXAM, "Timed exam"), (INTERVIEW, "Interview"), (REVIEW, "Review")]
    IN_PROGRESS, FINISHED = "in_progress", "finished"

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    mode = models.CharField(max_length=20, choices=MODES)
    status = models.CharField(max_length=20, default=IN_PROGRESS)
    title = models.CharField(max_length=200, blank=True)
    topics = models.JSONField(default=list)
    question_ids = models.JSONField()  # stable content ids, in order
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)  # held by the server, never by the page
    time_limit_s = models.PositiveIntegerField(null=True, blank=True)  # the limit it really had
    finished_at = models.DateTimeField(null=True, blank=True)
    finished_by = models.CharField(max_length=20, blank=True)  # "learner" or "deadline"
    pass_mark = models.FloatField(default=0.7)
    score = models.FloatField(null=True, blank=True)  # fraction of questions correct

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.mode} attempt {self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status == self.FINISHED

    @property
    def passed(self) -> bool:
        return self.score is not None and self.score >= self.pass_mark


class AttemptAnswer(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    position = models.PositiveIntegerField()  # 1-based place in the attempt
    question_id = models.CharField(max_length=120)
    response = models.JSONField(null=True, blank=True)
    correct = models.BooleanField(null=True)  # None until graded
    score = models.FloatField(null=True, blank=True)
    feedback = models.JSONField(default=list)
    flagged = models.BooleanField(default=False)
    revealed = models.BooleanField(default=False)  # interview: model answer shown
    shown_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    time_spent_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="one_answer_per_position")
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}#{self.position} {self.question_id}"

    @property
    def answered(self) -> bool:
        return self.answered_at is not None  # not the draft an interview keeps when revealing


class ReviewCard(Owned):
    """The learner's FSRS card for one question (keyed by the question's content id)."""

    question_id = models.CharField(max_length=120)
    card = models.JSONField()  # fsrs.Card.to_dict()
    due = models.DateTimeField(db_index=True)
    last_rating = models.PositiveSmallIntegerField(null=True)
    reviews = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "question_id"],
                condition=models.Q(user__isnull=False),
                name="one_card_per_user_question",
            ),
            models.UniqueConstraint(
                fields=["learner_key", "question_id"],
                condition=models.Q(user__isnull=True),
                name="one_card_per_anonymous_question",
            ),
        ]

    def __str__(self) -> str:
        return f"card {self.question_id} due {self.due:%Y-%m-%d}"

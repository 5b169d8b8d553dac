import secrets

from django.conf import settings
from django.db import models


class RunSettings(models.Model):
    """Everything needed to run a function again: code, handler, settings and event."""

    files = models.JSONField()  # {"lambda_function.py": "...source..."}
    handler = models.CharField(max_length=200)
    memory_mb = models.PositiveIntegerField()
    timeout_s = models.PositiveIntegerField()
    environment = models.JSONField(default=dict)
    invocation_type = models.CharField(max_length=20, default="RequestResponse")
    event_json = models.TextField()
    event_slug = models.SlugField(max_length=80, blank=True)
    seed_resources = models.BooleanField(default=False)
    architecture = models.CharField(max_length=20, default="x86_64")
    runtime = models.CharField(max_length=20, blank=True)  # empty: the server's default
    # Invoked through a caller rather than directly: {"kind": "rest"|"http"|"url", "request": ...}
    caller = models.JSONField(default=dict, blank=True)
    log_format = models.CharField(max_length=10, default="Text")
    application_log_level = models.CharField(max_length=10, blank=True)
    system_log_level = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class SandboxRun(RunSettings):
    """One run in a learner's history (the last ones are kept)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    learner_key = models.CharField(max_length=64, blank=True, db_index=True)  # anonymous learners
    status = models.CharField(max_length=20)
    request_id = models.CharField(max_length=64)
    cold_start = models.BooleanField(default=False)
    duration_ms = models.FloatField(null=True)
    billed_duration_ms = models.PositiveIntegerField(null=True)
    error_type = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.handler} {self.status} {self.request_id}"


def new_token() -> str:
    return secrets.token_urlsafe(12)


class SharedRun(RunSettings):
    """A permalink: code + event + settings, shareable and linkable from topic pages."""

    token = models.CharField(max_length=32, unique=True, default=new_token)

    def __str__(self) -> str:
        return f"shared {self.handler} {self.token}"


class SandboxJob(RunSettings):
    """One run as a job: submitted by a learner, run off the web request by an executor, read by
    the page as it goes (queued, running, finished) until its result is there."""

    QUEUED, RUNNING, FINISHED = "queued", "running", "finished"
    RUN, TUNE = "run", "tune"  # one invoke (any type), or the memory tuner's series of invokes

    public_id = models.CharField(max_length=32, unique=True, default=new_token)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    learner_key = models.CharField(max_length=64, blank=True, db_index=True)
    owner = models.CharField(max_length=100)  # the function's owner: its environments are its own
    kind = models.CharField(max_length=10, default=RUN)
    tune_memories = models.JSONField(default=list)  # the tuner: memory sizes, and invokes at each
    tune_invokes = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(max_length=10, default=QUEUED, db_index=True)
    result = models.JSONField(null=True)  # the invoke's answer (InvokeResult's fields)
    timeline = models.JSONField(default=dict)  # Event invocations: attempts and delivery so far
    timeline_done = models.BooleanField(default=True)
    problem = models.TextField(blank=True)  # why nothing ran (the sandbox unavailable, ...)
    queue = models.CharField(max_length=120, blank=True)  # distributed: the queue it was sent to
    host = models.CharField(max_length=120, blank=True)  # the host that ran it
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"job {self.public_id} {self.state}"

    @property
    def done(self) -> bool:
        return self.state == self.FINISHED and self.timeline_done

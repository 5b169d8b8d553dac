"""Old anonymous runs and finished jobs are pruned; what learners with accounts keep stays."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from studyapp.sandbox.models import SandboxJob, SandboxRun

pytestmark = pytest.mark.django_db

SETTINGS = {
    "files": {"lambda_function.py": "x = 1\n"},
    "handler": "lambda_function.lambda_handler",
    "memory_mb": 128,
    "timeout_s": 3,
    "event_json": "{}",
}


def aged(row, days: int):
    type(row).objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(days=days))
    return row


def test_pruning_removes_old_anonymous_runs_and_finished_jobs(django_user_model):
    user = django_user_model.objects.create_user("keeper", password="keeper-password-1")
    old_anonymous = aged(
        SandboxRun.objects.create(learner_key="k", status="success", request_id="1", **SETTINGS), 40
    )
    recent_anonymous = SandboxRun.objects.create(
        learner_key="k", status="success", request_id="2", **SETTINGS
    )
    old_account = aged(SandboxRun.objects.create(user=user, status="success", request_id="3", **SETTINGS), 40)
    old_job = aged(SandboxJob.objects.create(owner="a", state=SandboxJob.FINISHED, **SETTINGS), 40)
    old_running = aged(SandboxJob.objects.create(owner="b", state=SandboxJob.RUNNING, **SETTINGS), 40)
    out = StringIO()
    call_command("prune_sandbox_runs", "--days", "30", stdout=out)
    assert "Deleted 1 anonymous run(s) and 1 finished job(s)" in out.getvalue()
    assert set(SandboxRun.objects.values_list("pk", flat=True)) == {recent_anonymous.pk, old_account.pk}
    assert list(SandboxJob.objects.values_list("pk", flat=True)) == [old_running.pk]
    assert not SandboxRun.objects.filter(pk=old_anonymous.pk).exists()
    assert not SandboxJob.objects.filter(pk=old_job.pk).exists()

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from studyapp.sandbox.models import SandboxJob, SandboxRun


class Command(BaseCommand):
    help = (
        "Delete what anonymous visitors' runs left: their run history and every finished job "
        "older than --days (run it from cron, with clearsessions)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="keep what is younger (default 30)")

    def handle(self, *args, days: int, **options):
        if days < 0:
            self.stderr.write("--days must be 0 or more.")
            return
        cutoff = timezone.now() - timedelta(days=days)
        runs, _ = SandboxRun.objects.filter(user=None, created_at__lt=cutoff).delete()
        finished = SandboxJob.objects.filter(
            state=SandboxJob.FINISHED, timeline_done=True, created_at__lt=cutoff
        )
        job_count, _ = finished.delete()
        self.stdout.write(
            f"Deleted {runs} anonymous run(s) and {job_count} finished job(s) older than {days} days."
        )

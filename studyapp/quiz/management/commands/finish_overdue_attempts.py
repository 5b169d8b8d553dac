from django.core.management.base import BaseCommand
from django.utils import timezone

from studyapp.quiz.attempts import finish_if_overdue
from studyapp.quiz.models import Attempt


class Command(BaseCommand):
    help = "Submit every timed exam whose deadline has passed, with the answers saved in time."

    def handle(self, *args, **options):
        now = timezone.now()
        overdue = Attempt.objects.filter(status=Attempt.IN_PROGRESS, deadline__lte=now)
        finished = sum(finish_if_overdue(attempt, now) for attempt in overdue)
        self.stdout.write(f"Finished {finished} overdue attempt(s).")

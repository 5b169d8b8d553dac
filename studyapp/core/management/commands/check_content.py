from django.core.management.base import BaseCommand, CommandError

from studyapp.content.checks import run_all


class Command(BaseCommand):
    help = "Validate every content file (topics, limits, prices, ...) and report file and problem."
    requires_system_checks = []  # content only: usable before the deployment is configured

    def handle(self, *args, **options):
        problems = run_all()
        for problem in problems:
            self.stderr.write(f"✗ {problem}")
        if problems:
            raise CommandError(f"{len(problems)} content problem(s) found.")
        self.stdout.write(self.style.SUCCESS("Content OK."))

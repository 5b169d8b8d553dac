from django.db import migrations, models


def fill_time_limits(apps, schema_editor):
    # Until now the limit was only implied by the deadline, which the server set at the start.
    Attempt = apps.get_model("quiz", "Attempt")
    for attempt in Attempt.objects.filter(deadline__isnull=False).only("pk", "started_at", "deadline"):
        attempt.time_limit_s = round((attempt.deadline - attempt.started_at).total_seconds())
        attempt.save(update_fields=["time_limit_s"])


class Migration(migrations.Migration):
    dependencies = [("quiz", "0002_attempt_public_id")]

    operations = [
        migrations.AddField(
            model_name="attempt",
            name="time_limit_s",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(fill_time_limits, migrations.RunPython.noop),
    ]

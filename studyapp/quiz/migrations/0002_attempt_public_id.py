import secrets

from django.db import migrations, models

import studyapp.quiz.models


def fill_public_ids(apps, schema_editor):
    Attempt = apps.get_model("quiz", "Attempt")
    for attempt in Attempt.objects.filter(public_id__isnull=True).only("pk"):
        attempt.public_id = secrets.token_urlsafe(12)
        attempt.save(update_fields=["public_id"])


class Migration(migrations.Migration):
    dependencies = [("quiz", "0001_initial")]

    operations = [
        # Existing attempts each get their own id before the column becomes unique.
        migrations.AddField(
            model_name="attempt",
            name="public_id",
            field=models.CharField(max_length=32, null=True, editable=False),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="attempt",
            name="public_id",
            field=models.CharField(
                default=studyapp.quiz.models.new_public_id, editable=False, max_length=32, unique=True
            ),
        ),
    ]

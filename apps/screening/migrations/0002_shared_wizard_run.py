# Screening now subclasses backpain.wizard.WizardRun: the columns are the same, only the
# owner constraint, the index and the user's reverse name take the shared names.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

ONE_OWNER = models.CheckConstraint(
    condition=models.Q(
        models.Q(("guest_id__isnull", True), ("user__isnull", False)),
        models.Q(("guest_id__isnull", False), ("user__isnull", True)),
        _connector="OR",
    ),
    name="screening_screening_one_owner",
)


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # A rename in place: removing and adding the constraint would check every row again.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(model_name="screening", name="screening_one_owner"),
                migrations.AddConstraint(model_name="screening", constraint=ONE_OWNER),
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE screening_screening"
                    " RENAME CONSTRAINT screening_one_owner TO screening_screening_one_owner",
                    reverse_sql="ALTER TABLE screening_screening"
                    " RENAME CONSTRAINT screening_screening_one_owner TO screening_one_owner",
                ),
            ],
        ),
        migrations.RenameIndex(
            model_name="screening",
            new_name="screening_screening_started",
            old_name="screening_user_started",
        ),
        migrations.AlterField(
            model_name="screening",
            name="user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="%(app_label)s_%(class)ss",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]

from django.db import migrations, models

from apps.accounts import data_version


class Migration(migrations.Migration):
    # The triggers go on tables of every app, so this runs after all of them exist.
    dependencies = [
        ("accounts", "0002_invitecode_carelink"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("mfa", "0003_authenticator_type_uniq"),
        ("checklist", "0003_scale_indexes"),
        ("clinic", "0003_client_token"),
        ("progress", "0008_scale_indexes"),
        ("screening", "0005_scale_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="data_version",
            field=models.BigIntegerField(default=0, db_default=0, editable=False),
        ),
        migrations.RunSQL(data_version.create_sql(), data_version.drop_sql()),
    ]

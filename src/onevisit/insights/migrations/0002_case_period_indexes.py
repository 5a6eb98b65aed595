"""Indexes on the cases' filing and ending times, which every indicator filters on (the period).

They live on ``cases_case`` but are created here, by the app that needs them, as plain SQL that
Django's model state does not track (``cases`` owns its models; moving them into
``Case.Meta.indexes`` later only needs this migration's reverse). Same SQL on SQLite and PostgreSQL.
"""

from django.db import migrations

INDEXES = [
    ("insights_case_submitted_at", "submitted_at"),
    ("insights_case_decided_at", "decided_at"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0001_initial"),
        ("cases", "0011_case_waiting"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON cases_case ({column})",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, column in INDEXES
    ]

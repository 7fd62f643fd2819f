from django.db import migrations

# The open-case index (`case_open_id_idx`) is read index-only by the queues, their counts and the
# keyword searches; every change of a case clears its page's visibility bit, and autovacuum by default
# waits for changes to a fifth of the cases (200,000 at a million) before setting them again.
SETTINGS = (
    "autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02, "
    "autovacuum_analyze_scale_factor = 0.02"
)
RESET = "autovacuum_vacuum_scale_factor, autovacuum_vacuum_insert_scale_factor, autovacuum_analyze_scale_factor"


def vacuum_cases_sooner(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE tickets_case SET ({SETTINGS})")


def vacuum_cases_as_default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE tickets_case RESET ({RESET})")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0010_clock_warn_due_index")]

    operations = [migrations.RunPython(vacuum_cases_sooner, vacuum_cases_as_default)]

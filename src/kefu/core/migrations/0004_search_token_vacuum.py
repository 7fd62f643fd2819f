from django.db import migrations

# Autovacuum by default waits for inserts of a fifth of the table: 16 million tokens (300,000 cases)
# at a million cases. Until then the newest tokens, which most searches find, are not marked visible
# to all, and every index-only read of them also reads the table (80,000 extra page reads for one
# common word at a million cases after a day of intake).
SETTINGS = "autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02"


def vacuum_tokens_sooner(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE core_searchtoken SET ({SETTINGS})")


def vacuum_tokens_as_default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE core_searchtoken RESET (autovacuum_vacuum_insert_scale_factor, autovacuum_analyze_scale_factor)"
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0003_search_token_statistics")]

    operations = [migrations.RunPython(vacuum_tokens_sooner, vacuum_tokens_as_default)]

"""The default business calendar: Monday to Friday 09:00-12:00 and 13:30-18:00, State Council holidays.

No seed defines working hours (requirements.md, conventions); this is a common office pattern
that managers change on the calendar page.
"""

from django.db import migrations

WEEKLY = {str(d): [["09:00", "12:00"], ["13:30", "18:00"]] for d in range(1, 6)}


def seed(apps, schema_editor):
    WorkCalendar = apps.get_model("core", "WorkCalendar")
    if not WorkCalendar.objects.filter(is_default=True).exists():
        WorkCalendar.objects.create(name="默认工作日历", is_default=True, weekly_hours=WEEKLY)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

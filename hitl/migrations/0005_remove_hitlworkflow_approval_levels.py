from django.db import migrations


class Migration(migrations.Migration):
    """The levels are rows now (0004 copied them): the JSON list goes."""

    dependencies = [
        ('hitl', '0004_levels_from_json'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='hitlworkflow',
            name='approval_levels',
        ),
    ]

"""T3-served counts distinct enterprises (家) from the visits to their technology needs (issue 15)."""

from django.db import migrations

NEW = {"rule": "enterprises_served", "name": "服务重点项目和科技企业（每年≥15家）"}
OLD = {"rule": "outcome_served", "name": "服务重点项目和科技企业（每年≥15个）"}


def switch(apps, schema_editor, values):
    TargetDefinition = apps.get_model("reports", "TargetDefinition")
    TargetDefinition.objects.filter(code="T3-served").update(**values)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_count_bounds"),
        ("needs", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(lambda apps, editor: switch(apps, editor, NEW),
                             lambda apps, editor: switch(apps, editor, OLD)),
    ]

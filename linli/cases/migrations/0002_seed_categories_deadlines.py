"""The categories named in the 创熟 articles, and the Guangdong 12345 deadlines (cases.taxonomy)."""

from django.db import migrations


def seed(apps, schema_editor):
    from linli.cases import taxonomy

    taxonomy.seed(apps.get_model("cases", "Category"), apps.get_model("cases", "DeadlineRule"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_cases_categories_routing_events")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

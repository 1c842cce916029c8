from django.db import migrations


def forwards(apps, schema_editor):
    from linli.votes.defaults import load

    load(apps.get_model("votes", "RuleSet"))


def backwards(apps, schema_editor):
    from linli.votes.defaults import DEFAULTS

    RuleSet = apps.get_model("votes", "RuleSet")
    for data in DEFAULTS:
        RuleSet.objects.filter(name=data["name"], subdistrict=None, community=None).delete()


class Migration(migrations.Migration):
    dependencies = [("votes", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]

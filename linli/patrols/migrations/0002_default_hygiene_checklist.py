"""The default hygiene checklist (卫生监督), used where a compound or its community has none
of its own. Reversible: going back removes it, unless inspections already used it."""

from django.db import migrations

NAME = "物业保洁卫生检查表（默认）"
ITEMS = [
    "楼道地面",
    "楼梯扶手",
    "电梯轿厢",
    "垃圾分类点",
    "绿化带",
    "地下车库",
    "宣传栏及信报箱",
    "小区道路及广场",
]


def create(apps, schema_editor):
    Checklist = apps.get_model("patrols", "Checklist")
    ChecklistItem = apps.get_model("patrols", "ChecklistItem")
    checklist = Checklist.objects.create(name=NAME, compound=None, community=None, active=True)
    ChecklistItem.objects.bulk_create(
        ChecklistItem(checklist=checklist, text=text, max_score=10, order=i) for i, text in enumerate(ITEMS, 1)
    )


def remove(apps, schema_editor):
    # Plain deletes, not the ORM's cascade: while every app migrates back, the historical models'
    # relations (other apps' models pointing here) can be of another state and fail to query.
    # An inspection that used the list holds it (a foreign key): then going back is refused.
    Checklist = apps.get_model("patrols", "Checklist")
    ChecklistItem = apps.get_model("patrols", "ChecklistItem")
    db = schema_editor.connection.alias
    ids = list(Checklist.objects.using(db).filter(name=NAME, compound=None, community=None).values_list("pk", flat=True))
    ChecklistItem.objects.using(db).filter(checklist_id__in=ids)._raw_delete(db)
    Checklist.objects.using(db).filter(pk__in=ids)._raw_delete(db)


class Migration(migrations.Migration):
    dependencies = [("patrols", "0001_patrols_checklists_inspections")]
    operations = [migrations.RunPython(create, remove)]

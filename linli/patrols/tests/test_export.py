"""The patrol log and the hygiene inspections as Excel: the compound filter and the scope of
the pages, every row."""

import datetime as dt

from django.utils import timezone

from linli.lib.tests.xlsx_support import last_export, rows
from linli.patrols import services
from linli.patrols.models import Patrol


def test_the_patrol_export_has_the_filtered_patrols(world, login):
    fufeng = services.start_patrol(user=world.grace, compound=world.fufeng, kind="hygiene")
    Patrol.objects.filter(pk=fufeng.pk).update(started_at=timezone.now() - dt.timedelta(hours=1))
    services.start_patrol(user=world.root, compound=world.yijing, kind="ebike")
    client = login(world.carol)
    page = client.get("/patrols/", {"compound": world.fufeng.pk}).content.decode()
    assert f'href="/patrols/export.xlsx?compound={world.fufeng.pk}"' in page
    lines = rows(client.get("/patrols/export.xlsx", {"compound": world.fufeng.pk}))
    assert lines[0] == ("Started at", "Ended at", "Kind of patrol", "Compound", "Patrolling team", "Findings")
    assert [line[2:] for line in lines[1:]] == [("hygiene walk", "富丰新城", None, 0)]
    assert isinstance(lines[1][0], dt.datetime)
    assert last_export("patrols").additional_data == {
        "export": "patrols",
        "filters": {"compound": str(world.fufeng.pk)},
        "rows": 1,
    }
    # 颐景园's patrol is outside carol's community, filter or not; olga sees only hers.
    assert len(rows(client.get("/patrols/export.xlsx"))) == 2
    assert [line[3] for line in rows(login(world.olga).get("/patrols/export.xlsx"))[1:]] == ["颐景园"]


def test_the_inspections_export_opens_with_its_header(world, login):
    lines = rows(login(world.carol).get("/patrols/inspections/export.xlsx"))
    assert lines == [
        ("Inspection date", "Compound", "Area inspected", "Property company", "Total score", "Maximum total")
    ]

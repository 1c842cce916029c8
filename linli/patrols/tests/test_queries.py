"""List pages and API lists cost the same number of queries whatever their length (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linli.patrols import services

from .conftest import API


def _patrols(world, n):
    for _ in range(n):
        p = services.start_patrol(user=world.grace, compound=world.fufeng, kind="ebike", organisation=world.team)
        services.add_finding(user=world.grace, patrol=p, text="电动车", stairwell=world.s11)
        i = services.start_inspection(user=world.grace, compound=world.fufeng, building=world.b1, area="大堂")
        services.score(user=world.grace, inspection=i, scores={it.pk: 7 for it in i.checklist.items.all()})
        services.submit_inspection(user=world.grace, inspection=i)


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url", [reverse("patrols:list"), reverse("patrols:inspections"), f"{API}", f"{API}/inspections"]
)
def test_lists_do_not_grow_with_rows(world, login, as_user, url):
    client = as_user(world.carol) if url.startswith("/api") else login(world.carol)
    _patrols(world, 1)
    few = _count(client, url)
    _patrols(world, 4)
    assert _count(client, url) == few

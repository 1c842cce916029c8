"""The conventions list as Excel: those of the user's places only."""

from django.conf import settings

from linli.conventions.models import Convention
from linli.lib.tests.xlsx_support import rows


def test_the_conventions_export_keeps_the_places(world, login):
    Convention.objects.create(community=world.daxin, compound=world.fufeng, kind="pets", title="文明养宠公约")
    Convention.objects.create(community=world.cuiyi, compound=world.yijing, kind="residents", title="颐景园居民公约")
    client = login(world.carol)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    lines = rows(client.get("/conventions/export.xlsx"))
    assert lines[0] == ("Title", "Kind", "Place", "Version", "Adopted on")
    assert lines[1:] == [("文明养宠公约", "civilised pet keeping", "富丰新城", None, None)]
    assert [line[0] for line in rows(login(world.olga).get("/conventions/export.xlsx"))[1:]] == ["颐景园居民公约"]


def test_the_headers_speak_the_users_language(world, login):
    client = login(world.carol)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert rows(client.get("/conventions/export.xlsx"))[0][0] == "标题"

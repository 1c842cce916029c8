"""The monthly report: a Chinese PDF whose figures are `compute`'s, with the staff's words,
for the places a user may read, and written for every community by the monthly command."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from linli.lib.tests import pdfdoc
from linli.places.models import Community, Subdistrict
from linli.results import indicators as ind
from linli.results import report
from linli.results.models import ReportTemplate
from linli.results.period import parse
from linli.volunteers.tests.conftest import cid_text

NOV = parse("2026-11")


@pytest.fixture
def daxin_pdf(data):
    data.c1.supporters = 3
    data.c1.save(update_fields=["supporters"])
    return report.build("community", data.daxin, NOV)


def test_the_pdf_is_chinese_in_the_cjk_font(daxin_pdf):
    assert daxin_pdf.startswith(b"%PDF-") and daxin_pdf.rstrip().endswith(b"%%EOF")
    text = cid_text(daxin_pdf)
    assert "大新社区2026年11月创熟工作月报" in text
    assert "受理诉求" in text and "走访覆盖率" in text
    assert "生成时间" in text and "未经人工填报" in text  # the default intro
    pdfdoc.require_cjk_font()
    assert pdfdoc.embedded_chinese(daxin_pdf) == text  # Chinese glyphs, not boxes: the font is in the file


def test_the_figures_are_computes_this_month_beside_last(data, daxin_pdf):
    w = data
    this = ind.compute("community", [w.daxin.pk], NOV)[w.daxin.pk]
    last = ind.compute("community", [w.daxin.pk], parse("2026-10"))[w.daxin.pk]
    assert (this["cases_received"], last["cases_received"]) == (4, 1)  # c1-c4; c5 in October
    text = cid_text(daxin_pdf)
    assert "受理诉求41" in text
    assert "办结率66.7%" in text  # 2 of 3, and no case resolved in October: "—"
    d = report.data("community", w.daxin, NOV)
    assert [(i.key, a, b) for i, a, b in d["indicators"]] == [
        (i.key, this[i.key], last[i.key]) for i in ind.INDICATORS if "community" in i.levels
    ]


def test_compounds_compared_one_row_each_and_notable_cases_titles_only(data, daxin_pdf):
    w = data
    d = report.data("community", w.daxin, NOV)
    assert [k for k, _values in d["children"]] == [w.fufeng]
    text = cid_text(daxin_pdf)
    assert "富丰新城4" in text  # its row starts with the cases received
    assert "邻居漏水" in text and "占用车位" in text  # most supported; overdue now
    assert "楼道充电" not in text  # 颐景园's, another community


def test_the_template_words_are_substituted_as_plain_text(data):
    w = data
    ReportTemplate.objects.create(
        community=w.daxin,
        title="{place}{month}简报",
        intro="欢迎{place}<b>居民</b> {unknown} {place.__class__} {month!r}",
        closing="谢谢。生成于{generated}",
        heading_indicators="指标",
        heading_compare="各{children}",
        heading_chart="图",
        heading_cases="重点",
    )
    text = cid_text(report.build("community", w.daxin, NOV))
    assert "大新社区2026年11月简报" in text
    assert "欢迎大新社区<b>居民</b> {unknown} {place.__class__} {month!r}" in text
    assert "各小区" in text and "谢谢。生成于20" in text
    # Another community keeps the default words.
    assert "翠颐社区2026年11月创熟工作月报" in cid_text(report.build("community", w.cuiyi, NOV))


def test_substitute_evaluates_nothing():
    values = {"place": "大新社区"}
    assert report.substitute("{place}{place.name}{0}{{place}}", values) == "大新社区{place.name}{0}{大新社区}"


def test_staff_get_the_pdf_of_their_places_and_others_404(data, login):
    w = data
    client = login(w.carol)
    url = "/results/report.pdf"
    ok = client.get(url, {"level": "community", "place": w.daxin.pk, "period": "2026-11"})
    assert ok.status_code == 200 and ok["Content-Type"] == "application/pdf"
    assert ok.content.startswith(b"%PDF-")
    assert client.get(url, {"level": "community", "place": w.cuiyi.pk, "period": "2026-11"}).status_code == 404
    assert client.get(url, {"level": "subdistrict", "place": w.guicheng.pk}).status_code == 404
    assert client.get(url, {"level": "community", "place": w.daxin.pk, "period": "nonsense"}).status_code == 404
    assert login(w.alice).get(url, {"level": "community", "place": w.daxin.pk}).status_code == 404
    erin = login(w.erin).get(url, {"level": "subdistrict", "place": w.guicheng.pk, "period": "2026-11"})
    assert erin.status_code == 200
    assert "桂城街道2026年11月创熟工作月报" in cid_text(erin.content)


def test_the_results_page_links_to_the_report(data, login):
    w = data
    client = login(w.carol)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    body = client.get("/results/", {"period": "2026-11"}).content.decode()
    assert f"/results/report.pdf?level=community&amp;place={w.daxin.pk}&amp;period=2026-11" in body


def test_the_command_writes_one_file_per_community_and_subdistrict(data, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("results_reports", month="2026-11", stdout=StringIO())
    files = sorted(p.name for p in (tmp_path / "reports" / "2026-11").iterdir())
    expected = [f"community-{pk}.pdf" for pk in Community.objects.values_list("pk", flat=True)]
    expected += [f"subdistrict-{pk}.pdf" for pk in Subdistrict.objects.values_list("pk", flat=True)]
    assert files == sorted(expected)
    assert all((tmp_path / "reports" / "2026-11" / f).read_bytes().startswith(b"%PDF-") for f in files)
    # On the schedule (--if-missing) a report already written is kept; asked again, replaced.
    kept = tmp_path / "reports" / "2026-11" / files[0]
    kept.write_bytes(b"edited")
    call_command("results_reports", month="2026-11", if_missing=True, stdout=StringIO())
    assert kept.read_bytes() == b"edited"
    call_command("results_reports", month="2026-11", stdout=StringIO())
    assert kept.read_bytes().startswith(b"%PDF-")


def test_there_is_one_default_template_made_by_the_migration(db):
    defaults = ReportTemplate.objects.filter(subdistrict__isnull=True, community__isnull=True)
    assert defaults.count() == 1 and "{place}" in defaults.get().title
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportTemplate.objects.create(title="另一个默认", heading_indicators="a", heading_compare="b",
                                      heading_chart="c", heading_cases="d")  # fmt: skip

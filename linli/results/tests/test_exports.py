"""Exports: the results table and the rows behind a figure as Excel files, the open data as CSV
and JSON (public indicators only, no names, small figures withheld)."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from linli.conftest import _person
from linli.people.models import Membership
from linli.places.models import Compound
from linli.results import exports
from linli.results import indicators as ind
from linli.results.period import parse
from linli.results.tests.conftest import _case

NOV = parse("2026-11")


@pytest.fixture
def en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    return load_workbook(io.BytesIO(response.content)).active


def test_the_table_export_has_the_figures_of_compute(en, data):
    w = data
    en.force_login(w.carol)
    sheet = _sheet(en.get("/results/export.xlsx", {"place": f"community:{w.daxin.pk}", "period": "2026-11"}))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Results · 大新社区 · 2026-11"
    assert rows[1] == ("Section", "Indicator", "Unit", "大新社区", "富丰新城")
    assert sheet["A2"].font.b and sheet.freeze_panes == "A3"
    own = ind.compute("community", [w.daxin.pk], NOV)[w.daxin.pk]
    fufeng = ind.compute("compound", [w.fufeng.pk], NOV)[w.fufeng.pk]
    by_label = {r[1]: r for r in rows[2:]}
    for indicator in ind.INDICATORS:
        if "community" not in indicator.levels:
            assert str(indicator.label) not in by_label
            continue
        line = by_label[str(indicator.label)]
        assert line[3] == own[indicator.key], indicator.key
        assert line[4] == fufeng[indicator.key], indicator.key
    # Numbers are numbers, not text.
    assert by_label["Cases received"][3] == 4 and isinstance(by_label["Cases received"][3], int)
    assert isinstance(by_label["Volunteer hours"][4], float)


def test_the_table_export_speaks_the_users_language(client, data):
    w = data
    client.force_login(w.carol)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    sheet = _sheet(client.get("/results/export.xlsx", {"place": f"community:{w.daxin.pk}", "period": "2026-11"}))
    assert sheet["A1"].value == "创熟成效 · 大新社区 · 2026-11"
    assert "受理诉求" in [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]  # Cases received


def test_the_rows_export_lists_every_row_with_masked_phones(en, data):
    w = data
    en.force_login(w.carol)
    params = {"place": f"compound:{w.fufeng.pk}", "period": "2026-11"}
    sheet = _sheet(en.get("/results/organisation_members/export.xlsx", params))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("People in them: 3 · 富丰新城")
    assert rows[1] == ("Name", "Phone")
    expected = ind.get("organisation_members").rows("compound", [w.fufeng.pk], NOV)
    assert [r[0] for r in rows[2:]] == [p.name for p in expected]
    for person, line in zip(expected, rows[2:], strict=True):
        assert line[1] == person.phone_masked and line[1] != person.phone and "*" in line[1]
    body = en.get("/results/organisation_members/", params).content.decode()
    assert 'href="/results/organisation_members/export.xlsx?place=compound:' in body


def test_the_rows_export_has_hours_as_numbers(en, data):
    w = data
    en.force_login(w.carol)
    sheet = _sheet(en.get("/results/volunteer_hours/export.xlsx", {"place": f"compound:{w.fufeng.pk}",
                                                                    "period": "2026-11"}))  # fmt: skip
    hours = sorted(r[3] for r in sheet.iter_rows(min_row=3, values_only=True))
    assert hours == [1.5, 2.0]


def test_the_index_page_links_to_the_excel_file(en, data):
    w = data
    en.force_login(w.carol)
    body = en.get("/results/", {"period": "2026-11"}).content.decode()
    assert f'href="/results/export.xlsx?place=community:{w.daxin.pk}&amp;period=2026-11"' in body
    assert "Download Excel" in body


def test_exports_keep_the_pages_access(en, data):
    w = data
    en.force_login(w.carol)
    assert en.get("/results/export.xlsx", {"place": f"community:{w.cuiyi.pk}"}).status_code == 404
    assert en.get("/results/export.xlsx", {"place": f"subdistrict:{w.guicheng.pk}"}).status_code == 404
    assert en.get("/results/cases_received/export.xlsx", {"place": f"compound:{w.yijing.pk}"}).status_code == 404
    assert en.get("/results/no_such_thing/export.xlsx").status_code == 404
    en.force_login(w.alice)
    assert en.get("/results/export.xlsx").status_code == 403
    en.logout()
    assert en.get("/results/export.xlsx").status_code == 302


# --- open data ---------------------------------------------------------------------------


def _place(data_, level, pk):
    return next(p for p in data_["places"] if p["level"] == level and p["id"] == pk)


def test_open_data_is_public_aggregates_without_names(en, data):
    w = data
    response = en.get("/results/open/2026-11.json")
    assert response.status_code == 200
    out = response.json()
    assert out["schema"] == exports.SCHEMA and out["period"]["code"] == "2026-11"
    keys = [i["key"] for i in out["indicators"]]
    assert "cases_received" in keys and "party_member_leaders" not in keys and "homes" not in keys
    assert {(p["level"], p["name"]) for p in out["places"]} >= {("community", "大新社区"), ("compound", "颐景园")}
    body = response.content.decode()
    for person in (w.p_alice, w.p_bob, w.p_olga, w.p_grace):
        assert person.name not in body and person.phone not in body
    # Figures that identify nobody are shown as computed.
    fufeng = _place(out, "compound", w.fufeng.pk)
    assert fufeng["values"]["votes_held"] == 2 and fufeng["values"]["clubs"] == 2
    assert fufeng["community"] == "大新社区"


def test_small_counts_are_withheld(data):
    w = data
    out = exports.open_data(NOV)
    fufeng, yijing = _place(out, "compound", w.fufeng.pk), _place(out, "compound", w.yijing.pk)
    # 4 cases received in 富丰新城 in November, 2 in 颐景园: withheld, and the rates behind them.
    for place in (fufeng, yijing):
        assert place["values"]["cases_received"] is None and "cases_received" in place["suppressed"]
        assert {"cases_rating", "cases_satisfied", "cases_resolution_rate"} <= set(place["suppressed"])
    # 3 members, 2 volunteers: withheld; a zero identifies nobody and is shown.
    assert fufeng["values"]["organisation_members"] is None
    assert fufeng["values"]["volunteer_hours"] is None and "volunteer_hours" in fufeng["suppressed"]
    assert fufeng["values"]["cases_public_order"] == 0 and "cases_public_order" not in fufeng["suppressed"]
    # Counts of organisations and votes are not about a person.
    assert fufeng["values"]["votes_held"] == 2
    # A fifth case in November: the count is shown (the rates still stand on four handled cases).
    _case(w, w.fufeng, "pets", "狗叫", "2026-11-10")
    fufeng = _place(exports.open_data(NOV), "compound", w.fufeng.pk)
    assert fufeng["values"]["cases_received"] == 5 and "cases_received" not in fufeng["suppressed"]
    # The rates still stand on too few: 4 handled (one was rejected), 2 rated.
    assert {"cases_resolution_rate", "cases_rating", "cases_satisfied"} <= set(fufeng["suppressed"])


def test_five_people_are_shown(data):
    w = data
    assert _place(exports.open_data(NOV), "compound", w.yijing.pk)["values"]["organisation_members"] is None
    for n in range(4):
        Membership.objects.create(organisation=w.yj_leaders, person=_person(f"队员{n}", f"1390000000{n}"))
    out = exports.open_data(NOV)
    assert _place(out, "compound", w.yijing.pk)["values"]["organisation_members"] == 5
    assert "队员0" not in json.dumps(out, ensure_ascii=False)


def test_a_lone_withheld_compound_takes_the_next_smallest_with_it(data):
    w = data
    # 大新社区: 富丰新城 4 cases in November (withheld), two more compounds with 6 and 7.
    small, large = (Compound.objects.create(community=w.daxin, name=name) for name in ("南苑", "北苑"))
    for compound, n in ((small, 6), (large, 7)):
        for i in range(n):
            _case(w, compound, "pets", f"狗叫{i}", "2026-11-10")
    out = exports.open_data(NOV)
    figures = {c.name: _place(out, "compound", c.pk) for c in (w.fufeng, small, large)}
    assert [f["values"]["cases_received"] for f in figures.values()] == [None, None, 7]
    assert "cases_received" in figures["南苑"]["suppressed"]
    # The community's 17 is shown: 17 − 7 leaves two unknowns, not one.
    assert _place(out, "community", w.daxin.pk)["values"]["cases_received"] == 17
    # 颐景园 is alone in 翠颐社区: nothing else to withhold.
    assert _place(out, "compound", w.yijing.pk)["values"]["cases_received"] is None


def test_open_data_as_csv_parses_and_opens_in_excel(en, data):
    w = data
    response = en.get("/results/open/2026-11.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    fufeng = next(r for r in lines if r["level"] == "compound" and r["id"] == str(w.fufeng.pk))
    assert fufeng["name"] == "富丰新城" and fufeng["period"] == "2026-11"
    assert fufeng["votes_held"] == "2" and fufeng["organisation_members"] == ""
    assert "organisation_members" in fufeng["suppressed"].split()
    assert w.p_alice.name not in response.content.decode("utf-8-sig")
    assert en.get("/results/open/2026-13.csv").status_code == 404


def test_the_api_gives_the_same_open_data(en, data):
    response = en.get("/api/v1/results/open", {"period": "2026-11"})
    assert response.status_code == 200
    api, page = response.json(), en.get("/results/open/2026-11.json").json()
    api.pop("generated_at"), page.pop("generated_at")
    assert api == page
    bad = en.get("/api/v1/results/open", {"period": "11/2026"})
    assert bad.status_code == 422
    assert json.dumps(bad.json()).find("period") >= 0

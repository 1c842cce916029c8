"""The results pages: staff within their places, the rows behind a figure, the public pages."""

import pytest

from linli.results.indicators import INDICATORS


@pytest.fixture
def en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_a_community_worker_sees_his_community_and_its_compounds(en, data):
    w = data
    en.force_login(w.carol)
    response = en.get("/results/", {"period": "2026-11"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "大新社区" in body and "富丰新城" in body
    assert "颐景园" not in body
    assert "Cases received" in body
    assert f"/results/cases_received/?place=community:{w.daxin.pk}&amp;period=2026-11" in body
    assert response.context["columns"][0].place == w.daxin


def test_a_worker_cannot_read_another_communitys_figures(en, data):
    w = data
    en.force_login(w.carol)
    assert en.get("/results/", {"place": f"community:{w.cuiyi.pk}"}).status_code == 404
    assert en.get("/results/", {"place": f"compound:{w.yijing.pk}"}).status_code == 404
    # Nor the subdistrict's totals, which count the other communities too.
    assert en.get("/results/", {"place": f"subdistrict:{w.guicheng.pk}"}).status_code == 404
    assert en.get("/results/cases_received/", {"place": f"compound:{w.yijing.pk}"}).status_code == 404


def test_the_subdistrict_admin_sees_every_community(en, data):
    w = data
    en.force_login(w.erin)
    response = en.get("/results/", {"period": "2026-11"})
    assert [c.place for c in response.context["columns"]] == [w.guicheng, w.daxin, w.cuiyi]


def test_residents_and_leaders_have_no_results_page(en, data):
    w = data
    for user in (w.alice, w.bob, w.dave):
        en.force_login(user)
        assert en.get("/results/").status_code == 403
        assert "/results/" not in en.get("/").content.decode()
    en.force_login(w.carol)
    assert 'href="/results/"' in en.get("/").content.decode()


def test_the_rows_behind_a_figure_are_listed_and_masked(en, data):
    w = data
    en.force_login(w.carol)
    response = en.get("/results/cases_overdue/", {"place": f"compound:{w.fufeng.pk}", "period": "2026-11"})
    assert response.status_code == 200
    body = response.content.decode()
    assert w.c3.code in body and w.c1.code not in body
    response = en.get("/results/building_leaders/", {"place": f"community:{w.daxin.pk}", "period": "2026-11"})
    body = response.content.decode()
    assert "沈霞" in body and "党员甲" in body
    assert "13900000001" not in body  # bob's phone, masked
    assert en.get("/results/no_such_figure/", {"place": f"community:{w.daxin.pk}"}).status_code == 404


def test_a_bad_period_falls_back_to_the_last_month_with_a_message(en, data):
    en.force_login(data.carol)
    response = en.get("/results/", {"from": "2026-11-30", "to": "2026-11-01"})
    assert response.status_code == 200
    assert "The first day must not be after the last day." in response.content.decode()


def test_the_public_pages_show_only_public_aggregates(en, data):
    w = data
    for path in (f"/results/public/compound/{w.fufeng.pk}/", f"/results/public/community/{w.daxin.pk}/"):
        response = en.get(path, {"period": "2026-11"})  # no login
        assert response.status_code == 200
        body = response.content.decode()
        assert "Cases received" in body
        for indicator in INDICATORS:
            if not indicator.public:
                assert str(indicator.label) not in body, indicator.key
        assert "/results/cases_received/" not in body  # no rows behind the public figures
        assert "沈霞" not in body and w.c1.title not in body
    assert en.get("/results/public/compound/999999/").status_code == 404

"""The indicators over the API: the list, the figures per place, the rows, and bad input."""

import pytest

from linli.results.indicators import INDICATORS


@pytest.fixture
def api(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_list_of_indicators(api, data):
    api.force_login(data.carol)
    body = api.get("/api/v1/results/indicators").json()
    assert [i["key"] for i in body] == [i.key for i in INDICATORS]
    received = next(i for i in body if i["key"] == "cases_received")
    assert received["label"] == "Cases received"
    assert received["kind"] == "flow" and received["unit"] == "count" and received["public"] is True


def test_values_of_a_community_and_its_compounds(api, data):
    w = data
    api.force_login(w.carol)
    response = api.get(
        "/api/v1/results/values",
        {"level": "community", "place": w.daxin.pk, "from": "2026-11-01", "to": "2026-11-30"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == {"code": "2026-11-01..2026-11-30", "start": "2026-11-01", "end": "2026-11-30"}
    assert body["place"]["values"]["cases_received"] == 4
    assert body["place"]["values"]["volunteer_hours"] == 3.5
    assert [c["name"] for c in body["children"]] == ["富丰新城"]
    assert body["children"][0]["values"]["clubs"] == 2


def test_rows_behind_a_figure_are_paged(api, data):
    w = data
    api.force_login(w.carol)
    response = api.get(
        "/api/v1/results/indicators/cases_received/rows",
        {"level": "compound", "place": w.fufeng.pk, "period": "2026-11", "limit": 3},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["value"] == 4 and body["count"] == 4 and len(body["items"]) == 3
    assert body["columns"][0] == "code"


@pytest.mark.parametrize(
    "params, status, field, message",
    [
        ({"from": "2026-11-30", "to": "2026-11-01"}, 422, "to", "The first day must not be after the last day."),
        ({"from": "2026-13-01", "to": "2026-12-01"}, 422, "from", "Enter the first day as a date like 2026-11-30."),
        ({"from": "2026-11-01"}, 422, "to", "Give both the first and the last day."),
        ({"period": "November"}, 422, "period", "Give the period as a month"),
        ({"level": "building"}, 422, "level", "Choose one of"),
    ],
)
def test_bad_input_is_a_clear_422(api, data, params, status, field, message):
    w = data
    api.force_login(w.carol)
    query = {"level": "community", "place": w.daxin.pk, **params}
    response = api.get("/api/v1/results/values", query)
    assert response.status_code == status
    error = response.json()["errors"][0]
    assert error["field"] == field and error["message"].startswith(message)


def test_a_place_outside_ones_reach_or_an_unknown_figure_is_a_404(api, data):
    w = data
    api.force_login(w.carol)
    assert api.get("/api/v1/results/values", {"level": "community", "place": w.cuiyi.pk}).status_code == 404
    assert api.get("/api/v1/results/values", {"level": "subdistrict", "place": w.guicheng.pk}).status_code == 404
    response = api.get("/api/v1/results/indicators/nothing/rows", {"level": "community", "place": w.daxin.pk})
    assert response.status_code == 404
    assert response.json()["detail"] == "There is no indicator nothing."


def test_residents_may_not_read_the_indicators(api, data):
    api.force_login(data.alice)
    response = api.get("/api/v1/results/values")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only community and subdistrict staff read the indicators."


def test_the_monthly_report_as_a_pdf_for_the_places_one_may_read(api, data):
    from linli.volunteers.tests.conftest import cid_text

    w = data
    api.force_login(w.carol)
    url = "/api/v1/results/report"
    ok = api.get(url, {"level": "community", "place": w.daxin.pk, "period": "2026-11"})
    assert ok.status_code == 200 and ok["Content-Type"] == "application/pdf"
    assert ok["Content-Disposition"] == f'inline; filename="report-community-{w.daxin.pk}-2026-11.pdf"'
    assert ok.content.startswith(b"%PDF-")
    assert "大新社区2026年11月创熟工作月报" in cid_text(ok.content)
    assert api.get(url, {"level": "community", "place": w.cuiyi.pk, "period": "2026-11"}).status_code == 404
    assert api.get(url, {"level": "subdistrict", "place": w.guicheng.pk}).status_code == 404
    bad = api.get(url, {"level": "community", "place": w.daxin.pk, "period": "nonsense"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "period"
    api.force_login(w.alice)
    assert api.get(url, {"level": "community", "place": w.daxin.pk}).status_code == 403


def test_the_monthly_report_is_documented_as_a_binary_pdf(api, data):
    api.force_login(data.carol)
    operation = api.get("/api/v1/openapi.json").json()["paths"]["/api/v1/results/report"]["get"]
    assert operation["responses"]["200"]["content"]["application/pdf"]["schema"]["format"] == "binary"
    assert {"403", "404", "422"} <= set(operation["responses"])
    assert {p["name"] for p in operation["parameters"]} == {"level", "place", "period"}

"""The dashboards over the API: trends, the comparison, the building grid; access and bad input."""

import pytest
from django.db import connections
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext

from linli.results import db


@pytest.fixture
def api(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_trends_of_a_community(api, data):
    w = data
    api.force_login(w.carol)
    response = api.get("/api/v1/results/series", {"level": "community", "place": w.daxin.pk, "period": "2026-11"})
    assert response.status_code == 200
    body = response.json()
    assert body["place"] == {"level": "community", "id": w.daxin.pk, "name": "大新社区"}
    assert body["months"][0] == "2025-12" and body["months"][-1] == "2026-11"
    series = {s["key"]: s for s in body["series"]}
    assert series["cases_received"]["values"][-2:] == [1, 4]
    assert series["volunteer_hours"]["values"][-2:] == [1.0, 3.5]
    assert series["cases_resolution_rate"]["unit"] == "percent"
    assert series["cases_resolution_rate"]["values"][-3:] == [None, 0.0, 66.7]


def test_the_communities_compared(api, data):
    w = data
    api.force_login(w.erin)
    response = api.get(
        "/api/v1/results/compare",
        {"level": "subdistrict", "place": w.guicheng.pk, "period": "2026-11", "indicator": "cases_received"},
    )
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(i["level"], i["name"], i["value"]) for i in items] == [
        ("community", "大新社区", 4),
        ("community", "翠颐社区", 2),
    ]


def test_the_building_grid(api, data):
    w = data
    api.force_login(w.carol)
    response = api.get("/api/v1/results/buildings", {"compound": w.fufeng.pk, "period": "2026-11"})
    assert response.status_code == 200
    items = {i["name"]: i for i in response.json()["items"]}
    assert items["1栋"] | {} == {
        "id": w.b1.pk, "name": "1栋", "homes": 4, "homes_visited": 2, "residents_recorded": 4,
        "cases_received": 0, "cases_open": 0, "leaders": 1,
    }  # fmt: skip
    assert items["2栋"]["leaders"] == 2 and items["2栋"]["residents_recorded"] == 0


def test_dashboard_operations_keep_to_the_callers_places(api, data):
    w = data
    api.force_login(w.carol)
    assert api.get("/api/v1/results/series", {"level": "community", "place": w.cuiyi.pk}).status_code == 404
    assert api.get("/api/v1/results/buildings", {"compound": w.yijing.pk}).status_code == 404
    compare = {"level": "subdistrict", "place": w.guicheng.pk, "indicator": "cases_received"}
    assert api.get("/api/v1/results/compare", compare).status_code == 404
    api.force_login(w.alice)
    assert api.get("/api/v1/results/series").status_code == 403
    assert api.get("/api/v1/results/buildings", {"compound": w.fufeng.pk}).status_code == 403


def test_bad_input_names_the_field(api, data):
    w = data
    api.force_login(w.carol)
    place = {"level": "community", "place": w.daxin.pk}
    response = api.get("/api/v1/results/compare", {**place, "indicator": "homes"})
    assert response.status_code == 422 and "indicator" in response.content.decode()
    assert api.get("/api/v1/results/compare", {**place, "indicator": "nonsense"}).status_code == 404
    response = api.get("/api/v1/results/series", {**place, "period": "2026-13"})
    assert response.status_code == 422 and "period" in response.content.decode()


def test_without_a_replica_the_results_read_the_default_database():
    assert db.reading_alias() == "default"


@pytest.fixture
def replica(settings):
    """A `replica` alias, as DATABASE_REPLICA_URL adds it, whose wrapper runs its queries on the
    test database's own connection (inside the test's transaction, so it sees the test's rows,
    as a replica sees the primary's): what each alias is asked is counted apart."""
    default = connections["default"]
    default.ensure_connection()
    settings.DATABASES = {**settings.DATABASES, "replica": {**default.settings_dict}}
    wrapper = load_backend(default.settings_dict["ENGINE"]).DatabaseWrapper({**default.settings_dict}, alias="replica")
    wrapper.connection = default.connection  # shared: never opened or closed by this wrapper
    connections["replica"] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.connection = None
        del connections["replica"]


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_with_a_replica_the_aggregates_are_read_from_it(api, data, replica):
    w = data
    assert db.reading_alias() == "replica"
    api.force_login(w.carol)
    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connections["default"]) as on_default:
        body = api.get("/api/v1/results/series", {"level": "compound", "place": w.fufeng.pk, "period": "2026-11"})
        grid = api.get("/api/v1/results/buildings", {"compound": w.fufeng.pk, "period": "2026-11"}).json()
        page = api.get("/results/dashboard/", {"place": f"community:{w.daxin.pk}", "period": "2026-11"})
    assert body.json()["series"][0]["values"][-1] == 4
    assert {i["name"]: i["homes"] for i in grid["items"]} == {"1栋": 4, "2栋": 1}
    assert page.status_code == 200
    read_there = [q["sql"] for q in on_replica.captured_queries]
    assert any("GROUP BY" in sql for sql in read_there) and len(read_there) >= 10
    # The primary answers the session and the access checks, not the aggregates.
    assert not any("GROUP BY" in q["sql"] for q in on_default.captured_queries)

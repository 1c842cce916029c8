"""The OpenAPI document describes what each operation really answers (bugs found by test_api_fuzz)."""

from linli.api import api

REF = "#/components/schemas/"


def _response_ref(path: str, method: str = "get", status: int = 200) -> str:
    schema = api.get_openapi_schema()["paths"][path][method]["responses"][status]["content"]["application/json"]
    schema = schema["schema"]
    schema = schema.get("items", schema)  # a list: its items
    return schema["$ref"].removeprefix(REF)


def test_two_apps_schemas_of_one_name_are_documented_apart():
    """places' and results' BuildingOut are different things; each operation shows its own."""
    components = api.get_openapi_schema()["components"]["schemas"]
    places = components[_response_ref("/api/v1/places/buildings/{building_id}")]
    results = components[_response_ref("/api/v1/results/buildings")]
    assert "stairwell_count" in places["properties"]
    results_items = components[results["properties"]["items"]["items"]["$ref"].removeprefix(REF)]
    assert "homes_visited" in results_items["properties"]
    assert "stairwell_count" not in results_items["properties"]


def test_the_document_is_the_same_every_time():
    assert api.get_openapi_schema() == api.get_openapi_schema()


def test_every_operation_documents_the_errors_every_operation_gives():
    """A body that is not JSON is a 400, an invalid value a 422, an id that does not parse a 404,
    no token a 401: whatever the operation, so each one documents them."""
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            params = operation.get("parameters", [])
            if "requestBody" in operation:
                assert {400, 422} <= documented, f"{method} {path}"
            if params:
                assert 422 in documented, f"{method} {path}"
            if any(p["in"] == "path" for p in params):
                assert 404 in documented, f"{method} {path}"
            if operation.get("security"):
                assert 401 in documented, f"{method} {path}"


def test_a_body_that_is_not_json_is_a_documented_400(client, world):
    client.force_login(world.alice)
    response = client.post("/api/v1/topics", "{not json", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
    assert 400 in api.get_openapi_schema()["paths"]["/api/v1/topics"]["post"]["responses"]


def test_files_that_are_not_json_document_their_type():
    paths = api.get_openapi_schema()["paths"]
    assert "text/calendar" in paths["/api/v1/meetings/{code}/calendar.ics"]["get"]["responses"][200]["content"]
    assert "text/plain" in paths["/api/v1/votes/{code}/ballots.txt"]["get"]["responses"][200]["content"]

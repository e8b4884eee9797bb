"""The OpenAPI document matches the routes, and responses match their documented schemas."""
import re

from tests.ballots.sitting import Sitting

PREFIX = "/api/v1"


def documented(client) -> set:
    spec = client.get(f"{PREFIX}/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    return {(path, method) for path, operations in spec["paths"].items() for method in operations}


def routed(app) -> set:
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(PREFIX):])
        found |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_every_route_is_documented_and_nothing_else(app, client):
    routes, docs = routed(app), documented(client)
    assert routes - docs == set(), "routes missing from openapi.json"
    assert docs - routes == set(), "documented operations without a route"


def conforms(value, schema, where="$") -> list[str]:
    """A small JSON-schema check: type, nullable, required, properties, items, enum."""
    if value is None:
        return [] if schema.get("nullable") or not schema.get("type") else [f"{where}: null"]
    kind = schema.get("type")
    types = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool}
    if kind and not isinstance(value, types[kind]) or (kind == "integer" and isinstance(value, bool)):
        return [f"{where}: expected {kind}, got {type(value).__name__}"]
    problems = []
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} not in enum")
    if kind == "object":
        problems += [f"{where}.{key}: missing" for key in schema.get("required", []) if key not in value]
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                problems += conforms(value[key], sub, f"{where}.{key}")
    if kind == "array":
        for index, element in enumerate(value):
            problems += conforms(element, schema.get("items", {}), f"{where}[{index}]")
    return problems


def test_responses_match_their_schemas(client, api, staff):
    spec = client.get(f"{PREFIX}/openapi.json").get_json()

    def check(path, method, response):
        operation = spec["paths"][path][method]
        entry = operation["responses"][str(response.status_code)]
        schema = entry["content"]["application/json"]["schema"]
        assert conforms(response.get_json(), schema) == [], (path, method, response.get_json())

    s = Sitting(api, staff, size=0)
    check("/meetings", "get", api.get(f"{PREFIX}/meetings", s.secretariat))
    imported = api.post(f"{PREFIX}/meetings/{s.mid}/deputies", s.secretariat,
                        json={"deputies": [{"name": f"代表{i}", "number": str(i)} for i in range(3)]})
    check("/meetings/{mid}/deputies", "post", imported)
    s.deputies = imported.get_json()["deputies"]
    bad = api.post(f"{PREFIX}/meetings/{s.mid}/deputies", s.secretariat, json={"deputies": [{"name": "x"}]})
    check("/meetings/{mid}/deputies", "post", bad)
    check("/meetings/{mid}", "get", api.get(f"{PREFIX}/meetings/{s.mid}", s.secretariat))
    check("/meetings/{mid}/deputies", "get", api.get(f"{PREFIX}/meetings/{s.mid}/deputies", s.secretariat))
    check("/meetings/{mid}/checkin", "post", api.post(f"{PREFIX}/meetings/{s.mid}/checkin", s.token(0)))
    s.check_in([1, 2])
    check("/meetings/{mid}/attendance", "get", api.get(f"{PREFIX}/meetings/{s.mid}/attendance", s.secretariat))
    created = api.post(f"{PREFIX}/meetings/{s.mid}/ballots", s.secretariat, json={
        "kind": "selection", "title": "票决", "seats": 1, "items": [{"title": "甲"}, {"title": "乙"}]})
    check("/meetings/{mid}/ballots", "post", created)
    bid = created.get_json()["id"]
    ids = [item["id"] for item in created.get_json()["items"]]
    check("/ballots/{bid}/open", "post", api.post(f"{PREFIX}/ballots/{bid}/open", s.secretariat))
    check("/ballots/{bid}", "get", api.get(f"{PREFIX}/ballots/{bid}", s.token(0)))
    check("/meetings/{mid}/ballots", "get", api.get(f"{PREFIX}/meetings/{s.mid}/ballots", s.token(0)))
    check("/ballots/{bid}/votes", "post", s.vote(0, bid, {ids[0]: "yes"}, key="k"))
    check("/ballots/{bid}/votes", "post", s.vote(0, bid, {ids[0]: "yes"}, key="k"))
    check("/ballots/{bid}/votes", "post", s.vote(0, bid, {ids[0]: "no"}))
    s.vote(1, bid, {ids[1]: "yes"})
    check("/ballots/{bid}/not-voted", "get", api.get(f"{PREFIX}/ballots/{bid}/not-voted", s.secretariat))
    check("/ballots/{bid}/tally", "get", s.tally(bid))
    check("/ballots/{bid}/close", "post", api.post(f"{PREFIX}/ballots/{bid}/close", s.secretariat))
    check("/ballots/{bid}/tally", "get", s.tally(bid))
    check("/ballots/{bid}/publish", "post", api.post(f"{PREFIX}/ballots/{bid}/publish", s.secretariat))
    check("/ballots/{bid}/receipts", "get", api.get(f"{PREFIX}/ballots/{bid}/receipts", s.token(2)))
    check("/ballots/{bid}/runoff", "post", api.post(f"{PREFIX}/ballots/{bid}/runoff", s.secretariat))
    card = api.post(f"{PREFIX}/meetings/{s.mid}/deputies/{s.deputies[2]['id']}/card", s.secretariat)
    check("/meetings/{mid}/deputies/{did}/card", "post", card)
    check("/meetings/{mid}/close", "post", api.post(f"{PREFIX}/meetings/{s.mid}/close", s.secretariat))

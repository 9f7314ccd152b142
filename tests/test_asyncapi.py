"""The AsyncAPI document of the testproject: channels, parameters, payloads, the command
and the URL (validated by the official parser in tests/e2e/test_asyncapi.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from django_realtime.schema import build
from django_realtime.schema.document import _key, _unique
from django_realtime.schema.payloads import to_json_schema

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def testproject_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = "project.urls"  # the suite's own URLconf has odd routes on purpose


def test_every_route_of_the_suite_urlconf_maps() -> None:
    with override_settings(ROOT_URLCONF="tests.urls"):
        document = build()
    assert len(document["channels"]) > 5


def test_one_channel_per_realtime_route_and_one_for_the_endpoint() -> None:
    document = build()
    assert document["asyncapi"] == "3.0.0"
    addresses = {key: channel["address"] for key, channel in document["channels"].items()}
    assert addresses == {
        "endpoint": "/ws/",
        "articleList": "/api/articles/",
        "articleDetail": "/api/articles/{pk}/",
        "commentList": "/api/comments/",
        "commentDetail": "/api/comments/{pk}/",
        "tagList": "/api/tags/",
        "tagDetail": "/api/tags/{pk}/",
    }  # no format-suffix twins, no API root, no token view


def test_path_and_filter_parameters() -> None:
    channels = build()["channels"]
    assert channels["articleDetail"]["parameters"] == {"pk": {"description": "Matches [0-9]+"}}
    query = channels["articleList"]["bindings"]["ws"]["query"]
    assert query["properties"]["status"] == {"enum": ["draft", "published"]}
    assert query["properties"]["page"]["type"] == "integer"  # the paginator's
    assert "bindings" not in channels["articleDetail"]


def test_event_payloads_come_from_the_serializer_through_drf_spectacular() -> None:
    document = build()
    event = document["components"]["messages"]["articleListEvent"]["payload"]
    assert event["properties"]["data"]["anyOf"][0] == {"$ref": "#/components/schemas/Article"}
    article = document["components"]["schemas"]["Article"]
    assert article["properties"]["id"]["type"] == "integer"
    assert article["properties"]["is_mine"]["type"] == "boolean"
    assert article["properties"]["created_at"]["format"] == "date-time"
    page = document["components"]["messages"]["articleListSubscribed"]["payload"]
    assert page["properties"]["data"]["properties"]["results"]["items"] == {
        "$ref": "#/components/schemas/Article"
    }


def test_without_drf_spectacular_a_minimal_mapping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "drf_spectacular.plumbing", None)  # not installed
    document = build()
    assert document["components"]["schemas"] == {}
    event = document["components"]["messages"]["articleDetailEvent"]["payload"]
    article = event["properties"]["data"]["anyOf"][0]
    assert article["properties"]["id"] == {"type": "integer", "readOnly": True}
    assert article["properties"]["status"] == {"enum": ["draft", "published"]}
    assert article["properties"]["tags"] == {"type": "array", "items": {"type": "string"}}
    assert article["properties"]["url"] == {"type": "string", "format": "uri", "readOnly": True}
    assert article["properties"]["created_at"]["format"] == "date-time"
    assert "title" in article["required"]


def test_openapi_nullable_becomes_a_json_schema_null_type() -> None:
    assert to_json_schema({"type": "string", "nullable": True, "example": "x"}) == {
        "type": ["string", "null"],
        "examples": ["x"],
    }
    assert to_json_schema({"allOf": [{"$ref": "#/a"}], "nullable": True}) == {
        "anyOf": [{"allOf": [{"$ref": "#/a"}]}, {"type": "null"}]
    }


def test_the_command_writes_the_document(tmp_path: Path, capsys: Any) -> None:
    output = tmp_path / "asyncapi.json"
    call_command(
        "realtime_asyncapi", "--host", "api.example.com", "--protocol", "wss", "-o", str(output)
    )
    document = json.loads(output.read_text())
    assert document["servers"]["realtime"] == {
        "host": "api.example.com",
        "protocol": "wss",
        "description": "The realtime endpoint; every channel is reached through it.",
    }
    call_command("realtime_asyncapi")
    assert json.loads(capsys.readouterr().out)["channels"].keys() == document["channels"].keys()


def test_served_at_a_url_only_when_enabled() -> None:
    assert Client().get("/realtime/asyncapi.json").status_code == 404
    with override_settings(REALTIME={"ASYNCAPI": True}):
        response = Client().get("/realtime/asyncapi.json", HTTP_HOST="localhost")
    assert response.status_code == 200
    assert response.json()["servers"]["realtime"]["host"] == "localhost"


def test_drf_regex_routes_and_one_router_under_two_prefixes(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.fidelity_urls"  # DRF's own routers: regex routes
    channels = build()["channels"]
    addresses = {key: channel["address"] for key, channel in channels.items()}
    assert addresses["sharedList"] == "/one/articles/"
    assert addresses["sharedList2"] == "/one/v1/articles/"  # not overwritten
    assert addresses["optionalDetail"] == "/fid/optional/{pk}/"  # trailing_slash "/?"
    assert addresses["actionsTitled"] == "/fid/actions/titled/{title}/"  # @action(realtime)
    assert channels["pathvDetail"]["parameters"] == {
        "version": {"description": "Matches [^/]+"},
        "pk": {"description": "Matches [^/.]+"},
    }


def test_channel_keys_for_any_route_name() -> None:
    assert _key("article-list") == "articleList"
    assert _key("статьи") == "route"  # no ASCII letter or digit
    assert _unique("endpoint", {"endpoint": {}}) == "endpoint2"


def test_openapi_exclusive_bounds_become_json_schema_numbers() -> None:
    assert to_json_schema({"type": "number", "maximum": 100, "exclusiveMaximum": True}) == {
        "type": "number",
        "exclusiveMaximum": 100,
    }
    assert to_json_schema({"minimum": 0, "exclusiveMinimum": False}) == {"minimum": 0}

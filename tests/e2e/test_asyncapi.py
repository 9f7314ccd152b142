"""The testproject's AsyncAPI document: valid for the official parser, and the frames a
running server sends validate against its message schemas."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from tests.client import SocketClient
from tests.e2e.node import JS, node, node_modules
from tests.e2e.servers import deployment
from tests.services import require

pytestmark = [pytest.mark.e2e, pytest.mark.clients]

DOCUMENT = "urn:realtime:asyncapi"


def validator(document: dict[str, Any], message: str) -> jsonschema.Draft7Validator:
    """A validator of message ``message``'s payload, resolving the document's $refs."""
    registry: Registry = Registry().with_resource(
        DOCUMENT, Resource.from_contents(document, default_specification=DRAFT7)
    )
    schema = {"$ref": f"{DOCUMENT}#/components/messages/{message}/payload"}
    return jsonschema.Draft7Validator(schema, registry=registry)


def parse(document: Path) -> str:
    """What the official parser (@asyncapi/parser) says of ``document``; it must be valid."""
    parsed = subprocess.run(
        [*node(), "validate-asyncapi.mjs", str(document)],
        cwd=JS, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr
    return parsed.stdout


def message_of(frame: dict[str, Any], channels: dict[str, str]) -> str:
    """The document's message for a frame; ``channels``: subscription id -> channel key."""
    kind = frame["type"]
    if kind in ("subscribed", "event", "reset") and frame["id"] in channels:
        return channels[frame["id"]] + kind.capitalize()
    return {"auth": "authReply"}.get(kind, kind)


def test_the_document_is_valid_and_real_frames_match_it(tmp_path: Path) -> None:
    require("postgres")
    node_modules()
    with deployment("inmemory", "postgres") as deployed:
        output = tmp_path / "asyncapi.json"
        deployed.manage("realtime_asyncapi", "-o", str(output))
        assert "valid: AsyncAPI 3.0.0, 7 channels" in parse(output)
        document = json.loads(output.read_text())

        server = deployed.start("uvicorn")
        token = deployed.tokens["alice"]
        frames = asyncio.run(capture(server.ws, server.http, token))

    channels = {"list": "articleList", "one": "articleDetail", "again": "articleList"}
    kinds = set()
    for frame in frames:
        name = message_of(frame, channels)
        errors = list(validator(document, name).iter_errors(frame))
        assert not errors, f"{name}: {frame}: {[error.message for error in errors]}"
        kinds.add(frame["type"] if frame["type"] != "event" else frame["event"])
    assert kinds >= {
        "auth", "subscribed", "created", "updated", "deleted", "reset", "unsubscribed", "pong",
        "error",
    }  # fmt: skip
    # The schemas do check: a frame that breaks the contract does not validate.
    event = next(frame for frame in frames if frame.get("event") == "updated")
    assert list(validator(document, "articleListEvent").iter_errors({**event, "pk": None}))
    broken = {**event, "data": {**event["data"], "id": "seven"}}
    assert list(validator(document, "articleListEvent").iter_errors(broken))


async def capture(ws: str, http: str, token: str) -> list[dict[str, Any]]:
    """Every kind of frame, from a real server."""
    frames: list[dict[str, Any]] = []
    client = await SocketClient.connect(ws)
    headers = {"Authorization": f"Token {token}"}
    async with httpx.AsyncClient(base_url=http, headers=headers) as rest:

        async def expect(kind: str, **fields: Any) -> dict[str, Any]:
            frame = await client.expect(kind, 10, **fields)
            frames.append(frame)
            return frame

        await client.send(type="auth", authorization=f"Token {token}")
        await expect("auth")
        await client.send(type="subscribe", id="list", path="/api/articles/", snapshot=True)
        await expect("subscribed", id="list")
        created = (
            await rest.post("/api/articles/", json={"title": "t", "status": "draft"})
        ).json()
        await expect("event", event="created")
        await client.send(
            type="subscribe", id="one", path=f"/api/articles/{created['id']}/", snapshot=True
        )
        await expect("subscribed", id="one")
        await rest.patch(f"/api/articles/{created['id']}/", json={"title": "u"})
        for _ in range(2):
            await expect("event", event="updated")
        await rest.delete(f"/api/articles/{created['id']}/")
        gone = [await client.receive(10) for _ in range(3)]  # in no set order between ids
        frames += gone
        assert sorted(frame["type"] for frame in gone) == ["event", "event", "unsubscribed"]
        await client.send(type="subscribe", id="again", path="/api/articles/", since="nope-1")
        await expect("reset", id="again")
        await client.send(type="ping", data={"n": 1})
        await expect("pong")
        await client.send(type="unsubscribe", id="missing")
        await expect("error", code="unknown_subscription")
        await client.send(type="unsubscribe", id="list")
        await expect("unsubscribed", reason="client")
    await client.close()
    return frames


def test_a_document_of_drf_routers_versioning_and_actions_parses(
    tmp_path: Path, settings: Any
) -> None:
    """The suite's URLconf: DRF's regex routers, one router under two prefixes, every
    versioning scheme, realtime @actions, cursor pagination, lighter list serializers."""
    from django_realtime.schema import build

    node_modules()
    settings.ROOT_URLCONF = "tests.fidelity_urls"
    output = tmp_path / "asyncapi.json"
    output.write_text(json.dumps(build()))
    assert "valid: AsyncAPI 3.0.0, 58 channels" in parse(output)

"""A site mounted below the root (FORCE_SCRIPT_NAME, or the ASGI server's root path):
subscribers use the paths they GET, and events carry the URLs a GET there shows."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import HttpCommunicator
from django.urls import set_script_prefix

from django_realtime.subscriptions.errors import SubscriptionError
from django_realtime.subscriptions.target import resolve_target
from tests.client import application
from tests.test_realtime_events import make_article

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("inmemory_layer")]


@pytest.fixture(params=["FORCE_SCRIPT_NAME", "FORCE_SCRIPT_NAME, prefix kept", "root_path"])
async def mounted(request: Any, settings: Any) -> AsyncIterator[dict[str, str]]:
    """How the client connects to a site mounted at /app (a proxy in front may strip the
    prefix from the websocket's path or keep it)."""
    if request.param.startswith("FORCE_SCRIPT_NAME"):
        settings.FORCE_SCRIPT_NAME = "/app"
        yield {"path": "/app/ws/"} if "kept" in request.param else {}
    else:
        yield {"path": "/app/ws/", "root_path": "/app"}
    # The test client's requests below /app set the script prefix of asgiref's shared
    # thread, where later tests' requests run: put it back.
    await sync_to_async(set_script_prefix)("/")


async def get_there(path: str) -> dict[str, Any]:
    """What a GET of ``path`` answers on an ASGI server that mounts the site at /app (as
    ``uvicorn --root-path /app`` does; FORCE_SCRIPT_NAME, when set, wins in Django)."""
    communicator = HttpCommunicator(application(), "GET", path, headers=[(b"host", b"testserver")])
    communicator.scope["root_path"] = "/app"
    response = await communicator.get_response()
    await communicator.send_input({"type": "http.disconnect"})  # Django's handler ends
    await communicator.wait()
    assert response["status"] == 200, response["body"]
    return dict(json.loads(response["body"]))


async def test_list_and_detail_events_carry_the_mounted_urls(
    connect: Any, api: Any, mounted: dict[str, str]
) -> None:
    client = await connect(**mounted)
    subscribed = await client.subscribe("feed", "/app/api/articles/?status=published")
    assert subscribed["path"] == "/app/api/articles/?status=published"

    article = await make_article(api, "alice", title="Mounted", status="published")
    path = f"/app/api/articles/{article['id']}/"
    created = await client.expect("event", id="feed", event="created", pk=article["id"])
    assert created["path"] == path
    body = await get_there(path)
    assert body["url"] == f"http://testserver{path}"
    assert created["data"] == body

    await client.subscribe("one", path)
    await api("alice").patch(f"/api/articles/{article['id']}/", {"title": "Moved"})
    events = {(await client.expect("event", event="updated"))["id"] for _ in range(2)}
    assert events == {"feed", "one"}


async def test_detail_event_path_and_data_below_the_mount(
    connect: Any, api: Any, mounted: dict[str, str]
) -> None:
    article = await make_article(api, "alice", status="published")
    path = f"/app/api/articles/{article['id']}/"
    client = await connect(**mounted)
    await client.subscribe("one", path)
    await api("alice").patch(f"/api/articles/{article['id']}/", {"body": "more"})
    event = await client.expect("event", id="one", event="updated", path=path)
    assert event["data"] == await get_there(path)
    await api("alice").delete(f"/api/articles/{article['id']}/")
    await client.expect("event", id="one", event="deleted", path=path, data=None)


async def test_a_path_outside_the_mount_is_not_found_and_says_where_it_is(
    connect: Any, mounted: dict[str, str]
) -> None:
    client = await connect(**mounted)
    await client.send(type="subscribe", id="bare", path="/api/articles/")
    error = await client.expect("error", id="bare", code="not_found", status=404)
    assert "mounted at '/app'" in str(error), error
    await client.subscribe("there", "/app/api/articles/")  # the connection goes on


@pytest.mark.parametrize("path", ["/ws/", "/w/ws/"])
async def test_the_endpoint_below_a_mount_that_is_a_prefix_of_it(
    connect: Any, settings: Any, path: str
) -> None:
    # Mounted at /w, the endpoint /ws/ is reached with the mount in front or without it
    # (a proxy that strips it): "/w" in "/ws/" is not the mount.
    settings.FORCE_SCRIPT_NAME = "/w"
    client = await connect(path=path)
    await client.subscribe("s", "/w/api/articles/")


def test_resolve_target_strips_the_script_name_and_keys_on_it() -> None:
    mounted = resolve_target("/app/api/articles/?status=published", "/app")
    assert (mounted.path, mounted.full_path) == ("/api/articles/", "/app/api/articles/")
    root = resolve_target("/api/articles/?status=published")
    assert root.full_path == "/api/articles/"
    assert mounted.key != root.key  # their hyperlinks differ: never one audience
    with pytest.raises(SubscriptionError) as exc:
        resolve_target("/application/api/articles/", "/app")
    assert exc.value.code == "not_found"

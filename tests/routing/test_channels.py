"""WebsocketRouter: the websocket routes of a URLconf, as an ASGI application."""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.test import override_settings

from django_realtime.protocol.consumer import RealtimeConsumer
from routing.channels import WebsocketRouter
from routing.resolver import websocket_resolver

URLCONF = "tests.routing.urls"


async def connect(
    target: str, urlconf: str | None = URLCONF, **scope: Any
) -> tuple[bool, Any, Any]:
    communicator = WebsocketCommunicator(WebsocketRouter(urlconf), target)
    communicator.scope.update(scope)
    connected, code = await communicator.connect()
    message = await communicator.receive_output()
    if message["type"] == "websocket.close":  # accepted only to be closed with a code
        connected, code, message = False, message["code"], None
    else:
        message = json.loads(message["text"])
    await communicator.disconnect()
    return connected, code, message


@pytest.mark.parametrize(
    ("path", "kwargs"),
    [
        ("/ws/rooms/7/", {"room": "7"}),
        ("/ws/echo/", {"mode": "plain"}),
    ],
)
async def test_routes_to_the_matching_application(path: str, kwargs: dict[str, str]) -> None:
    connected, _, message = await connect(path)
    assert connected
    assert message == {"args": [], "kwargs": kwargs, "path_remaining": ""}


@pytest.mark.parametrize(
    ("path", "args", "kwargs"),
    [
        ("/ws/old/lobby/", [], {"room": "lobby"}),  # named groups: kwargs, as Channels
        ("/ws/numbered/3/14/", ["3", "14"], {}),  # unnamed groups only: args
    ],
)
async def test_re_path_routes_as_channels_has_them(
    path: str, args: list[str], kwargs: dict[str, str]
) -> None:
    urlconf = "tests.routing.ws_regex_urls"
    connected, _, message = await connect(path, urlconf)
    assert connected
    assert message == {"args": args, "kwargs": kwargs, "path_remaining": ""}
    other = path.replace("lobby", "LOBBY").replace("3", "x")
    assert (await connect(other, urlconf))[:2] == (False, 4404)


@pytest.mark.parametrize(
    ("path", "kwargs"),
    [
        ("/ws/groups/5/room/blue/", {"group": "5", "name": "blue"}),
        ("/ws/plain/room/red/", {"name": "red"}),
    ],
)
async def test_a_mounted_application_routes_the_rest_itself(
    path: str, kwargs: dict[str, str]
) -> None:
    urlconf = "tests.routing.ws_mount_urls"
    connected, _, message = await connect(path, urlconf)
    assert connected
    assert message["kwargs"] == kwargs
    assert (await connect("/ws/groups/0/room/blue/", urlconf))[:2] == (False, 4404)


@pytest.mark.parametrize("path", ["/ws/nope/", "/", "/articles/", "/ws/rooms/x/", "/ws/rooms/7"])
async def test_unknown_paths_close_with_4404(path: str) -> None:
    assert await connect(path) == (False, 4404, None)


async def test_every_leading_slash_is_stripped_like_channels_urlrouter() -> None:
    connected, _, message = await connect("/x/", path="//ws/echo/")
    assert connected
    assert message["kwargs"] == {"mode": "plain"}


async def test_root_path_is_stripped_first() -> None:
    connected, _, message = await connect("/app/ws/rooms/1/", root_path="/app")
    assert connected
    assert message["kwargs"] == {"room": "1"}
    assert await connect("/other/ws/rooms/1/", root_path="/app") == (False, 4404, None)


async def test_root_path_is_stripped_only_as_whole_segments() -> None:
    # "/ws" is not in front of "/wsws/rooms/1/", although "ws/rooms/1/" would resolve.
    assert await connect("/wsws/rooms/1/", root_path="/ws") == (False, 4404, None)


@override_settings(FORCE_SCRIPT_NAME="/app/")
@pytest.mark.parametrize("path", ["/app/ws/rooms/1/", "/ws/rooms/1/"])
async def test_force_script_name_is_stripped_when_present(path: str) -> None:
    # As Django's ASGIRequest finds path_info: behind a proxy that keeps the prefix or not.
    connected, _, message = await connect(path)
    assert connected
    assert message["kwargs"] == {"room": "1"}


@override_settings(FORCE_SCRIPT_NAME="/w")
async def test_force_script_name_is_stripped_only_as_whole_segments() -> None:
    # "/w" is not in front of "/ws/rooms/1/": that path is below the root as it stands.
    connected, _, message = await connect("/ws/rooms/1/")
    assert connected
    assert message["kwargs"] == {"room": "1"}


async def test_outer_url_route_is_kept() -> None:
    outer = {"args": (), "kwargs": {"tenant": "acme"}}
    connected, _, message = await connect("/ws/rooms/2/", url_route=outer)
    assert connected
    assert message["kwargs"] == {"tenant": "acme", "room": "2"}


async def test_plain_django_urlconfs_and_root_urlconf() -> None:
    connected, _, message = await connect("/live/3/feed/", "tests.routing.plain_urls")
    assert connected
    assert message["kwargs"] == {"n": "3"}
    with override_settings(ROOT_URLCONF=URLCONF):
        connected, _, _ = await connect("/ws/echo/", urlconf=None)
    assert connected


async def test_only_websocket_scopes() -> None:
    router = WebsocketRouter(URLCONF)
    message = (
        "WebsocketRouter routes websocket connections, but got a 'http' scope; put it under "
        "the 'websocket' key of a ProtocolTypeRouter."
    )
    with pytest.raises(ValueError, match=f"^{message}$"):
        await router({"type": "http", "path": "/"}, None, None)  # type: ignore[arg-type]


def test_the_testproject_routes_its_realtime_endpoint() -> None:
    match = websocket_resolver("project.urls").resolve_websocket("ws/")
    assert match.func.consumer_class is RealtimeConsumer  # type: ignore[attr-defined]
    assert match.url_name == "realtime"

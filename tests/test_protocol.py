"""Frames, error codes and abuse handling of the realtime endpoint (PROTOCOL.md)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client as HttpClient

from articles.models import Article
from django_realtime import writes
from django_realtime.stats import counters
from django_realtime.subscriptions import engine as engine_module
from django_realtime.subscriptions.engine import get_engine
from tests.client import Client, application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("inmemory_layer")]


@pytest.mark.parametrize(
    ("raw", "code", "detail"),
    [
        (
            "not json",
            "parse_error",
            "Frame is not valid JSON: Expecting value: line 1 column 1 (char 0).",
        ),
        ("[1, 2]", "parse_error", "Frame must be a JSON object, not an array."),
        ('"text"', "parse_error", "Frame must be a JSON object, not a string."),
        (
            "{}",
            "invalid_message",
            'Frame needs a string "type" (auth, subscribe, unsubscribe or ping); got null.',
        ),
        (
            '{"type": 7}',
            "invalid_message",
            'Frame needs a string "type" (auth, subscribe, unsubscribe or ping); got a number.',
        ),
        (
            '{"type": "dance"}',
            "invalid_message",
            "Unknown frame type 'dance'; expected auth, subscribe, unsubscribe or ping.",
        ),
        (
            '{"type": "subscribe", "path": "/api/articles/"}',
            "invalid_message",
            "'subscribe' frame needs the field \"id\".",
        ),
        (
            '{"type": "subscribe", "id": 5, "path": "/api/articles/"}',
            "invalid_message",
            '"id" must be a string, not a number.',
        ),
        (
            '{"type": "subscribe", "id": "", "path": "/api/articles/"}',
            "invalid_message",
            '"id" must be 1 to 64 characters long; got 0.',
        ),
        (
            '{"type": "subscribe", "id": "' + "x" * 65 + '", "path": "/a/"}',
            "invalid_message",
            '"id" must be 1 to 64 characters long; got 65.',
        ),
        (
            '{"type": "subscribe", "id": "a"}',
            "invalid_message",
            "'subscribe' frame needs the field \"path\".",
        ),
        (
            '{"type": "subscribe", "id": "a", "path": ["/"]}',
            "invalid_message",
            '"path" must be a string, not an array.',
        ),
        (
            '{"type": "subscribe", "id": "a", "path": "/x/", "snapshot": "yes"}',
            "invalid_message",
            '"snapshot" must be a boolean, not a string.',
        ),
        (
            '{"type": "subscribe", "id": "a", "path": "/x/", "since": 12}',
            "invalid_message",
            '"since" must be a string, not a number.',
        ),
        (
            '{"type": "subscribe", "id": "a", "path": "api/articles/"}',
            "invalid_message",
            "path must be an absolute path with an optional query string, like '/api/articles/?status=published'; got 'api/articles/'.",
        ),
        (
            '{"type": "unsubscribe"}',
            "invalid_message",
            "'unsubscribe' frame needs the field \"id\".",
        ),
        (
            '{"type": "auth", "authorization": null}',
            "invalid_message",
            '"authorization" must be a string, not null.',
        ),
        (
            '{"type": "auth", "authorization": 1}',
            "invalid_message",
            '"authorization" must be a string, not a number.',
        ),
        ("[" * 5000, "parse_error", "Frame is not valid JSON: it nests too deeply."),
        (
            '{"type": "ping", "data": 1e999}',
            "parse_error",
            "Frame is not valid JSON: 1e999 is too large for a number here.",
        ),
        (
            '{"type": "ping", "data": NaN}',
            "parse_error",
            "Frame is not valid JSON: NaN is not a JSON number.",
        ),
        (
            '{"type": "ping", "data": "\\ud800"}',
            "parse_error",
            "Frame is not valid JSON text: it escapes a lone surrogate (\\ud800-\\udfff).",
        ),
        (
            '{"type": "auth", "authorization": "Token \u20ac"}',
            "invalid_message",
            '"authorization" must be an HTTP header value: Latin-1 characters only.',
        ),
        (
            '{"type": "subscribe", "id": "a", "path": "//["}',
            "invalid_message",
            "path must be an absolute path with an optional query string, like '/api/articles/?status=published'; got '//['.",
        ),
    ],
)
async def test_malformed_frames_get_an_error_and_the_connection_keeps_working(
    connect: Any, raw: str, code: str, detail: str
) -> None:
    client = await connect()
    await client.send_raw(raw)
    error = await client.expect("error", code=code, detail=detail)
    frame = json.loads(raw) if code != "parse_error" else None
    expected_id = (
        frame.get("id") if isinstance(frame, dict) and isinstance(frame.get("id"), str) else None
    )
    assert error["id"] == expected_id
    await client.send(type="ping", data={"still": "here"})
    await client.expect("pong", data={"still": "here"})


async def test_binary_frames_are_refused(connect: Any) -> None:
    client = await connect()
    await client.send_raw(data=b'{"type": "ping"}')
    await client.expect("error", id=None, code="parse_error")
    await client.send(type="ping")
    pong = await client.expect("pong")
    assert "data" not in pong


@pytest.mark.parametrize(
    ("path", "advice"),
    [
        ("/test/no-realtime/", "Add django_realtime.RealtimeMixin to its bases."),
        ("/api/", "not a DRF generic view or viewset of a model"),  # DefaultRouter's root
        ("/test/plain/", "not a DRF generic view or viewset of a model"),
    ],
)
async def test_not_realtime_says_what_can_be_done(connect: Any, path: str, advice: str) -> None:
    client = await connect()
    await client.send(type="subscribe", id="x", path=path)
    error = await client.expect("error", id="x", code="not_realtime")
    assert advice in error["detail"]
    if "generic" in advice:
        assert "RealtimeMixin to its bases" not in error["detail"]


async def test_ping_echoes_any_json(connect: Any) -> None:
    client = await connect()
    await client.send(type="ping", data=None)
    await client.expect("pong", data=None)


@pytest.mark.parametrize(
    ("path", "code", "status", "who", "get_status"),
    [
        ("/nowhere/", "not_found", 404, None, 404),
        ("/api/articles/999999/", "not_found", 404, None, 404),
        # Views that answer GETs but offer no realtime: the protocol's 405.
        ("/test/plain/", "not_realtime", 405, None, 200),
        ("/api/", "not_realtime", 405, None, 200),  # DefaultRouter's API root
        ("/test/post-only/", "not_realtime", 405, None, 405),
        ("/test/private/", "not_authenticated", 401, None, 401),
        ("/test/staff/", "permission_denied", 403, "bob", 403),
        ("/api/articles/?status=archived", "bad_request", 400, None, 400),
    ],
)
async def test_subscription_errors_are_those_of_the_get(
    connect: Any,
    api: Any,
    tokens: dict[str, str],
    path: str,
    code: str,
    status: int,
    who: str | None,
    get_status: int,
) -> None:
    client = await connect()
    if who:
        await client.auth(tokens[who])
    await client.send(type="subscribe", id="x", path=path)
    error = await client.expect("error", id="x", code=code, status=status)
    response = await api(who).get(path)
    assert response.status_code == get_status
    data = getattr(response, "data", None)  # a plain Django 404 has none
    if code != "not_realtime" and isinstance(data, dict) and set(data) == {"detail"}:
        assert error["detail"] == str(data["detail"])


async def test_a_throttled_get_is_a_throttled_subscription(
    connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "articles", "2/min")
    client = await connect()
    await client.subscribe("a", "/api/articles/")
    await client.subscribe("b", "/api/articles/?status=draft")
    await client.send(type="subscribe", id="c", path="/api/articles/?status=published")
    error = await client.expect("error", id="c", code="throttled", status=429)
    assert error["detail"].startswith("Request was throttled.")


async def test_auth_with_a_bad_token(connect: Any) -> None:
    client = await connect()
    await client.send(type="auth", authorization="Token nope")
    await client.expect(
        "error", id=None, code="not_authenticated", status=401, detail="Invalid token."
    )


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "session"])
async def test_an_auth_value_that_no_class_reads_is_refused(
    connect: Any, tokens: dict[str, str], users: dict[str, Any], logged_in: bool
) -> None:
    cookie = None
    if logged_in:
        http = HttpClient()
        await sync_to_async(http.force_login)(users["bob"])
        cookie = f"sessionid={http.cookies['sessionid'].value}"
    client = await connect(cookie=cookie)
    await client.send(type="auth", authorization=tokens["alice"])  # without "Token "
    error = await client.expect("error", id=None, code="not_authenticated", status=401)
    assert "'Token <credentials>'" in error["detail"]
    # Nothing changed: the same value with its keyword is alice's.
    await client.send(type="auth", authorization=f"Token {tokens['alice']}")
    await client.expect("auth", ok=True, user="alice")


async def test_an_auth_frame_is_read_by_the_header_classes_whatever_their_order(
    connect: Any, tokens: dict[str, str], users: dict[str, Any], settings: Any
) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "rest_framework.authentication.SessionAuthentication",
            "rest_framework.authentication.TokenAuthentication",
        ],
    }
    http = HttpClient()
    await sync_to_async(http.force_login)(users["bob"])
    client = await connect(cookie=f"sessionid={http.cookies['sessionid'].value}")
    await client.send(type="auth", authorization=f"Token {tokens['alice']}")
    await client.expect("auth", ok=True, user="alice")


async def test_duplicate_and_unknown_ids(connect: Any) -> None:
    client = await connect()
    await client.subscribe("a", "/api/articles/")
    await client.send(type="subscribe", id="a", path="/api/comments/")
    await client.expect("error", id="a", code="duplicate_id")
    await client.send(type="unsubscribe", id="zzz")
    await client.expect("error", id="zzz", code="unknown_subscription")
    await client.send(type="unsubscribe", id="a")
    await client.expect("unsubscribed", id="a", reason="client")
    await client.subscribe("a", "/api/comments/")


async def test_too_many_subscriptions(connect: Any, settings: Any) -> None:
    settings.REALTIME = {"MAX_SUBSCRIPTIONS": 2}
    client = await connect()
    await client.subscribe("a", "/api/articles/")
    await client.subscribe("b", "/api/comments/")
    await client.send(type="subscribe", id="c", path="/api/articles/?status=draft")
    await client.expect("error", id="c", code="too_many_subscriptions")
    await client.send(type="unsubscribe", id="a")
    await client.expect("unsubscribed", id="a")
    await client.subscribe("c", "/api/articles/?status=draft")


async def test_an_oversized_frame_closes_with_4413(connect: Any, settings: Any) -> None:
    settings.REALTIME = {"MAX_FRAME_BYTES": 100}
    client = await connect()
    await client.send(type="ping", data="x" * 200)
    await client.expect("error", code="frame_too_large")
    closed = await client.communicator.receive_output(timeout=2)
    assert closed == {"type": "websocket.close", "code": 4413}


async def test_a_flood_is_throttled_then_closed_with_4429(connect: Any, settings: Any) -> None:
    settings.REALTIME = {"RECEIVE_RATE": 1.0, "RECEIVE_BURST": 3}
    client = await connect()
    for _ in range(3):
        await client.send(type="ping")
        await client.expect("pong")
    await client.send(type="ping")
    await client.expect("error", code="throttled")
    for _ in range(3):
        await client.send(type="ping")
    codes = [(await client.receive())["code"] for _ in range(3)]
    assert codes == ["throttled", "throttled", "throttled"]
    closed = await client.communicator.receive_output(timeout=2)
    assert closed == {"type": "websocket.close", "code": 4429}


async def test_a_foreign_origin_is_refused(realtime: None) -> None:
    communicator = WebsocketCommunicator(
        application(),
        "/ws/",
        headers=[(b"origin", b"http://evil.example"), (b"host", b"testserver")],
    )
    connected, _ = await communicator.connect(timeout=5)
    assert not connected
    await communicator.disconnect()


@pytest.mark.parametrize(
    ("origin", "host", "trusted", "accepted"),
    [
        ("http://testserver", "testserver", [], True),  # the site itself
        (None, "testserver", [], True),  # no browser: no cookies of a user's to abuse
        ("http://testserver:8001", "testserver", [], False),  # an allowed host, another port
        ("https://testserver", "testserver", [], False),  # another scheme (this is ws://)
        ("http://evil.example", "evil.example", [], False),  # the same, but no allowed host
        ("null", "testserver", [], False),  # a sandboxed page
        ("https://app.example.com", "testserver", ["https://app.example.com"], True),
        ("https://a.example.com", "testserver", ["https://*.example.com"], True),
        ("http://a.example.com", "testserver", ["https://*.example.com"], False),
    ],
)
async def test_the_origin_policy_is_djangos_csrf_policy(
    realtime: None,
    settings: Any,
    origin: str | None,
    host: str,
    trusted: list[str],
    accepted: bool,
) -> None:
    settings.CSRF_TRUSTED_ORIGINS = trusted
    headers = [(b"host", host.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    communicator = WebsocketCommunicator(application(), "/ws/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected is accepted
    await communicator.disconnect()


async def test_an_unknown_websocket_path_closes_with_4404(realtime: None) -> None:
    communicator = WebsocketCommunicator(
        application(),
        "/elsewhere/",
        headers=[(b"origin", b"http://testserver"), (b"host", b"testserver")],
    )
    connected, _ = await communicator.connect(timeout=5)
    assert connected  # to be closed with a code: a refused handshake would carry none
    closed = await communicator.receive_output(timeout=5)
    assert closed["code"] == 4404


async def test_a_misconfigured_server_closes_with_4500(realtime: None, settings: Any) -> None:
    settings.REALTIME = {"CHANNEL_LAYER": "missing"}
    closed = await Client.refusal()
    assert closed["code"] == 4500
    assert "misconfigured" in closed["reason"]


async def test_snapshot_is_the_get_body(connect: Any, api: Any) -> None:
    created = await api("alice").post("/api/articles/", {"title": "x", "status": "published"})
    client = await connect()
    await client.send(
        type="subscribe", id="s", path="/api/articles/?status=published", snapshot=True
    )
    subscribed = await client.expect("subscribed", id="s")
    body = (await api(None).get("/api/articles/?status=published")).json()
    assert subscribed["data"] == body
    assert body["results"][0]["id"] == created.json()["id"]


async def test_since_from_elsewhere_is_answered_with_reset(connect: Any) -> None:
    client = await connect()
    await client.send(type="subscribe", id="s", path="/api/articles/", since="0000-12")
    reset = await client.expect("reset", id="s", reason="unknown_cursor")
    assert reset["cursor"]


async def test_a_view_that_raises_is_a_server_error_and_nothing_else_breaks(
    connect: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client = await connect()
    await client.send(type="subscribe", id="b", path="/test/broken/")
    await client.expect(
        "error",
        id="b",
        code="server_error",
        status=500,
        detail="The server failed to answer this GET.",
    )
    assert "a bug in get_queryset" in caplog.text
    await client.subscribe("fine", "/api/articles/")


async def test_a_list_too_large_to_follow(connect: Any, api: Any, settings: Any) -> None:
    settings.REALTIME = {"MAX_LIST_SIZE": 2}
    for title in "abc":
        await api("alice").post("/api/articles/", {"title": title, "status": "published"})
    client = await connect()
    await client.send(type="subscribe", id="all", path="/api/articles/?status=published")
    error = await client.expect("error", id="all", code="list_too_large")
    assert "covers more than 2 objects" in error["detail"]
    await client.subscribe("some", "/api/articles/?status=draft")


async def test_without_any_ring_changes_arrive_by_the_poll(
    connect: Any, api: Any, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """The channel layer only rings: with every ring lost, the engine's poll of the log
    still delivers each change (how soon is the lost wake-up benchmark's to measure)."""
    settings.REALTIME = {"POLL_INTERVAL": 0.3}
    monkeypatch.setattr(writes, "ring_soon", lambda: None)
    client = await connect()
    await client.subscribe("feed", "/api/articles/")
    rings = counters.rings_in
    for title in ("one", "two"):
        article = await api("alice").post(
            "/api/articles/", {"title": title, "status": "published"}
        )
        await client.expect("event", id="feed", event="created", pk=article.json()["id"])
    assert counters.rings_in == rings


async def test_a_backlog_longer_than_one_read_arrives_at_one_ring(
    connect: Any, users: dict[str, User], monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """One ring follows the log until it has read all that had committed, a read at a time,
    not until the next poll."""
    settings.REALTIME = {"POLL_INTERVAL": 60}
    monkeypatch.setattr(engine_module, "BATCH", 2)
    client = await connect()
    await client.subscribe("feed", "/api/articles/")
    rings = counters.rings_out

    @sync_to_async
    def create_five() -> list[int]:
        author = users["alice"]
        with transaction.atomic():  # five entries, one commit, one ring
            return [
                Article.objects.create(title=f"a{i}", status="published", author=author).pk
                for i in range(5)
            ]

    pks = await create_five()
    for pk in pks:
        await client.expect("event", id="feed", event="created", pk=pk)
    assert counters.rings_out == rings + 1


async def test_a_frame_whose_handling_fails_is_a_server_error_and_the_connection_lives(
    connect: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    client = await connect()

    async def broken(credentials: Any) -> None:
        raise RuntimeError("a bug in authentication")

    monkeypatch.setattr(get_engine(), "authenticate", broken)
    await client.send(type="auth", authorization="Token abc")
    await client.expect(
        "error", id=None, code="server_error", detail="The server failed to handle this frame."
    )
    assert "a bug in authentication" in caplog.text
    await client.subscribe("fine", "/api/articles/")


async def test_a_frame_larger_than_the_buffer_reaches_a_client_that_keeps_up(
    connect: Any, api: Any, settings: Any
) -> None:
    settings.REALTIME = {"MAX_BUFFERED_BYTES": 4096}
    for body in ("a" * 1500, "b" * 1500, "c" * 1500):
        created = await api("alice").post(
            "/api/articles/", {"title": "t", "body": body, "status": "published"}
        )
        assert created.status_code == 201
    client = await connect()
    subscribed = await client.subscribe("s", "/api/articles/?status=published", snapshot=True)
    assert len(json.dumps(subscribed)) > 4096
    assert subscribed["data"]["count"] == 3
    article = await api("alice").post("/api/articles/", {"title": "d", "status": "published"})
    await client.expect("event", id="s", event="created")
    await api("alice").patch(f"/api/articles/{article.json()['id']}/", {"body": "x" * 5000})
    updated = await client.expect("event", id="s", event="updated")
    assert updated["data"]["body"] == "x" * 5000

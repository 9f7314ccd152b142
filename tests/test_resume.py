"""Resume with ``since``: replay what was missed, or say ``reset``; never skip silently."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from django_realtime.log import prune
from django_realtime.stats import counters
from django_realtime.subscriptions.engine import close_engine, get_engine
from tests.client import until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("layer")]


async def test_a_client_that_comes_back_gets_what_it_missed(connect: Any, api: Any) -> None:
    observer = await connect()  # stays, and tells when the server has seen the changes
    await observer.subscribe("feed", "/api/articles/?status=published")
    client = await connect()
    await client.subscribe("feed", "/api/articles/?status=published")
    first = (
        await api("alice").post("/api/articles/", {"title": "1", "status": "published"})
    ).json()
    seen = await client.expect("event", event="created", pk=first["id"])
    await observer.expect("event")
    await client.close()

    second = (
        await api("alice").post("/api/articles/", {"title": "2", "status": "published"})
    ).json()
    await api("alice").patch(f"/api/articles/{first['id']}/", {"title": "1 again"})
    await api("alice").post("/api/articles/", {"title": "draft, never visible"})
    for _ in range(2):  # so what follows is a replay from history, not live delivery
        await observer.expect("event")

    again = await connect()
    await again.send(
        type="subscribe", id="feed", path="/api/articles/?status=published", since=seen["cursor"]
    )
    await again.expect("subscribed", id="feed", cursor=seen["cursor"])
    replayed = [await again.expect("event") for _ in range(2)]
    assert [(e["event"], e["pk"]) for e in replayed] == [
        ("created", second["id"]),
        ("updated", first["id"]),
    ]
    assert replayed[1]["data"]["title"] == "1 again"
    assert replayed[0]["cursor"] != replayed[1]["cursor"]
    await again.silent()
    # ... and it is live again, without a gap.
    third = (await api("bob").post("/api/articles/", {"title": "3", "status": "published"})).json()
    await again.expect("event", event="created", pk=third["id"])


async def post(api: Any, user: str, **fields: Any) -> dict[str, Any]:
    response = await api(user).post("/api/articles/", {"title": "t", **fields})
    assert response.status_code == 201, response.content
    return dict(response.json())


async def test_more_than_the_history_holds_is_replayed_from_the_log(
    connect: Any, api: Any, settings: Any
) -> None:
    settings.REALTIME = {"HISTORY_SIZE": 2}
    observer = await connect()  # stays, and tells when the server has seen the changes
    await observer.subscribe("feed", "/api/articles/")
    client = await connect()
    await client.subscribe("feed", "/api/articles/")
    first = await post(api, "alice", title="1", status="published")
    seen = await client.expect("event", pk=first["id"])
    await observer.expect("event")
    await client.close()
    missed = [await post(api, "alice", title=t, status="published") for t in "234"]
    await api("alice").patch(f"/api/articles/{first['id']}/", {"title": "1 again"})
    for _ in range(4):
        await observer.expect("event")

    again = await connect()
    await again.send(type="subscribe", id="feed", path="/api/articles/", since=seen["cursor"])
    await again.expect("subscribed", id="feed", cursor=seen["cursor"])
    replayed = [await again.expect("event", id="feed") for _ in range(4)]
    assert [(e["event"], e["pk"]) for e in replayed] == [
        *[("created", article["id"]) for article in missed],
        ("updated", first["id"]),
    ]
    assert replayed[-1]["data"]["title"] == "1 again"
    await again.silent()
    fifth = await post(api, "alice", title="5", status="published")
    await again.expect("event", event="created", pk=fifth["id"])


@pytest.mark.parametrize("restart", [False, True], ids=["audience-gone", "engine-restarted"])
async def test_a_cursor_outlives_its_audience_and_its_engine(
    connect: Any, api: Any, settings: Any, restart: bool
) -> None:
    """Nothing in memory is left of the subscription: the log replays what it missed, with
    the GET's rules (bob never hears of alice's drafts, created or deleted)."""
    settings.REALTIME = {"RESUME_WINDOW": 0}
    client = await connect()
    await client.subscribe("feed", "/api/articles/")
    first = await post(api, "alice", title="1", status="published")
    seen = await client.expect("event", pk=first["id"])
    await client.close()
    if restart:
        await close_engine()  # what a restart or a deploy leaves: the database
    second = await post(api, "alice", title="2", status="published")
    draft = await post(api, "alice", title="never visible")
    await api("alice").patch(f"/api/articles/{draft['id']}/", {"title": "still a draft"})
    brief = await post(api, "alice", title="here and gone", status="published")
    assert (await api("alice").delete(f"/api/articles/{brief['id']}/")).status_code == 204
    await api("alice").patch(f"/api/articles/{first['id']}/", {"title": "1 again"})

    again = await connect()
    await again.send(type="subscribe", id="feed", path="/api/articles/", since=seen["cursor"])
    await again.expect("subscribed", id="feed", cursor=seen["cursor"])
    replayed = [await again.expect("event", id="feed") for _ in range(2)]
    assert [(e["event"], e["pk"]) for e in replayed] == [
        ("created", second["id"]),
        ("updated", first["id"]),
    ]
    await again.silent()


async def test_a_detail_resumes_from_the_log(connect: Any, api: Any, settings: Any) -> None:
    settings.REALTIME = {"RESUME_WINDOW": 0}
    article = await post(api, "alice", status="published")
    path = f"/api/articles/{article['id']}/"
    client = await connect()
    subscribed = await client.subscribe("it", path)
    await client.close()
    await api("alice").patch(path, {"title": "changed while away"})
    await api("alice").patch(path, {"body": "twice"})
    await post(api, "alice", status="published")  # another object: nothing for this one

    again = await connect()
    await again.send(type="subscribe", id="it", path=path, since=subscribed["cursor"])
    await again.expect("subscribed", id="it", cursor=subscribed["cursor"])
    event = await again.expect("event", id="it", event="updated", path=path)
    assert (event["data"]["title"], event["data"]["body"]) == ("changed while away", "twice")
    await again.silent()


async def test_what_the_log_cannot_prove_is_a_reset_with_the_snapshot(
    connect: Any, api: Any, settings: Any
) -> None:
    """An object that existed before and is not in the list now: the subscriber may have had
    it (then it needs a "deleted") or never seen it (then it must hear nothing)."""
    settings.REALTIME = {"RESUME_WINDOW": 0}
    path = "/api/articles/?status=published"
    kept = await post(api, "alice", title="kept", status="published")
    client = await connect()
    subscribed = await client.subscribe("feed", path)
    await client.close()
    await api("alice").patch(f"/api/articles/{kept['id']}/", {"status": "draft"})

    again = await connect()
    await again.send(type="subscribe", id="feed", path=path, since=subscribed["cursor"])
    reset = await again.expect("reset", id="feed", reason="cannot_replay")
    assert reset["data"] == (await api(None).get(path)).json()  # the GET, in the same frame
    assert reset["cursor"] != subscribed["cursor"]
    later = await post(api, "bob", status="published")
    await again.expect("event", event="created", pk=later["id"])


async def test_an_idle_audience_catches_up_exactly_when_its_subscriber_comes_back(
    connect: Any, api: Any, settings: Any
) -> None:
    """The same change as above, within RESUME_WINDOW: the audience knows what its
    subscriber had, so it says "deleted", though it evaluated nothing while idle."""
    settings.REALTIME = {"RESUME_WINDOW": 600}
    path = "/api/articles/?status=published"
    kept = await post(api, "alice", title="kept", status="published")
    client = await connect()
    subscribed = await client.subscribe("feed", path)
    await client.close()
    engine = get_engine()
    await until(lambda: engine.audiences.idle == 1)
    evaluated = counters.serializations
    await api("alice").patch(f"/api/articles/{kept['id']}/", {"status": "draft"})
    shown = await post(api, "bob", title="shown", status="published")
    await engine.worker.call(engine._follow)
    assert counters.serializations == evaluated  # idle: nothing evaluated for nobody

    again = await connect()
    await again.send(type="subscribe", id="feed", path=path, since=subscribed["cursor"])
    await again.expect("subscribed", id="feed", cursor=subscribed["cursor"])
    replayed = [await again.expect("event") for _ in range(2)]
    assert [(e["event"], e["pk"]) for e in replayed] == [
        ("deleted", kept["id"]),
        ("created", shown["id"]),
    ]
    await again.silent()


async def test_an_idle_detail_audience_catches_up_with_its_own_object_only(
    connect: Any, api: Any, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.REALTIME = {"RESUME_WINDOW": 600}
    mine = await post(api, "alice", title="mine", status="published")
    other = await post(api, "alice", title="other", status="published")
    path = f"/api/articles/{mine['id']}/"
    client = await connect()
    subscribed = await client.subscribe("one", path)
    await client.close()
    engine = get_engine()
    await until(lambda: engine.audiences.idle == 1)
    await api("alice").patch(f"/api/articles/{other['id']}/", {"title": "other, changed"})
    await engine.worker.call(engine._follow)

    again = await connect()
    await again.send(type="subscribe", id="one", path=path, since=subscribed["cursor"])
    await again.expect("subscribed", id="one", cursor=subscribed["cursor"])
    await again.silent()  # another object's change is nothing to it
    assert "failed" not in caplog.text  # caught up, not made anew
    await api("alice").patch(path, {"title": "mine, changed"})
    event = await again.expect("event", id="one", event="updated", pk=mine["id"])
    assert event["data"]["title"] == "mine, changed"


async def test_a_cursor_older_than_retention_is_history_expired(
    connect: Any, api: Any, settings: Any
) -> None:
    settings.REALTIME = {"RESUME_WINDOW": 0, "LOG_RETENTION_ENTRIES": 1}
    client = await connect()
    subscribed = await client.subscribe("feed", "/api/articles/")
    await client.close()
    for title in "12":
        await post(api, "alice", title=title, status="published")
    assert await sync_to_async(prune)("default") > int(subscribed["cursor"].split("-")[1])

    again = await connect()
    await again.send(
        type="subscribe", id="feed", path="/api/articles/", since=subscribed["cursor"]
    )
    reset = await again.expect("reset", id="feed", reason="history_expired")
    assert reset["data"]["count"] == 2


async def test_a_process_that_fell_behind_retention_makes_its_clients_resume(
    connect: Any, api: Any, settings: Any
) -> None:
    """Retention pruned entries this process had not read (it was stopped, say): it cannot
    know what its audiences missed, so their clients are closed with 4008, and resuming
    says so."""
    settings.REALTIME = {"LOG_RETENTION_ENTRIES": 1}
    client = await connect()
    subscribed = await client.subscribe("feed", "/api/articles/")
    engine = get_engine()
    gate = threading.Event()
    engine.worker.submit(gate.wait, lambda result: None)  # the process stops reading
    try:
        for title in "123":
            await post(api, "alice", title=title, status="published")
        await sync_to_async(prune)("default")
    finally:
        gate.set()
    closed = await client.communicator.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4008}

    again = await connect()
    await again.send(
        type="subscribe", id="feed", path="/api/articles/", since=subscribed["cursor"]
    )
    reset = await again.expect("reset", id="feed", reason="history_expired")
    assert reset["data"]["count"] == 3


async def test_a_database_that_lost_positions_already_read_makes_the_clients_resume(
    connect: Any, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a database error, the entry read last must still be at its position: a server
    that crashed (PostgreSQL numbers the log without waiting for the disk) may hand the
    positions out again, and then nothing this process holds can be trusted."""
    client = await connect()
    await client.subscribe("feed", "/api/articles/")
    await post(api, "alice", title="read", status="published")
    await client.expect("event", event="created")
    engine = get_engine()
    monkeypatch.setattr(engine.log, "id_at", lambda position: -1)  # renumbered meanwhile
    engine._check_head = True  # as after a failed read
    await post(api, "alice", title="after the crash", status="published")
    closed = await client.communicator.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4008}

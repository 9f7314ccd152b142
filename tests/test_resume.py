"""Resume with ``since``: replay what was missed, or say ``reset``; never skip silently."""

from __future__ import annotations

from typing import Any

import pytest

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


async def test_too_much_missed_is_a_reset(connect: Any, api: Any, settings: Any) -> None:
    settings.REALTIME = {"HISTORY_SIZE": 2}
    observer = await connect()  # stays, and tells when the server has seen the changes
    await observer.subscribe("feed", "/api/articles/")
    client = await connect()
    await client.subscribe("feed", "/api/articles/")
    first = (
        await api("alice").post("/api/articles/", {"title": "1", "status": "published"})
    ).json()
    seen = await client.expect("event", pk=first["id"])
    await client.close()
    for title in "234":
        await api("alice").post("/api/articles/", {"title": title, "status": "published"})
    for _ in range(4):
        await observer.expect("event")

    again = await connect()
    await again.send(type="subscribe", id="feed", path="/api/articles/", since=seen["cursor"])
    reset = await again.expect("reset", id="feed", reason="history_expired")
    assert reset["cursor"] != seen["cursor"]
    fifth = (
        await api("alice").post("/api/articles/", {"title": "5", "status": "published"})
    ).json()
    await again.expect("event", event="created", pk=fifth["id"])


async def test_resume_after_the_audience_is_gone_is_a_reset(
    connect: Any, api: Any, settings: Any
) -> None:
    settings.REALTIME = {"RESUME_WINDOW": 0}
    client = await connect()
    await client.subscribe("feed", "/api/articles/")
    first = (
        await api("alice").post("/api/articles/", {"title": "1", "status": "published"})
    ).json()
    seen = await client.expect("event", pk=first["id"])
    await client.close()
    await api("alice").post("/api/articles/", {"title": "2", "status": "published"})

    again = await connect()
    await again.send(type="subscribe", id="feed", path="/api/articles/", since=seen["cursor"])
    await again.expect("reset", id="feed", reason="history_expired")

"""A subscription is the GET: standard DRF patterns give each subscriber what its GET shows."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.urls import reverse

from articles.models import Article
from django_realtime.subscriptions.engine import get_engine

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("inmemory_layer")]

SUMMARY = {"id", "title"}
FULL = {"id", "title", "status", "body"}


@pytest.fixture(autouse=True)
def _urls(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.fidelity_urls"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "v2.example.com"]


@pytest.fixture(autouse=True)
def _author(users: dict[str, Any]) -> None:
    global AUTHOR
    AUTHOR = users["alice"]


AUTHOR: Any = None


async def create(**fields: Any) -> Article:
    return await sync_to_async(Article.objects.create)(
        **{"title": "t", "status": "published", "author": AUTHOR, **fields}
    )


def item(body: Any, pk: int) -> dict[str, Any]:
    """The object ``pk`` in a list GET's body, paginated or not."""
    items = body["results"] if isinstance(body, dict) else body
    (found,) = [entry for entry in items if entry["id"] == pk]
    return dict(found)


async def test_list_events_carry_the_list_item_and_detail_events_the_detail(
    connect: Any, api: Any
) -> None:
    old = await create(title="old")
    client = await connect()
    await client.subscribe("list", "/fid/summary/")
    await client.subscribe("one", f"/fid/summary/{old.pk}/")

    new = await create(title="new")
    created = await client.expect("event", id="list", event="created", pk=new.pk)
    listed = (await api(None).get("/fid/summary/")).json()
    assert created["data"] == item(listed, new.pk)
    assert set(created["data"]) == SUMMARY
    assert created["path"] == f"/fid/summary/{new.pk}/"

    await sync_to_async(Article.objects.filter(pk=old.pk).update)(title="renamed")
    updates = [await client.expect("event", event="updated", pk=old.pk) for _ in range(2)]
    by_id = {event["id"]: event["data"] for event in updates}
    assert by_id["one"] == (await api(None).get(f"/fid/summary/{old.pk}/")).json()
    assert set(by_id["one"]) == FULL
    assert by_id["list"] == item((await api(None).get("/fid/summary/")).json(), old.pk)


@pytest.mark.parametrize(
    ("path", "host", "fields"),
    [
        ("/fid/v1/path/", "testserver", SUMMARY),
        ("/fid/v2/path/", "testserver", FULL),
        ("/fid/query/?version=v2", "testserver", FULL),
        ("/fid/v1/ns/", "testserver", SUMMARY),
        ("/fid/v2/ns/", "testserver", FULL),
        ("/fid/accept/", "testserver", SUMMARY),
        ("/fid/host/", "v2.example.com", FULL),
    ],
    ids=["url-path-v1", "url-path-v2", "query", "namespace-v1", "namespace-v2", "accept", "host"],
)
async def test_every_versioning_scheme_gets_its_events(
    connect: Any, api: Any, path: str, host: str, fields: set[str]
) -> None:
    client = await connect(host=host, origin=f"http://{host}")
    subscribed = await client.subscribe("v", path, snapshot=True)
    article = await create(title="versioned")
    event = await client.expect("event", id="v", event="created", pk=article.pk)
    assert set(event["data"]) == fields
    response = await api(None).get(path, HTTP_HOST=host)
    assert response.status_code == 200
    assert event["data"] == item(response.json(), article.pk)
    assert subscribed["data"] == [] or subscribed["data"]["results"] == []


async def test_one_router_under_two_prefixes_sends_each_its_own_paths(connect: Any) -> None:
    client = await connect()
    await client.subscribe("plain", "/one/articles/")
    await client.subscribe("v1", "/one/v1/articles/")
    article = await create()
    events = [await client.expect("event", event="created", pk=article.pk) for _ in range(2)]
    paths = {event["id"]: event["path"] for event in events}
    assert paths == {
        "plain": f"/one/articles/{article.pk}/",
        "v1": f"/one/v1/articles/{article.pk}/",
    }


@pytest.mark.parametrize(
    "query", ["page=999999", "page=0", "format=xml"], ids=["past-the-end", "zero", "no-renderer"]
)
async def test_a_get_that_is_404_is_a_not_found_subscription(
    connect: Any, api: Any, query: str
) -> None:
    path = f"/api/articles/?{query}"
    assert (await api(None).get(path)).status_code == 404
    client = await connect()
    await client.send(type="subscribe", id="p", path=path)
    await client.expect("error", id="p", code="not_found", status=404)


@pytest.mark.parametrize(
    ("paths", "ordering"),
    [
        (
            ["/api/articles/", "/api/articles/?page=1", "/api/articles/?format=json",
             "/api/articles/?format=api&page=1"],
            ["-created_at", "-id"],
        ),
        (
            ["/fid/offset/?ordering=-id", "/fid/offset/?ordering=-id&limit=1&offset=5",
             "/fid/offset/?limit=2&ordering=-id"],
            ["-id"],
        ),
    ],
    ids=["page-number", "limit-offset"],
)  # fmt: skip
async def test_parameters_that_pick_a_page_or_a_renderer_share_one_audience(
    connect: Any, api: Any, paths: list[str], ordering: list[str]
) -> None:
    await create(title="first")  # so that the pages the paths name exist
    client = await connect()
    for n, path in enumerate(paths):
        assert (await api(None).get(path)).status_code == 200
        subscribed = await client.subscribe(f"s{n}", path)
        assert subscribed["ordering"] == ordering  # the whole list follows, in this order
    assert len(get_engine().audiences) == 1
    article = await create(title="second")
    events = [await client.expect("event", event="created", pk=article.pk) for _ in paths]
    assert sorted(event["id"] for event in events) == [f"s{n}" for n in range(len(paths))]


async def test_a_detail_subscription_has_no_ordering(connect: Any) -> None:
    article = await create()
    client = await connect()
    subscribed = await client.subscribe("d", f"/fid/summary/{article.pk}/")
    assert "ordering" not in subscribed


async def test_a_list_action_declared_realtime_is_subscribed_as_its_get(
    connect: Any, api: Any
) -> None:
    client = await connect()
    subscribed = await client.subscribe("p", "/fid/actions/published/", snapshot=True)
    assert subscribed["data"] == (await api(None).get("/fid/actions/published/")).json()
    draft = await create(status="draft")  # not in the action's queryset: nothing
    article = await create(title="out")
    created = await client.expect("event", id="p", event="created", pk=article.pk)
    assert created["data"] == item(
        (await api(None).get("/fid/actions/published/")).json(), article.pk
    )
    assert set(created["data"]) == SUMMARY  # the action's own serializer
    assert created["path"] == f"/fid/actions/{article.pk}/"
    await sync_to_async(Article.objects.filter(pk=article.pk).update)(status="draft")
    await client.expect("event", id="p", event="deleted", pk=article.pk)
    await client.silent()
    assert draft.pk != article.pk


async def test_a_detail_action_declared_realtime_is_subscribed_as_its_get(
    connect: Any, api: Any
) -> None:
    article = await create(title="before")
    path = f"/fid/actions/{article.pk}/headline/"
    client = await connect()
    await client.subscribe("h", path)
    await sync_to_async(Article.objects.filter(pk=article.pk).update)(title="after")
    updated = await client.expect("event", id="h", event="updated", pk=article.pk)
    assert (
        updated["data"]
        == (await api(None).get(path)).json()
        == {"id": article.pk, "title": "after"}
    )


async def test_an_action_not_declared_realtime_says_how_to_declare_it(connect: Any) -> None:
    client = await connect()
    await client.send(type="subscribe", id="s", path="/fid/actions/stats/")
    error = await client.expect("error", id="s", code="not_realtime", status=405)
    assert "@action(detail=False, realtime=True)" in error["detail"]


async def test_list_events_are_built_from_the_lists_own_queryset(connect: Any, api: Any) -> None:
    client = await connect()
    await client.subscribe("a", "/fid/annotated/")
    article = await create(title="counted")
    created = await client.expect("event", id="a", event="created", pk=article.pk)
    assert created["data"] == item((await api(None).get("/fid/annotated/")).json(), article.pk)
    assert created["data"]["tag_count"] == 0


async def test_cursor_pagination_says_its_own_ordering(connect: Any) -> None:
    client = await connect()
    subscribed = await client.subscribe("c", "/fid/cursor/")
    assert subscribed["ordering"] == ["-id"]


async def test_an_optional_trailing_slash_keeps_event_paths_whole(connect: Any) -> None:
    client = await connect()
    await client.subscribe("o", "/fid/optional/")
    article = await create()
    created = await client.expect("event", id="o", event="created", pk=article.pk)
    assert created["path"] == reverse("optional-detail", kwargs={"pk": article.pk})
    assert "//" not in created["path"]


async def test_a_list_action_with_its_own_arguments_sends_detail_paths(connect: Any) -> None:
    client = await connect()
    await client.subscribe("t", "/fid/actions/titled/hello/")
    article = await create(title="hello")
    created = await client.expect("event", id="t", event="created", pk=article.pk)
    assert created["path"] == f"/fid/actions/{article.pk}/"

"""Credentials are live: a subscription ends when what admitted it stops passing its GET's
authentication and permissions, and the handshake's session is not trusted forever."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import Group, Permission, User
from django.contrib.sessions.models import Session
from django.db import transaction
from django.test import Client as HttpClient
from rest_framework.authtoken.models import Token

from articles.models import Article
from django_realtime.stats import counters
from tests.client import Client

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("inmemory_layer")]


async def session_cookie(user: User) -> str:
    http = HttpClient()
    await sync_to_async(http.force_login)(user)
    return f"sessionid={http.cookies['sessionid'].value}"


async def post(api: Any, author: str = "alice", **fields: Any) -> dict[str, Any]:
    response = await api(author).post("/api/articles/", {"title": "t", **fields})
    assert response.status_code == 201, response.content
    return dict(response.json())


async def token_client(connect: Any, token: str) -> Client:
    client: Client = await connect()
    await client.auth(token)
    return client


async def test_deleting_a_token_ends_only_its_subscriptions(
    connect: Any, api: Any, users: dict[str, User], tokens: dict[str, str]
) -> None:
    by_token = await token_client(connect, tokens["alice"])
    by_session = await connect(cookie=await session_cookie(users["alice"]))
    for client in (by_token, by_session):
        await client.subscribe("mine", "/test/private/")  # one audience: alice's

    checks, revocations = counters.credential_checks, counters.revocations
    await sync_to_async(Token.objects.filter(key=tokens["alice"]).delete)()
    draft = await post(api)
    # Within one event: the revoked credential is sent none of it.
    await by_token.expect("unsubscribed", id="mine", reason="not_authenticated")
    await by_token.silent()
    await by_session.expect("event", id="mine", event="created", pk=draft["id"])
    # Only the credential that rests on the token was checked, once.
    assert (counters.credential_checks - checks, counters.revocations - revocations) == (1, 1)


async def test_deactivating_a_user_ends_every_subscription_of_theirs(
    connect: Any, api: Any, users: dict[str, User], tokens: dict[str, str]
) -> None:
    by_token = await token_client(connect, tokens["alice"])
    by_session = await connect(cookie=await session_cookie(users["alice"]))
    bobs = await token_client(connect, tokens["bob"])
    for client in (by_token, by_session, bobs):
        await client.subscribe("mine", "/test/private/")

    await sync_to_async(User.objects.filter(pk=users["alice"].pk).update)(is_active=False)
    for client in (by_token, by_session):
        await client.expect("unsubscribed", id="mine", reason="not_authenticated")
    published = await post(api, "bob", status="published")
    await bobs.expect("event", id="mine", event="created", pk=published["id"])
    for client in (by_token, by_session):
        await client.silent()


async def test_deleting_a_user_ends_their_subscriptions(
    connect: Any, users: dict[str, User], tokens: dict[str, str]
) -> None:
    client = await token_client(connect, tokens["bob"])
    await client.subscribe("mine", "/test/private/")
    await sync_to_async(users["bob"].delete)()
    await client.expect("unsubscribed", id="mine", reason="not_authenticated")


async def test_a_flushed_session_ends_its_subscriptions_and_takes_no_new_ones(
    connect: Any, api: Any, users: dict[str, User]
) -> None:
    cookie = await session_cookie(users["alice"])
    client = await connect(cookie=cookie)
    await client.subscribe("mine", "/test/private/")
    key = cookie.split("=", 1)[1]
    await sync_to_async(Session.objects.filter(session_key=key).delete)()  # logged out
    await client.expect("unsubscribed", id="mine", reason="not_authenticated")
    # The handshake's user is not trusted for later subscribes either.
    await client.send(type="subscribe", id="again", path="/test/private/")
    error = await client.expect("error", id="again")
    assert error["status"] in (401, 403)


async def test_a_view_of_sessions_only_says_not_authenticated_too(
    connect: Any, users: dict[str, User]
) -> None:
    cookie = await session_cookie(users["alice"])
    client = await connect(cookie=cookie)
    await client.subscribe("mine", "/test/session/")
    await sync_to_async(Session.objects.filter(session_key=cookie.split("=", 1)[1]).delete)()
    await client.expect("unsubscribed", id="mine", reason="not_authenticated")


async def test_a_check_that_finds_the_object_deleted_leaves_it_to_the_event(
    connect: Any, api: Any, users: dict[str, User], tokens: dict[str, str]
) -> None:
    draft = await post(api)
    client = await token_client(connect, tokens["alice"])
    await client.subscribe("d", f"/api/articles/{draft['id']}/")

    @sync_to_async
    def delete_and_touch_the_user() -> None:
        with transaction.atomic():  # one batch: the check runs before the event
            Article.objects.filter(pk=draft["id"]).delete()
            User.objects.filter(pk=users["alice"].pk).update(first_name="Alice")

    await delete_and_touch_the_user()
    await client.expect("event", id="d", event="deleted", pk=draft["id"])
    await client.expect("unsubscribed", id="d", reason="deleted")


async def test_changing_the_password_ends_session_subscriptions(
    connect: Any, users: dict[str, User]
) -> None:
    client = await connect(cookie=await session_cookie(users["alice"]))
    await client.subscribe("mine", "/test/private/")

    @sync_to_async
    def change_password() -> None:
        user = User.objects.get(pk=users["alice"].pk)
        user.set_password("another password")
        user.save()

    await change_password()  # the session's auth hash no longer matches
    await client.expect("unsubscribed", id="mine", reason="not_authenticated")


async def test_a_permission_taken_from_a_group_ends_its_members_subscriptions(
    connect: Any, api: Any, users: dict[str, User], tokens: dict[str, str]
) -> None:
    @sync_to_async
    def grant() -> tuple[Group, Permission]:
        group = Group.objects.create(name="readers")
        permission = Permission.objects.get(codename="view_article")
        group.permissions.add(permission)
        users["alice"].groups.add(group)
        return group, permission

    group, permission = await grant()
    client = await token_client(connect, tokens["alice"])
    await client.subscribe("all", "/test/permitted/")
    await sync_to_async(group.permissions.remove)(permission)
    await client.expect("unsubscribed", id="all", reason="forbidden")
    await post(api, "bob", status="published")
    await client.silent()


async def test_leaving_a_group_ends_the_subscriptions_it_allowed(
    connect: Any, users: dict[str, User], tokens: dict[str, str]
) -> None:
    @sync_to_async
    def grant() -> Group:
        group = Group.objects.create(name="readers")
        group.permissions.add(Permission.objects.get(codename="view_article"))
        users["alice"].groups.add(group)
        return group

    group = await grant()
    client = await token_client(connect, tokens["alice"])
    await client.subscribe("all", "/test/permitted/")
    await sync_to_async(users["alice"].groups.remove)(group)
    await client.expect("unsubscribed", id="all", reason="forbidden")


async def test_an_object_permission_that_fails_ends_a_detail_subscription(
    connect: Any, api: Any, users: dict[str, User], tokens: dict[str, str]
) -> None:
    """Editors may read anyone's drafts: Bob, no longer an editor, may not read Alice's."""

    @sync_to_async
    def make_editor() -> Group:
        group = Group.objects.create(name="editors")
        for codename in ("view_article", "change_article"):
            group.permissions.add(Permission.objects.get(codename=codename))
        users["bob"].groups.add(group)
        return group

    editors = await make_editor()
    draft = await post(api)
    client = await token_client(connect, tokens["bob"])
    await client.subscribe("d", f"/test/permitted/{draft['id']}/")
    change = await sync_to_async(Permission.objects.get)(codename="change_article")
    await sync_to_async(editors.permissions.remove)(change)
    await client.expect("unsubscribed", id="d", reason="forbidden")


async def test_credentials_that_fail_for_a_reason_the_database_cannot_show_end_by_the_interval(
    connect: Any, users: dict[str, User], tokens: dict[str, str], settings: Any, monkeypatch: Any
) -> None:
    settings.REALTIME = {"AUTH_RECHECK_INTERVAL": 0.5}
    client = await token_client(connect, tokens["alice"])
    await client.subscribe("mine", "/test/private/")
    from rest_framework.authentication import TokenAuthentication
    from rest_framework.exceptions import AuthenticationFailed

    def revoked_elsewhere(self: Any, key: str) -> Any:
        raise AuthenticationFailed("Revoked by the identity provider.")

    # Nothing in the database changes: only the interval can find it.
    monkeypatch.setattr(TokenAuthentication, "authenticate_credentials", revoked_elsewhere)
    await client.expect("unsubscribed", id="mine", reason="not_authenticated", timeout=5)


async def test_a_change_of_audience_key_ends_with_access_changed(
    connect: Any, api: Any, users: dict[str, User], tokens: dict[str, str]
) -> None:
    client = await token_client(connect, tokens["alice"])
    await client.subscribe("mine", "/test/private/")
    await client.send(type="auth", authorization=f"Token {tokens['bob']}")
    await client.expect("unsubscribed", id="mine", reason="access_changed")
    await client.expect("auth", ok=True, user="bob")


async def test_an_auth_frame_moves_every_subscription_to_the_new_credentials(
    connect: Any, api: Any, users: dict[str, User], tokens: dict[str, str]
) -> None:
    cookie = await session_cookie(users["alice"])
    client = await connect(cookie=cookie)
    await client.subscribe("mine", "/test/private/")
    await client.auth(tokens["alice"])  # the same user: the subscription stays

    # The token authenticates the subscription now: the session's end does not end it...
    key = cookie.split("=", 1)[1]
    await sync_to_async(Session.objects.filter(session_key=key).delete)()
    draft = await post(api)
    await client.expect("event", id="mine", event="created", pk=draft["id"])
    # ...the token's does.
    await sync_to_async(Token.objects.filter(key=tokens["alice"]).delete)()
    await client.expect("unsubscribed", id="mine", reason="not_authenticated")


async def test_an_auth_frame_that_fails_a_subscription_ends_it(
    connect: Any, users: dict[str, User], tokens: dict[str, str]
) -> None:
    client = await token_client(connect, tokens["staff"])
    await client.subscribe("staff", "/test/staff/")
    await client.subscribe("mine", "/test/private/")
    await client.send(type="auth", authorization=f"Token {tokens['alice']}")
    ended = {(await client.expect("unsubscribed"))["reason"] for _ in range(2)}
    # Alice is no staff member; her private list is another audience than the staff's.
    assert ended == {"forbidden", "access_changed"}
    await client.expect("auth", ok=True, user="alice")


async def test_max_connection_age_closes_with_4008(connect: Any, settings: Any) -> None:
    settings.REALTIME = {"MAX_CONNECTION_AGE": 0.3}
    client = await connect()
    await client.subscribe("all", "/api/articles/")
    await client.expect("error", id=None, code="connection_expired")
    output = await client.communicator.receive_output(timeout=5)
    assert output == {"type": "websocket.close", "code": 4008}


def jwt(user: User, seconds: float) -> str:
    """A simplejwt access token of ``user`` that expires in ``seconds``."""
    from rest_framework_simplejwt.tokens import AccessToken

    token = AccessToken.for_user(user)
    token.set_exp(lifetime=timedelta(seconds=seconds))
    return str(token)


async def test_an_expired_jwt_ends_subscriptions_and_a_refreshed_one_resumes(
    connect: Any, api: Any, users: dict[str, User], settings: Any
) -> None:
    """simplejwt's access tokens: the database never shows one expire."""
    client = await connect()
    await client.send(type="auth", authorization=f"Bearer {jwt(users['alice'], 1.5)}")
    await client.expect("auth", ok=True)
    subscribed = await client.subscribe("mine", "/test/jwt/")
    ended = await client.expect("unsubscribed", id="mine", timeout=5)
    assert ended["reason"] == "not_authenticated"

    missed = await post(api)  # while the client refreshes its token
    await client.send(type="auth", authorization=f"Bearer {jwt(users['alice'], 600)}")
    await client.expect("auth", ok=True)
    await client.send(type="subscribe", id="mine", path="/test/jwt/", since=subscribed["cursor"])
    await client.expect("subscribed", id="mine")
    await client.expect("event", id="mine", event="created", pk=missed["id"])


async def test_a_refreshed_jwt_keeps_the_subscription_past_the_old_expiry(
    connect: Any, api: Any, users: dict[str, User]
) -> None:
    client = await connect()
    await client.send(type="auth", authorization=f"Bearer {jwt(users['alice'], 1.5)}")
    await client.expect("auth", ok=True)
    await client.subscribe("mine", "/test/jwt/")
    await client.send(type="auth", authorization=f"Bearer {jwt(users['alice'], 600)}")
    await client.expect("auth", ok=True)
    await asyncio.sleep(2.5)  # past the first token's expiry
    draft = await post(api)
    await client.expect("event", id="mine", event="created", pk=draft["id"])

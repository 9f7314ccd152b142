"""Revocation over real sockets: credentials changed by a browser or by another program
end the subscriptions they admitted (the server learns of it from the change log)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.servers import Deployment, deployment
from tests.e2e.test_live import login, rest
from tests.services import require

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def deployed() -> Iterator[Deployment]:
    require("postgres")
    require("redis")
    with deployment("redis", "postgres") as deployed:
        deployed.start("uvicorn")
        yield deployed


async def test_logging_out_ends_the_sockets_subscriptions(
    deployed: Deployment, clients: Any
) -> None:
    base = deployed.servers[0].http
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        session = await login(http, "bob", deployed.passwords["bob"])
        client = await clients(cookie=f"sessionid={session}")
        await client.subscribe("mine", "/api/articles/?author=bob&status=draft")
        logout = await http.post(
            "/api-auth/logout/",
            data={"csrfmiddlewaretoken": http.cookies["csrftoken"]},
            headers={"Referer": base + "/api/"},
        )
        assert logout.status_code in (200, 302), logout.text
    await client.expect("unsubscribed", id="mine", reason="not_authenticated")
    # The socket's next subscription is anonymous: its session is gone.
    await client.subscribe("again", "/api/articles/?author=bob&status=draft")
    async with rest(deployed, "bob") as bob_http:
        await bob_http.post("/api/articles/", json={"title": "after logout"})
    await client.silent(1.0)


async def test_a_deleted_token_ends_its_subscriptions(deployed: Deployment, clients: Any) -> None:
    name = f"carol{secrets.token_hex(4)}"
    made = await asyncio.to_thread(
        deployed.run_shell,
        "from django.contrib.auth.models import User; "
        "from rest_framework.authtoken.models import Token; "
        f"print(Token.objects.create(user=User.objects.create_user({name!r})).key)",
    )
    key = made.stdout.strip().splitlines()[-1]
    client = await clients()
    await client.auth(key)
    await client.subscribe("mine", f"/api/articles/?author={name}")
    await asyncio.to_thread(
        deployed.run_shell,
        f"from rest_framework.authtoken.models import Token; Token.objects.filter(key={key!r}).delete()",
    )
    await client.expect("unsubscribed", id="mine", reason="not_authenticated")


async def test_a_password_change_and_a_deactivation_end_subscriptions(
    deployed: Deployment, clients: Any
) -> None:
    """Made by another program: the server learns of them from the change log."""
    name = f"dave{secrets.token_hex(4)}"
    await asyncio.to_thread(
        deployed.run_shell,
        "from django.contrib.auth.models import User; "
        f"User.objects.create_user({name!r}, password='first password')",
    )
    async with httpx.AsyncClient(base_url=deployed.servers[0].http, timeout=10) as http:
        session = await login(http, name, "first password")
    by_session = await clients(cookie=f"sessionid={session}")
    await by_session.subscribe("mine", f"/api/articles/?author={name}&status=draft")
    await asyncio.to_thread(
        deployed.run_shell,
        "from django.contrib.auth.models import User; "
        f"user = User.objects.get(username={name!r}); "
        "user.set_password('second password'); user.save()",
    )
    await by_session.expect("unsubscribed", id="mine", reason="not_authenticated")

    made = await asyncio.to_thread(
        deployed.run_shell,
        "from django.contrib.auth.models import User; "
        "from rest_framework.authtoken.models import Token; "
        f"print(Token.objects.create(user=User.objects.get(username={name!r})).key)",
    )
    by_token = await clients()
    await by_token.auth(made.stdout.strip().splitlines()[-1])
    await by_token.subscribe("mine", f"/api/articles/?author={name}&status=draft")
    await asyncio.to_thread(
        deployed.run_shell,
        "from django.contrib.auth.models import User; "
        f"User.objects.filter(username={name!r}).update(is_active=False)",
    )
    await by_token.expect("unsubscribed", id="mine", reason="not_authenticated")

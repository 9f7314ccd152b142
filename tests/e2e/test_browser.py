"""The demo page in a real Chromium (Debian's chromium and chromium-driver, installed by
scripts/install; nothing downloads a browser): log in, change things over REST, drop the
connection, and the page converges to the GET."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.servers import Deployment, Server, deployment
from tests.services import missing, require

pytestmark = [pytest.mark.e2e, pytest.mark.clients]

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")


@pytest.fixture
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        missing("chromium and chromium-driver", "run scripts/install (it installs both)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM  # the system's browser: nothing is downloaded
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1200,900"):  # fmt: skip
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def wait(condition: Callable[[], Any], timeout: float = 15, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what or condition}"
        time.sleep(0.1)


def page_rows(driver: Any) -> list[tuple[int, str]]:
    """(id, title) of the page's rows, in their order."""
    rows = driver.execute_script(
        "return [...document.querySelectorAll('#rows tr')]"
        ".map((row) => [Number(row.dataset.pk), row.querySelector('.title').textContent]);"
    )
    return [(pk, title) for pk, title in rows]


def get_rows(server: Server, token: str) -> list[tuple[int, str]]:
    body = httpx.get(
        server.http + "/api/articles/", headers={"Authorization": f"Token {token}"}
    ).json()
    return [(article["id"], article["title"]) for article in body["results"]]


def state(driver: Any) -> str:
    return str(driver.find_element("id", "state").get_attribute("data-state"))


def test_the_demo_page_logs_in_follows_changes_and_resumes(browser: Any) -> None:
    require("postgres")
    require("redis")
    with deployment("redis", "postgres") as deployed:
        # runserver, as scripts/demo runs it; --insecure serves the client's static file
        # with DEBUG off
        server = deployed.start("runserver", args=["--insecure"])
        run(browser, deployed, server)


def run(driver: Any, deployed: Deployment, server: Server) -> None:
    alice, bob = deployed.tokens["alice"], deployed.tokens["bob"]
    # Log in with the session, as a user of the page would.
    driver.get(server.http + "/api-auth/login/?next=/")
    driver.find_element("name", "username").send_keys("alice")
    driver.find_element("name", "password").send_keys(deployed.passwords["alice"])
    driver.find_element("css selector", "form [type=submit]").click()
    wait(lambda: driver.find_elements("id", "session-user"), what="the page as alice")
    wait(lambda: state(driver) == "open", what="the connection")
    wait(lambda: page_rows(driver) == get_rows(server, alice), what="the first list")

    def write(token: str, method: str, path: str, **body: Any) -> Any:
        response = httpx.request(
            method, server.http + path, json=body or None,
            headers={"Authorization": f"Token {token}"},
        )  # fmt: skip
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    mine = write(alice, "POST", "/api/articles/", title="alice's draft", status="draft")
    hidden = write(bob, "POST", "/api/articles/", title="bob's draft", status="draft")
    shown = write(bob, "POST", "/api/articles/", title="bob's post", status="published")
    wait(lambda: page_rows(driver) == get_rows(server, alice), what="the creates")
    ids = [pk for pk, _ in page_rows(driver)]
    assert mine["id"] in ids
    assert shown["id"] in ids
    assert hidden["id"] not in ids  # bob's draft: alice's GET does not show it

    # Drop the connection, and change things while it is down.
    driver.find_element("id", "drop").click()
    write(alice, "PATCH", f"/api/articles/{mine['id']}/", title="renamed while away")
    write(bob, "DELETE", f"/api/articles/{shown['id']}/")
    write(bob, "PATCH", f"/api/articles/{hidden['id']}/", status="published")  # now visible
    wait(lambda: page_rows(driver) == get_rows(server, alice), what="convergence after drop")
    assert state(driver) == "open"
    rows = dict(page_rows(driver))
    assert rows[mine["id"]] == "renamed while away"
    assert shown["id"] not in rows
    assert rows[hidden["id"]] == "bob's draft"

    # The browser goes offline (DevTools' network emulation: navigator.onLine and the
    # offline event, as a lost network gives them): the client closes and waits, then
    # reconnects at once when the network returns.
    network = {"latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {**network, "offline": True})
    wait(lambda: state(driver) == "offline", what="the offline state")
    write(alice, "PATCH", f"/api/articles/{mine['id']}/", title="renamed while offline")
    time.sleep(1)
    assert state(driver) == "offline"  # no retries while the browser says it is offline
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {**network, "offline": False})
    wait(lambda: page_rows(driver) == get_rows(server, alice), what="convergence after online")
    assert dict(page_rows(driver))[mine["id"]] == "renamed while offline"

    closes = driver.find_element("id", "log").text
    assert "socket closed" in closes  # the drop happened, and the page resumed from it
    logs = driver.get_log("browser") if hasattr(driver, "get_log") else []
    # DRF's login page has no icon; the demo page sends no request that fails
    errors = [e for e in logs if e["level"] == "SEVERE" and "favicon.ico" not in e["message"]]
    assert not errors, errors

    # A page that becomes visible again reconnects at once, instead of waiting out its
    # backoff (a client of a port nobody serves, with a backoff of a minute).
    driver.execute_script(
        "const { connect } = await import(arguments[0]);"
        "window.waiting = connect('ws://127.0.0.1:9/ws/', {backoff: {initial: 60000, max: 60000}});"
        "window.attempts = 0;"
        "window.waiting.on('state', (s) => s === 'connecting' && window.attempts++);",
        "/static/django_realtime/realtime.js",
    )
    wait(lambda: driver.execute_script("return window.waiting.state") == "reconnecting")
    time.sleep(0.5)
    assert driver.execute_script("return window.attempts") == 0
    driver.execute_script("document.dispatchEvent(new Event('visibilitychange'))")  # visible
    wait(lambda: driver.execute_script("return window.attempts") == 1, what="a reconnect")
    driver.execute_script("window.waiting.close()")

// The JS client's behaviours against a real server (tests/e2e/test_js_client.py starts it).
import assert from "node:assert/strict";
import { test } from "node:test";

import { connect } from "../../django_realtime/static/django_realtime/realtime.js";
import { USERS, WS, manage, rest, sleep, until } from "./helpers.mjs";

const FAST = { backoff: { initial: 100, max: 1000 } };

test("a server that refuses the endpoint path stops the client with a clear error", async (t) => {
  const client = connect(WS.replace(/\/ws\/$/, "/nowhere/"), FAST);
  t.after(() => client.close());
  let connects = 0;
  client.on("state", (state) => state === "connecting" && connects++);
  await until(() => client.state === "failed", 5000, () => `state ${client.state}`);
  assert.match(client.error.message, /4404/);
  assert.match(client.error.message, /not the realtime endpoint/);
  await sleep(1500); // several backoffs' worth
  assert.equal(connects, 0, "it connected again"); // the first "connecting" came before on()
  assert.equal(client.state, "failed");
});

test("credentials are asked for again when the server ends a subscription for them", async (t) => {
  let calls = 0;
  const login = async (t) => {
    calls++;
    const answer = await rest("POST", "/api/token/", { body: { username: "alice", password: USERS.alice.password } });
    return `Token ${answer.body.token}`;
  };
  const client = connect(WS, { ...FAST, auth: login });
  t.after(() => client.close());
  const ends = [];
  const drafts = client.liveList("/api/articles/?status=draft", (items, change) => change.type === "end" && ends.push(change));
  await until(() => drafts.ready, 5000);
  assert.equal(calls, 1);

  manage("drf_create_token", "-r", "alice"); // the token is revoked: a new one replaces it
  await until(() => calls === 2, 10000, () => `the provider was called ${calls} times`);
  const token = (await login()).slice("Token ".length);
  const created = await rest("POST", "/api/articles/", { token, body: { title: "after the refresh", status: "draft" } });
  assert.equal(created.status, 201);
  await until(() => drafts.items.some((item) => item.id === created.body.id), 10000, () => "the draft did not arrive");
  assert.deepEqual(ends, []);
  assert.equal(drafts.subscription.ended, null);
});

test("a live object follows one object and ends when it is deleted", async (t) => {
  const token = USERS.bob.token;
  const created = await rest("POST", "/api/articles/", { token, body: { title: "watched", status: "published" } });
  const client = connect(WS, FAST);
  t.after(() => client.close());
  const seen = [];
  const article = client.liveObject(`/api/articles/${created.body.id}/`, (value, change) => seen.push(change.type));
  await until(() => article.ready, 5000);
  assert.equal(article.value.title, "watched");
  await rest("PATCH", `/api/articles/${created.body.id}/`, { token, body: { title: "renamed" } });
  await until(() => article.value?.title === "renamed", 5000, () => JSON.stringify(article.value));
  await rest("DELETE", `/api/articles/${created.body.id}/`, { token });
  await until(() => article.subscription.ended === "deleted", 5000, () => `ended: ${article.subscription.ended}`);
  assert.equal(article.value, null);
  assert.equal(article.error, null);
  assert.deepEqual(seen, ["subscribed", "event", "event", "end"]);
});

test("a subscription the view refuses ends with its error and is not retried", async (t) => {
  const client = connect(WS, FAST);
  t.after(() => client.close());
  const frames = [];
  client.on("frame", (frame) => frames.push(frame));
  const missing = client.liveObject("/api/articles/999999/");
  await until(() => missing.subscription.ended, 5000);
  assert.equal(missing.subscription.ended, "not_found");
  assert.equal(missing.error.code, "not_found");
  assert.equal(missing.error.status, 404);
  await sleep(500);
  assert.equal(frames.filter((frame) => frame.type === "error").length, 1, "it was retried");
  assert.equal(client.state, "open"); // the connection serves on
});

test("rejected credentials end the subscriptions waiting for them", async (t) => {
  const client = connect(WS, { ...FAST, auth: () => "Token not-a-token" });
  t.after(() => client.close());
  const errors = [];
  client.on("error", (error) => errors.push(error.code));
  const list = client.liveList("/api/articles/");
  await until(() => list.subscription.ended, 5000);
  assert.equal(list.subscription.ended, "not_authenticated");
  assert.deepEqual(errors, ["not_authenticated"]);
});

test("the list keeps the view's ordering", async (t) => {
  const token = USERS.bob.token;
  const client = connect(WS, FAST);
  t.after(() => client.close());
  const list = client.liveList("/api/articles/?status=published");
  await until(() => list.ready, 5000);
  for (let n = 0; n < 5; n++) {
    await rest("POST", "/api/articles/", { token, body: { title: `ordered ${n}`, status: "published" } });
  }
  const fresh = async () => (await rest("GET", "/api/articles/?status=published")).body.results;
  let expected;
  await until(async () => JSON.stringify(list.items) === JSON.stringify((expected = await fresh())), 5000, () => "differs");
  assert.deepEqual(list.subscription.ordering, ["-created_at", "-id"]);
  assert.deepEqual(list.items.slice(0, 5).map((item) => item.title), ["ordered 4", "ordered 3", "ordered 2", "ordered 1", "ordered 0"]);
});

test("a client refused for too many connections waits its longest backoff, then comes back", async (t) => {
  const url = process.env.REALTIME_WS_ONE_PER_CLIENT; // MAX_CONNECTIONS_PER_CLIENT = 1
  const first = connect(url, FAST);
  t.after(() => first.close());
  await until(() => first.state === "open", 5000);
  const second = connect(url, { backoff: { initial: 50, max: 2000 } });
  t.after(() => second.close());
  const events = [];
  second.on("close", (code) => events.push([code, Date.now()]));
  second.on("state", (state) => state === "connecting" && events.push([state, Date.now()]));
  await until(() => events.length > 0, 5000);
  assert.equal(events[0][0], 4429);
  assert.equal(second.state, "reconnecting");
  first.close();
  await until(() => second.state === "open", 5000, () => JSON.stringify(events));
  const [, closedAt] = events[0];
  const [state, retriedAt] = events[1];
  assert.equal(state, "connecting");
  assert.ok(retriedAt - closedAt >= 1000, `retried after ${retriedAt - closedAt} ms, not the longest delay (1-2 s)`);
});

test("a frame over the server's limit stops the client instead of sending it forever", async (t) => {
  const client = connect(WS, FAST);
  t.after(() => client.close());
  await until(() => client.state === "open", 5000);
  client.subscribe(`/api/articles/?q=${"x".repeat(70000)}`);
  await until(() => client.state === "failed", 5000, () => client.state);
  assert.match(client.error.message, /size limit/);
});

test("more subscriptions than the server's frame burst all go live, and resume", async (t) => {
  const client = connect(WS, FAST);
  t.after(() => client.close());
  const errors = [];
  client.on("error", (error) => errors.push(error.code));
  // More subscribes than RECEIVE_BURST (60) takes at once: the client paces them.
  const subscriptions = Array.from({ length: 80 }, () => client.subscribe("/api/tags/"));
  const live = () => subscriptions.filter((sub) => sub.cursor !== null).length;
  await until(() => live() === 80, 20000, () => `${live()} of 80 live`);
  const cursors = subscriptions.map((sub) => sub.cursor);
  const frames = [];
  client.on("frame", (frame) => frame.type === "subscribed" && frames.push(frame));
  client.drop(); // all 80 resubscribe at once on the new socket
  await until(() => frames.length === 80, 20000, () => `${frames.length} of 80 resumed`);
  assert.deepEqual(frames.map((frame) => frame.cursor).sort(), [...cursors].sort()); // since = cursor
  assert.deepEqual(errors, []); // nothing refused: no throttled frame, no 4429
  assert.ok(subscriptions.every((sub) => sub.ended === null));
});

test("a provider that fails is asked again on a new connection, never skipped", async (t) => {
  let calls = 0;
  const client = connect(WS, {
    ...FAST,
    auth: () => {
      if (++calls === 1) throw new Error("the token endpoint is down");
      return `Token ${USERS.bob.token}`;
    },
  });
  t.after(() => client.close());
  const drafts = client.liveList("/api/articles/?status=draft");
  await until(() => drafts.ready, 10000, () => `calls ${calls}, state ${client.state}`);
  assert.equal(calls, 2);
  assert.equal(client.user, "bob"); // not anonymous: bob's own drafts
  assert.ok(drafts.items.every((item) => item.author === "bob"));
});

test("a refresh cut short by a lost socket resumes on the next one", async (t) => {
  let calls = 0;
  let client;
  const login = async () => {
    calls++;
    if (calls === 2) client.drop(); // the socket goes while the refresh runs
    const answer = await rest("POST", "/api/token/", { body: { username: "bob", password: USERS.bob.password } });
    return `Token ${answer.body.token}`;
  };
  client = connect(WS, { ...FAST, auth: login });
  t.after(() => client.close());
  const list = client.liveList("/api/articles/?status=draft");
  await until(() => list.ready, 5000);
  manage("drf_create_token", "-r", "bob"); // revoked: the server ends the subscription
  await until(() => calls >= 3, 10000, () => `calls ${calls}`);
  const token = (await login()).slice("Token ".length);
  const created = await rest("POST", "/api/articles/", { token, body: { title: "after", status: "draft" } });
  await until(() => list.items.some((item) => item.id === created.body.id), 10000, () => "no event");
  assert.equal(list.subscription.ended, null);
});

// Convergence over real sockets: random writes over REST while the clients' sockets are
// dropped at random points, the server closes old connections with 4008, and the server
// restarts once (tests/e2e/test_js_client.py restarts it). At the end every live list
// equals a fresh GET of its URL, and no list applied an event out of order.
import assert from "node:assert/strict";
import { test } from "node:test";

import { connect } from "../../django_realtime/static/django_realtime/realtime.js";
import { SEED, USERS, WS, position, random, rest, sleep, until } from "./helpers.mjs";

const DURATION = Number(process.env.REALTIME_DURATION || 20000);
const BACKOFF = { initial: 200, max: 3000 };

/** How a live list differs from the GET: ids it lacks, ids it has too many, ids whose
 * item differs (and how), and whether the order differs. */
function describe(record, expected) {
  const live = new Map(record.list.items.map((item) => [item.id, item]));
  const fresh = new Map(expected.map((item) => [item.id, item]));
  const changed = [...fresh.keys()].filter((id) => live.has(id) && JSON.stringify(live.get(id)) !== JSON.stringify(fresh.get(id)));
  return {
    list: `${record.user} ${record.path}`,
    missing: [...fresh.keys()].filter((id) => !live.has(id)),
    extra: [...live.keys()].filter((id) => !fresh.has(id)),
    changed: changed.map((id) => ({ live: live.get(id), get: fresh.get(id) })),
    order: { live: [...live.keys()], get: [...fresh.keys()] },
  };
}

async function login(user) {
  const answer = await rest("POST", "/api/token/", { body: { username: user, password: USERS[user].password } });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.token;
}

test(`live lists converge through drops, 4008 closes and a server restart (seed ${SEED})`, async (t) => {
  const rand = random();
  const pick = (items) => items[Math.floor(rand() * items.length)];
  const closes = { alice: [], bob: [], anonymous: [] };
  const clients = {
    alice: connect(WS, { auth: async () => `Token ${await login("alice")}`, backoff: BACKOFF }),
    bob: connect(WS, { auth: () => `Token ${USERS.bob.token}`, backoff: BACKOFF }),
    anonymous: connect(WS, { backoff: BACKOFF }),
  };
  t.after(() => Object.values(clients).forEach((client) => client.close()));
  for (const [user, client] of Object.entries(clients)) {
    client.on("close", (code) => closes[user].push(code));
    if (process.env.REALTIME_DEBUG) {
      const log = (...args) => console.error(new Date().toISOString().slice(11, 23), user, ...args);
      client.on("frame", (frame) => log("<", JSON.stringify(frame).slice(0, 160)));
      client.on("state", (state) => log("state", state));
      client.on("close", (code, reason) => log("close", code, reason));
      client.on("error", (error) => log("error", error.message));
    }
  }

  const outOfOrder = [];
  const watch = (user, path) => {
    const record = { user, path, last: -1n, applied: 0 };
    record.list = clients[user].liveList(path, (items, change) => {
      if (change.type !== "event" && change.type !== "reset") return;
      const at = position(change.frame.cursor);
      if (at < record.last) outOfOrder.push(`${user} ${path}: ${change.frame.cursor} after position ${record.last}`);
      record.last = at;
      record.applied++;
    });
    return record;
  };
  const records = [
    watch("alice", "/api/articles/"),
    watch("alice", "/api/articles/?status=draft"),
    watch("bob", "/api/articles/?status=published"),
    watch("bob", "/api/articles/"),
    watch("anonymous", "/api/articles/"),
  ];
  await until(() => records.every((r) => r.list.ready), 10000, () => "the lists did not load");

  // Writes: each user creates, edits and deletes articles of their own (at most 12 each,
  // so every list fits one page of the GET).
  const own = { alice: [], bob: [] };
  const stop = Date.now() + DURATION;
  let writes = 0;
  const writer = async (user) => {
    while (Date.now() < stop) {
      const token = USERS[user].token;
      const mine = own[user];
      const roll = rand();
      if (mine.length < 3 || (roll < 0.4 && mine.length < 12)) {
        const status = pick(["draft", "published"]);
        const created = await rest("POST", "/api/articles/", { token, body: { title: `${user} ${writes}`, status } });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        mine.push(created.body.id);
      } else if (roll < 0.8) {
        const id = pick(mine);
        const body = rand() < 0.5 ? { status: pick(["draft", "published"]) } : { title: `${user} edit ${writes}` };
        const patched = await rest("PATCH", `/api/articles/${id}/`, { token, body });
        assert.equal(patched.status, 200, JSON.stringify(patched.body));
      } else {
        const id = mine.splice(Math.floor(rand() * mine.length), 1)[0];
        const deleted = await rest("DELETE", `/api/articles/${id}/`, { token });
        assert.ok([204, 404].includes(deleted.status), `DELETE: ${deleted.status}`); // 404: a retry after a lost answer
      }
      writes++;
      await sleep(20 + rand() * 130);
    }
  };
  const dropper = async () => {
    while (Date.now() < stop) {
      await sleep(300 + rand() * 2200);
      pick(Object.values(clients)).drop();
    }
  };
  await Promise.all([writer("alice"), writer("bob"), dropper()]);

  // Converged: each list equals the GET of its URL, as its user.
  let differences = [];
  const compare = async () => {
    differences = [];
    for (const record of records) {
      const token = USERS[record.user]?.token;
      const fresh = await rest("GET", record.path, { token });
      const expected = JSON.stringify(fresh.body.results);
      if (JSON.stringify(record.list.items) !== expected) {
        differences.push(describe(record, fresh.body.results));
      }
    }
    return differences.length === 0;
  };
  const writesEnded = Date.now();
  await until(compare, 30000, () => `did not converge:\n${differences.map((d) => JSON.stringify(d)).join("\n")}`);

  assert.deepEqual(outOfOrder, []);
  for (const record of records) {
    assert.equal(record.list.error, null, `${record.user} ${record.path}`);
    assert.ok(record.applied > 0, `${record.user} ${record.path} applied no event`);
  }
  for (const [user, codes] of Object.entries(closes)) {
    // The server's restart reached every client; MAX_CONNECTION_AGE closed some with 4008.
    assert.ok(codes.some((code) => code !== 4000 && code !== 4008), `${user}: no close by the restart (${codes})`);
  }
  assert.ok(Object.values(closes).flat().includes(4008), "no 4008 close: MAX_CONNECTION_AGE did not apply");
  console.log(`converged ${Date.now() - writesEnded} ms after the last write: ${writes} writes, closes ${JSON.stringify(closes)}, events applied ${records.map((r) => r.applied)}`);
});

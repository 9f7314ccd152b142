// Shared by the Node tests of the JS client. tests/e2e/test_js_client.py starts the server
// and passes its addresses and the seeded users in the environment.
import { execFileSync } from "node:child_process";

export const HTTP = need("REALTIME_HTTP");
export const WS = need("REALTIME_WS");
export const USERS = JSON.parse(need("REALTIME_USERS")); // {name: {token, password}}
export const SEED = Number(process.env.REALTIME_SEED || Date.now() % 100000);

function need(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests through tests/e2e/test_js_client.py`);
  return value;
}

/** A seeded PRNG (mulberry32): a failing run can be repeated with REALTIME_SEED. */
export function random(seed = SEED) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** An HTTP request to the server, retried while it is down (it restarts once). */
export async function rest(method, path, { token, body, retry = true } = {}) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Token ${token}`;
  for (let attempt = 0; ; attempt++) {
    try {
      const signal = AbortSignal.timeout(10000); // a request the restart cut off: try again
      const response = await fetch(HTTP + path, { method, headers, body: body && JSON.stringify(body), signal });
      if (response.status >= 502 && retry && attempt < 200) throw new Error(`${response.status}`);
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    } catch (error) {
      if (!retry || attempt >= 200) throw error;
      await sleep(100); // the server is restarting
    }
  }
}

/** Wait until `condition()` is true; throw `message()` after `timeout` ms. */
export async function until(condition, timeout, message) {
  const deadline = Date.now() + timeout;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(message ? message() : "timed out");
    await sleep(100);
  }
}

/** `manage.py args...` in the test's deployment (its database and layer). */
export function manage(...args) {
  return execFileSync(need("REALTIME_PYTHON"), [need("REALTIME_MANAGE"), ...args], { encoding: "utf8" });
}

/** The position of a cursor ("<epoch>-<n>") in its log. */
export function position(cursor) {
  return BigInt(cursor.split("-").pop());
}

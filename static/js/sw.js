// backpain's service worker. backpain/pwa.py serves it from /sw.js with a first line that
// defines CONFIG (cache version, page URLs). A plain script: no module syntax.
//
// What it keeps, and why that is safe on a shared device:
// - Static files: cache-first when the name carries a content hash, network-first otherwise.
// - The exercise library, exercise pages and the routine player: the page itself always comes
//   from the network while there is one; the copy kept for offline use is fetched again with
//   credentials "omit", an anonymous request, so it holds nobody's data. A response to a
//   request sent with the person's cookies is never stored.
// - While the server says the care gate is closed (X-Care-Gate: closed), those copies are
//   deleted and none is served, so an offline copy never opens what the server keeps closed.
// - A page served from a copy carries <meta name="backpain-copy">, so the page knows it.
// - A session log posted while offline is kept in IndexedDB and posted again, once, when the
//   connection returns; the form's client_token makes a repeat harmless on the server.
// Logging out answers with Clear-Site-Data, which empties all of this.

const STATIC_CACHE = `backpain-static-${CONFIG.version}`;
const PAGE_CACHE = `backpain-pages-${CONFIG.version}`;
const OFFLINE_CACHE = `backpain-offline-${CONFIG.version}`;
const CURRENT = [STATIC_CACHE, PAGE_CACHE, OFFLINE_CACHE];
const CONTENT = [/^\/exercises\/$/, /^\/exercises\/routine\/$/, /^\/exercises\/[-\w]+\/$/];
const HASHED = /\.[0-9a-f]{12}\.\w+$/;
const SYNC_TAG = "backpain-outbox";
const FORM = "application/x-www-form-urlencoded";

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("backpain-") && !CURRENT.includes(name)) await caches.delete(name);
      }
      await self.clients.claim();
      await flush();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === CONFIG.logUrl) {
    event.respondWith(postLog(event, url));
  } else if (request.method !== "GET") {
    return;
  } else if (url.pathname.startsWith(CONFIG.staticUrl)) {
    event.respondWith(staticFile(request, url));
  } else if (request.mode === "navigate") {
    event.respondWith(navigate(event, url));
  }
});

self.addEventListener("sync", (event) => {
  if (event.tag === SYNC_TAG) event.waitUntil(flush());
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "page") event.waitUntil(pageLoaded(data, event.source));
  else if (data.type === "gate") event.waitUntil(noteGate(data.state));
  else if (data.type === "flush") event.waitUntil(flush());
});

// Pages

function isContent(url) {
  return CONTENT.some((pattern) => pattern.test(url.pathname));
}

async function navigate(event, url) {
  let response;
  try {
    response = await fetch(event.request);
  } catch (error) {
    const copy = (await offlineCopy(url)) || (await fromOfflineCache(CONFIG.offlineUrl));
    return copy ? markedCopy(copy) : plainOffline();
  }
  const gate = response.headers.get("X-Care-Gate");
  if (gate) await noteGate(gate);
  if (isContent(url) && response.ok && gate === "open") event.waitUntil(keepCopy(url));
  event.waitUntil(flush());
  return response;
}

async function offlineCopy(url) {
  if (url.pathname === CONFIG.offlineUrl || url.pathname === CONFIG.savedUrl) {
    return fromOfflineCache(url.pathname);
  }
  if (!isContent(url) || !(await gateOpen())) return undefined;
  const cache = await caches.open(PAGE_CACHE);
  return cache.match(url.href, { ignoreVary: true });
}

async function fromOfflineCache(path) {
  const cache = await caches.open(OFFLINE_CACHE);
  return cache.match(path, { ignoreVary: true });
}

// A page served from a copy says so (a meta tag the server never sends): sw-register.js then
// leaves the device's record of who is signed in alone, and routine.js may offer the one-tap
// log to the patient recorded there.
async function markedCopy(response) {
  const html = await response.text();
  const headers = new Headers(response.headers);
  headers.delete("Content-Length");
  const body = html.replace("<head>", '<head><meta name="backpain-copy" content="offline">');
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

function plainOffline() {
  const body =
    '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    "<title>You are offline · backpain</title></head><body><main><h1>You are offline</h1>" +
    "<p>This page needs a connection. Try again when you are back online.</p></main></body></html>";
  return new Response(body, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

// An anonymous copy: no cookies go out, so the server answers as to a stranger.
async function anonymous(url) {
  return fetch(url, { credentials: "omit", cache: "no-store", redirect: "error" });
}

function storable(response) {
  const control = response.headers.get("Cache-Control") || "";
  return (
    response.ok &&
    response.type === "basic" &&
    !/no-store|private/.test(control) &&
    response.headers.get("X-Care-Gate") !== "closed"
  );
}

async function keepCopy(url) {
  let response;
  try {
    response = await anonymous(url.href);
  } catch (error) {
    return;
  }
  const type = response.headers.get("Content-Type") || "";
  if (!storable(response) || !type.startsWith("text/html")) return;
  const html = await response.clone().text();
  // The gate may have closed while this was on its way.
  if (!(await gateOpen())) return;
  await (await caches.open(PAGE_CACHE)).put(url.href, response);
  await keepStatic(assetsIn(html));
}

function assetsIn(html) {
  const found = html.matchAll(/(?:src|href)="([^"]+)"/g);
  return [...found].map((match) => match[1]).filter((path) => path.startsWith(CONFIG.staticUrl));
}

async function precache() {
  const cache = await caches.open(OFFLINE_CACHE);
  for (const path of [CONFIG.offlineUrl, CONFIG.savedUrl]) {
    const response = await anonymous(path);
    if (!storable(response)) throw new Error(`cannot keep ${path}`);
    const html = await response.clone().text();
    await cache.put(path, response);
    await keepStatic(assetsIn(html));
  }
}

// The page tells the worker about itself after each load: who is signed in (an opaque
// mark), which static files it used, and whether the worker saw it being fetched.
async function pageLoaded(data, client) {
  if (data.account) await setState("account", data.account);
  const paths = (data.assets || []).map((href) => new URL(href).pathname);
  await keepStatic(paths.filter((path) => path.startsWith(CONFIG.staticUrl)));
  const url = new URL(data.url);
  if (!data.controlled && data.online && isContent(url)) {
    // The first visit, before the worker was in charge: ask for the gate (with the
    // person's cookies; only a header is read) before keeping an anonymous copy.
    try {
      const head = await fetch(url.href, { method: "HEAD", credentials: "same-origin" });
      const gate = head.headers.get("X-Care-Gate");
      if (gate) await noteGate(gate);
      if (gate === "open") await keepCopy(url);
    } catch (error) {
      // Offline again: the next visit keeps the copy.
    }
  }
  // A flush that sent something has told every page already (and the news is not repeated).
  const told = data.online && (await flush());
  if (!told) await tell(client);
}

// Care gate

async function noteGate(state) {
  if (state !== "open" && state !== "closed") return;
  await setState("gate", state);
  if (state === "closed") await caches.delete(PAGE_CACHE);
}

async function gateOpen() {
  return (await getState("gate")) === "open";
}

// Static files

async function staticFile(request, url) {
  const cache = await caches.open(STATIC_CACHE);
  if (HASHED.test(url.pathname)) {
    const hit = await cache.match(url.pathname);
    if (hit) return hit;
  }
  try {
    const response = await anonymous(url.pathname);
    if (storable(response)) await cache.put(url.pathname, response.clone());
    return response;
  } catch (error) {
    const hit = await cache.match(url.pathname);
    if (hit) return hit;
    throw error;
  }
}

async function keepStatic(paths) {
  const cache = await caches.open(STATIC_CACHE);
  for (const path of new Set(paths)) {
    if (await cache.match(path)) continue;
    try {
      const response = await anonymous(path);
      if (storable(response)) await cache.put(path, response);
    } catch (error) {
      return;
    }
  }
}

// Sessions logged offline

// A form from an offline copy (routine.js adds ?copy to its action) holds a stranger's CSRF
// token, so it never goes straight to the server: it is kept, then sent the usual way with a
// fresh token (by the saved page's load, if the connection is back).
async function postLog(event, url) {
  const request = event.request;
  const body = await request.clone().text();
  const type = request.headers.get("Content-Type") || "";
  const fromCopy = url.searchParams.has("copy") && type.startsWith(FORM);
  try {
    if (fromCopy) throw new Error("a form from an offline copy");
    return await fetch(request);
  } catch (error) {
    if (!type.startsWith(FORM)) throw error;
    const account = (await getState("account")) || "";
    await outbox("readwrite", (store) => store.add({ body, account, kept: Date.now() }));
    try {
      // From a copy, the saved page's load or its "online" event sends it and tells that page.
      if (!fromCopy) await self.registration.sync.register(SYNC_TAG);
    } catch (syncError) {
      // No Background Sync here: the next page load, fetch or "online" event sends it.
    }
    await tellAll();
    if (request.headers.get("HX-Request")) {
      return new Response("", { headers: { "HX-Redirect": CONFIG.savedUrl } });
    }
    const saved = await fromOfflineCache(CONFIG.savedUrl);
    return saved ? markedCopy(saved) : plainOffline();
  }
}

let flushing = null;
let again = false;

// One run at a time, whichever of sync, activate, a page or a fetch asked for it. A request
// that arrives during a run gets one more run after it: the run under way may have started
// before the connection came back (a sync event fires at once under emulated offline) and
// found nothing it could send, and the "online" message would otherwise be lost in it.
// A send that finds no network tries again a few times, a couple of seconds apart: the
// "online" event can come a moment before the worker's own requests get through (seen on a
// loaded machine), and a patchy phone connection does the same.
const RETRIES = 10;
const RETRY_MS = 2000;
const OFFLINE = "offline";

function flush() {
  if (flushing) {
    again = true;
    return flushing;
  }
  // Resolves true when a run told the pages (sendKept does, when there was something).
  flushing = (async () => {
    let told = false;
    let tries = 0;
    do {
      again = false;
      const result = await sendKept();
      if (result === OFFLINE && tries < RETRIES) {
        tries += 1;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        again = true;
      }
      told = result === true || told;
    } while (again);
    return told;
  })().finally(() => (flushing = null));
  return flushing;
}

async function sendKept() {
  const kept = await outbox("readonly", (store) => store.getAll());
  if (!kept.length) return;
  // A fresh CSRF token from the log page (the cookie is HttpOnly; the one in a kept form
  // may be stale). Signed out, or the gate closed: keep everything for later.
  let page;
  try {
    page = await fetch(CONFIG.logUrl, { redirect: "manual", cache: "no-store" });
  } catch (error) {
    return OFFLINE;
  }
  if (page.status !== 200 || page.headers.get("X-Care-Gate") === "closed") return;
  const html = await page.text();
  const token = (html.match(/name="csrfmiddlewaretoken" value="([^"]+)"/) || [])[1];
  const account = (html.match(/<meta name="backpain-account" content="([^"]+)"/) || [])[1];
  if (!token) return;
  for (const entry of kept) {
    // Kept while someone else was signed in: only that account may receive it.
    if (entry.account && entry.account !== account) continue;
    const form = new URLSearchParams(entry.body);
    form.set("csrfmiddlewaretoken", token);
    let response;
    try {
      response = await fetch(CONFIG.logUrl, {
        method: "POST",
        body: form,
        redirect: "manual",
        cache: "no-store",
      });
    } catch (error) {
      await tellAll();
      return OFFLINE;
    }
    const status = response.type === "opaqueredirect" ? 302 : response.status;
    if (response.headers.get("X-Care-Gate") === "closed" || status === 403 || status >= 500) break;
    if (status === 200) {
      // Shown again with a problem beside a field: sending it again cannot help.
      await drop(entry, "the form came back with a problem to fix");
    } else if (status >= 400) {
      await drop(entry, `the server refused it (${status})`);
    } else {
      await outbox("readwrite", (store) => store.delete(entry.id));
      await setState("sent", ((await getState("sent")) || 0) + 1);
    }
  }
  await tellAll();
  return true;
}

async function drop(entry, reason) {
  await outbox("readwrite", (store) => store.delete(entry.id));
  const notes = (await getState("notes")) || [];
  notes.push(`A session kept on this device on ${new Date(entry.kept).toLocaleString("en-GB")} could not be sent: ${reason}. Please log it again.`);
  await setState("notes", notes);
}

// What the pages show: how many sessions wait, how many went, and what was dropped.
async function report() {
  const pending = await outbox("readonly", (store) => store.count());
  const message = {
    type: "outbox",
    pending,
    sent: (await getState("sent")) || 0,
    notes: (await getState("notes")) || [],
  };
  await setState("sent", 0);
  await setState("notes", []);
  return message;
}

async function tell(client) {
  if (client) client.postMessage(await report());
}

async function tellAll() {
  const clients = await self.clients.matchAll({ type: "window" });
  if (!clients.length) return;
  const message = await report();
  for (const client of clients) client.postMessage(message);
}

// IndexedDB: "outbox" holds kept posts, "state" the gate, the account mark and notes.

function database() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open("backpain", 1);
    open.onupgradeneeded = () => {
      open.result.createObjectStore("outbox", { keyPath: "id", autoIncrement: true });
      open.result.createObjectStore("state");
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

async function transact(storeName, mode, work) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(storeName, mode);
    const request = work(transaction.objectStore(storeName));
    transaction.oncomplete = () => {
      db.close();
      resolve(request ? request.result : undefined);
    };
    transaction.onerror = transaction.onabort = () => {
      db.close();
      reject(transaction.error);
    };
  });
}

function outbox(mode, work) {
  return transact("outbox", mode, work);
}

function getState(key) {
  return transact("state", "readonly", (store) => store.get(key));
}

function setState(key, value) {
  return transact("state", "readwrite", (store) => store.put(value, key));
}

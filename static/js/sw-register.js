// Install the service worker (static/js/sw.js, served at /sw.js) and keep the person told
// about sessions kept on this device until they are sent. Loaded as a module with the nonce.

const WORKER = "/sw.js";

function statusLine() {
  let line = document.querySelector("[data-offline-status]");
  if (!line) {
    line = document.createElement("p");
    line.className = "message message--warning";
    line.dataset.offlineStatus = "";
    line.hidden = true;
    // Inside the messages region (role="status"), so screen readers hear the change.
    const region = document.querySelector(".messages") || document.querySelector("main");
    if (region) region.append(line);
  }
  return line;
}

function plural(count, one, many) {
  return count === 1 ? one : many.replace("%d", String(count));
}

function show({ pending = 0, sent = 0, notes = [] }) {
  const parts = [];
  if (!navigator.onLine) {
    parts.push("You are offline: pages opened here before still work from this device.");
  }
  if (pending > 0) {
    parts.push(
      plural(pending, "One session is", "%d sessions are") +
        " saved on this device and will be sent when you are back online.",
    );
  }
  if (sent > 0) {
    parts.push(plural(sent, "Your session saved offline has been sent.", "Your %d sessions saved offline have been sent."));
  }
  parts.push(...notes);
  const line = statusLine();
  line.dataset.pending = String(pending);
  line.className = notes.length ? "message message--error" : pending || !navigator.onLine ? "message message--warning" : "message";
  line.textContent = parts.join(" ");
  line.hidden = parts.length === 0;
}

async function start() {
  const controlled = Boolean(navigator.serviceWorker.controller);
  const registration = await navigator.serviceWorker.register(WORKER, { scope: "/" });
  const ready = await navigator.serviceWorker.ready;
  const worker = ready.active || registration.active;
  if (!worker) return;
  const post = (message) => worker.postMessage(message);

  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data && event.data.type === "outbox") show(event.data);
  });
  const account = document.querySelector('meta[name="backpain-account"]');
  post({
    type: "page",
    url: location.href,
    controlled,
    online: navigator.onLine,
    account: account ? account.content : "",
    assets: performance.getEntriesByType("resource").map((entry) => entry.name),
  });
  window.addEventListener("online", () => {
    show({});
    post({ type: "flush" });
  });
  window.addEventListener("offline", () => show({}));
  // htmx requests do not pass through the worker's page handling: relay the gate's state.
  document.addEventListener("htmx:afterRequest", (event) => {
    const xhr = event.detail && event.detail.xhr;
    const gate = xhr && xhr.getResponseHeader("X-Care-Gate");
    if (gate) post({ type: "gate", state: gate });
  });
}

// Whether a patient is signed in on this device, for the routine player's offline copy
// (routine.js). Only a page from the server says so: its account meta carries data-patient for
// a patient; no meta (nobody signed in) or a clinician's clears it. A page served from the
// worker's anonymous copy (marked backpain-copy) says nothing either way. Logging out empties
// localStorage anyway (Clear-Site-Data: "storage").
const PATIENT_KEY = "backpain-patient"; // routine.js reads it too.

function rememberPatient() {
  if (!navigator.onLine || document.querySelector('meta[name="backpain-copy"]')) return;
  const meta = document.querySelector('meta[name="backpain-account"]');
  try {
    if (meta && meta.hasAttribute("data-patient")) window.localStorage.setItem(PATIENT_KEY, meta.content);
    else window.localStorage.removeItem(PATIENT_KEY);
  } catch {
    // Storage blocked: the offline copy offers the log-in link, as to a guest.
  }
}

rememberPatient();

if ("serviceWorker" in navigator) {
  start().catch(() => {
    // No worker (private mode, blocked storage): the site works as before, online only.
  });
}

// Hands-free routine player (templates/exercises/_player.html).
//
// It runs every exercise in turn: a "get ready" count-in, then each set and side (reps paced
// at the patient's tempo with a beep each, or counted with a tap; holds, timed work and
// breathing counted down), with rests between. It shows the current exercise's steps and cues
// (copied from the list the server renders for everyone), the set and side, and the time left
// for the whole routine; it keeps the screen awake while running and, at the end, readies the
// one-tap log form the server put on the page. Timing rules match apps/exercises/player.py.
//
// Query parameters shorten a run (documented for quick checks and the browser tests):
// ?tempo=1 (seconds a rep) &ready=1 (count-in) &hold=2 &duration=3 &rest=1 &sets=2 &reps=3.
import { beep, bindSpaceKey, isGated } from "./timer.js";

const params = new URLSearchParams(window.location.search);
const SWITCH_SECONDS = 3;
const SET_REST_SECONDS = 10;
const SIDE_NAMES = { left: "left side", right: "right side" };
const BREATH_LABELS = { inhale: "Breathe in", hold: "Hold", exhale: "Breathe out", hold_after: "Hold" };
const BREATH_STEPS = ["inhale", "hold", "exhale", "hold_after"];
const STORE = { tempo: "routine-tempo", ready: "routine-ready", mode: "routine-rep-mode", mute: "timer-muted" };

function override(name) {
  const value = params.get(name);
  return value !== null && /^\d{1,4}$/.test(value) ? Number(value) : null;
}

function stored(key) {
  try { return window.localStorage.getItem(key); } catch { return null; }
}

function store(key, value) {
  try { window.localStorage.setItem(key, value); } catch { /* private mode: not remembered */ }
}

const pad = (n) => String(n).padStart(2, "0");

function formatClock(seconds) {
  const whole = Math.max(0, Math.ceil(seconds - 0.001));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  return hours ? `${hours}:${pad(minutes)}:${pad(whole % 60)}` : `${minutes}:${pad(whole % 60)}`;
}

function localDate() {
  const now = new Date();
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

// One exercise as phases: count-in, then each set and side, with rests between.
function exercisePhases(item, index, settings) {
  const restOverride = override("rest");
  const rest = restOverride ?? (item.rest || 0);
  const sets = Math.max(1, override("sets") ?? item.sets ?? 1);
  const reps = item.reps ? Math.max(1, override("reps") ?? item.reps) : 1;
  const hold = item.hold ? (override("hold") ?? item.hold) : null;
  const duration = !item.hold && item.duration ? (override("duration") ?? item.duration) : null;
  const sides = item.perSide ? ["left", "right"] : [""];
  const base = { item: index, sets };
  const phases = [{ ...base, kind: "ready", seconds: settings.ready, set: 1, side: sides[0] }];
  for (let set = 1; set <= sets; set += 1) {
    sides.forEach((side, sideIndex) => {
      const at = { ...base, set, side };
      if (hold !== null) {
        for (let rep = 1; rep <= reps; rep += 1) {
          phases.push({ ...at, kind: "hold", seconds: hold, rep, reps, work: true });
          if (rep < reps && rest > 0) phases.push({ ...at, kind: "rest", seconds: rest });
        }
      } else if (duration !== null) {
        phases.push({ ...at, kind: item.breathing ? "breathe" : "timed", seconds: duration, work: true });
      } else {
        phases.push({ ...at, kind: "reps", seconds: reps * settings.tempo, reps, work: true });
      }
      if (sideIndex < sides.length - 1) {
        const seconds = restOverride ?? Math.max(rest, SWITCH_SECONDS);
        phases.push({ ...base, kind: "switch", seconds, set, side: sides[sideIndex + 1] });
      }
    });
    if (set < sets) {
      const seconds = restOverride ?? Math.max(rest, SET_REST_SECONDS);
      phases.push({ ...base, kind: "setrest", seconds, set: set + 1, side: sides[0] });
    }
  }
  return phases.filter((phase) => phase.work || phase.seconds > 0);
}

// The Screen Wake Lock API where the browser has it; silently nothing where it does not.
// data-wake-lock on the player says what happened: held, off, refused or unsupported.
class WakeLock {
  constructor(root) {
    this.root = root;
    this.sentinel = null;
    this.wanted = false;
    this.supported = "wakeLock" in navigator;
    this.root.dataset.wakeLock = this.supported ? "off" : "unsupported";
  }

  async acquire() {
    this.wanted = true;
    if (!this.supported || this.sentinel) return;
    try {
      const sentinel = await navigator.wakeLock.request("screen");
      if (!this.wanted) {
        sentinel.release();
        return;
      }
      this.sentinel = sentinel;
      this.root.dataset.wakeLock = "held";
      // The browser lets go when the page is hidden; visibilitychange asks again.
      sentinel.addEventListener("release", () => {
        if (this.sentinel !== sentinel) return;
        this.sentinel = null;
        this.root.dataset.wakeLock = "off";
      });
    } catch {
      this.root.dataset.wakeLock = "refused";
    }
  }

  release() {
    this.wanted = false;
    if (!this.supported) return;
    const sentinel = this.sentinel;
    this.sentinel = null;
    this.root.dataset.wakeLock = "off";
    if (sentinel) sentinel.release().catch(() => {});
  }
}

class Player {
  constructor(root, items) {
    this.root = root;
    this.items = items;
    this.el = {};
    for (const node of root.querySelectorAll("[data-role]")) this.el[node.dataset.role] = node;
    this.buttons = {};
    for (const node of root.querySelectorAll("[data-action]")) this.buttons[node.dataset.action] = node;
    this.inputs = {};
    for (const node of root.querySelectorAll("[data-setting]")) {
      this.inputs[node.id] = node;
    }
    this.listItems = [...document.querySelectorAll("[data-routine-item]")];
    this.plan = document.querySelector("[data-routine-plan]");
    this.done = document.querySelector('[data-role="done"]');
    this.wake = new WakeLock(root);
    this.state = "idle";
    this.item = 0;
    this.workDone = items.map(() => 0);
    this.readSettings();
    this.bind();
    this.build();
    if (this.done) this.done.hidden = true;
    // With the player running, the list keeps names and doses; the steps show up here.
    if (this.plan) this.plan.classList.add("routine-plan--live");
    root.hidden = false;
    this.preview(0);
  }

  // Settings: the page's defaults, then what this person chose before, then ?tempo= / ?ready=.
  readSettings() {
    const tempo = this.inputs["player-tempo"];
    const ready = this.inputs["player-ready"];
    const restore = (select, key) => {
      const value = stored(key);
      if (value !== null && [...select.options].some((option) => option.value === value)) {
        select.value = value;
      }
    };
    restore(tempo, STORE.tempo);
    restore(ready, STORE.ready);
    const mode = stored(STORE.mode) === "tap" ? "tap" : "paced";
    this.inputs[`player-mode-${mode}`].checked = true;
    this.inputs["player-mute"].checked = stored(STORE.mute) === "1";
    this.settings = {
      tempo: Math.max(1, override("tempo") ?? Number(tempo.value)),
      ready: override("ready") ?? Number(ready.value),
      mode,
    };
  }

  bind() {
    const on = (action, handler) => this.buttons[action].addEventListener("click", handler);
    on("start", () => this.start());
    on("pause", () => this.togglePause());
    on("rep", () => this.countRep());
    on("previous", () => this.jump(this.item - 1));
    on("next", () => this.jump(this.item + 1));
    for (const id of ["player-tempo", "player-ready"]) {
      this.inputs[id].addEventListener("change", () => {
        const name = this.inputs[id].dataset.setting;
        store(STORE[name], this.inputs[id].value);
        this.settings[name] = Number(this.inputs[id].value);
        if (this.state === "idle") {
          this.build();
          this.preview(this.item);
        }
      });
    }
    for (const id of ["player-mode-paced", "player-mode-tap"]) {
      this.inputs[id].addEventListener("change", () => this.setMode(this.inputs[id].value));
    }
    this.inputs["player-mute"].addEventListener("change", () => {
      store(STORE.mute, this.inputs["player-mute"].checked ? "1" : "0");
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && this.state === "running") this.wake.acquire();
    });
  }

  build() {
    this.describeTotal();
    this.phases = this.items.flatMap((item, index) => exercisePhases(item, index, this.settings));
    this.firstPhase = this.items.map((_, index) => this.phases.findIndex((p) => p.item === index));
    // after[i]: seconds in every phase after phase i.
    this.after = new Array(this.phases.length).fill(0);
    for (let i = this.phases.length - 2; i >= 0; i -= 1) {
      this.after[i] = this.after[i + 1] + this.phases[i + 1].seconds;
    }
  }

  // The list's sentence about the whole routine, with this person's pace and count-in.
  describeTotal() {
    const summary = this.plan && this.plan.querySelector("[data-role='routine-total']");
    if (!summary) return;
    const { tempo, ready } = this.settings;
    const seconds = this.items.reduce((sum, item, index) => sum + exercisePhases(item, index, this.settings)
      .reduce((total, phase) => total + phase.seconds, 0), 0);
    const minutes = Math.ceil(seconds / 60);
    const about = seconds < 60 ? "Under a minute" : `About ${minutes} minute${minutes === 1 ? "" : "s"}`;
    const countIn = ready ? `a ${ready}-second count-in` : "no count-in";
    summary.textContent = `${about} in all, at ${tempo} second${tempo === 1 ? "" : "s"} a rep with ${countIn} before each exercise.`;
  }

  setState(state) {
    this.state = state;
    this.root.dataset.state = state;
    const running = state === "running" || state === "paused";
    this.buttons.start.hidden = running;
    this.buttons.pause.hidden = !running;
    this.buttons.pause.textContent = state === "paused" ? "Resume" : "Pause";
    this.inputs["player-tempo"].disabled = running;
    this.inputs["player-ready"].disabled = running;
  }

  announce(text) {
    this.el.announce.textContent = text;
  }

  sound(frequency, seconds) {
    if (!this.inputs["player-mute"].checked) beep(frequency, seconds);
  }

  cue() {
    this.sound(660, 0.35);
    this.root.classList.remove("player--flash");
    void this.root.offsetWidth; // Restart the flash animation.
    this.root.classList.add("player--flash");
  }

  // The exercise on show: name, place in the routine, its steps and cues.
  showItem(index) {
    this.item = index;
    const item = this.items[index];
    const last = index === this.items.length - 1;
    this.el["current-name"].textContent = item.name;
    this.el.position.textContent = `Exercise ${index + 1} of ${this.items.length}`;
    this.el.next.textContent = last ? "Last one" : `Next: ${this.items[index + 1].name}`;
    this.listItems.forEach((li, i) => {
      if (i === index) li.setAttribute("aria-current", "step");
      else li.removeAttribute("aria-current");
    });
    const source = this.listItems[index]?.querySelector("[data-howto]");
    const howto = source ? source.cloneNode(true) : document.createElement("div");
    howto.removeAttribute("data-howto");
    // One level under the player's heading.
    for (const heading of howto.querySelectorAll("h4")) {
      const replacement = document.createElement("h3");
      replacement.className = heading.className;
      replacement.textContent = heading.textContent;
      heading.replaceWith(replacement);
    }
    this.el.howto.replaceChildren(howto);
    this.buttons.previous.disabled = index === 0;
    const idle = this.state === "idle";
    this.buttons.next.disabled = idle && last;
    this.buttons.next.textContent = !idle && last ? "Finish the routine" : "Next exercise";
  }

  describe(phase) {
    // A single round of breathing has no sets or sides to tell apart.
    if (this.items[phase.item].breathing && phase.sets === 1) return "";
    const parts = [`Set ${phase.set} of ${phase.sets}`];
    if (phase.side) parts.push(SIDE_NAMES[phase.side]);
    return parts.join(" · ");
  }

  label(phase) {
    switch (phase.kind) {
      case "ready": return "Get ready";
      case "hold": return "Hold";
      case "timed": return "Keep going";
      case "breathe": return "Breathe";
      case "reps": return this.settings.mode === "tap" ? "Tap after each rep" : "One rep with each beep";
      case "switch": return "Switch sides";
      case "setrest": return "Rest before the next set";
      default: return "Rest";
    }
  }

  // Before the start (or between runs): the exercise on show and the whole routine's time.
  preview(index) {
    this.showItem(index);
    const first = this.firstPhase[index];
    const phase = this.phases[first];
    this.el.phase.textContent = "Ready when you are";
    this.el.clock.textContent = formatClock(this.itemSeconds(index));
    this.el.detail.textContent = phase ? this.describe(phase) : "";
    this.el.count.textContent = "";
    this.el.pacer.hidden = true;
    this.el.total.textContent = formatClock(phase.seconds + this.after[first]);
    this.buttons.rep.hidden = true;
    delete this.root.dataset.phase;
  }

  itemSeconds(index) {
    return this.phases.filter((p) => p.item === index && p.kind !== "ready")
      .reduce((sum, p) => sum + p.seconds, 0);
  }

  start() {
    if (this.state !== "idle") return;
    this.build();
    this.workDone = this.items.map(() => 0);
    this.sound(880, 0.05); // Starts the audio while the click still counts as a gesture.
    const hadFocus = document.activeElement === this.buttons.start;
    this.setState("running");
    if (hadFocus) this.buttons.pause.focus(); // Start hides itself; Pause takes its place.
    this.wake.acquire();
    // On a phone the player's top goes to the top of the screen, clock and controls in view.
    this.root.scrollIntoView({ block: "start" });
    this.interval = setInterval(() => this.tick(), 100);
    this.enter(this.firstPhase[this.item]);
  }

  enter(index) {
    if (index >= this.phases.length) {
      this.finish();
      return;
    }
    this.index = index;
    const phase = this.phases[index];
    if (phase.item !== this.item || phase.kind === "ready") this.showItem(phase.item);
    this.banked = 0;
    this.since = performance.now();
    this.counted = 0;
    this.rep = 0;
    this.breathKey = null;
    this.root.dataset.phase = phase.kind;
    this.el.phase.textContent = this.label(phase);
    this.el.detail.textContent = this.describe(phase);
    this.el.clock.textContent = formatClock(phase.seconds);
    this.el.total.textContent = formatClock(phase.seconds + this.after[index]);
    this.el.count.textContent = (phase.kind === "hold" && phase.reps > 1) || this.tapping(phase)
      ? `Rep ${phase.rep || 1} of ${phase.reps}` : "";
    this.el.pacer.hidden = phase.kind !== "breathe";
    this.buttons.rep.hidden = !(phase.kind === "reps" && this.settings.mode === "tap");
    const name = this.items[phase.item].name;
    const where = [this.describe(phase), this.el.count.textContent].filter(Boolean).join(", ");
    if (phase.kind === "ready") {
      this.announce(`Get ready: ${name}.${where ? ` ${where}.` : ""}`);
    } else if (phase.kind !== "rest") {
      this.announce(`${this.label(phase)}.${where ? ` ${where}.` : ""}`);
    }
    this.tick();
  }

  elapsed() {
    return (this.banked + (this.state === "running" ? performance.now() - this.since : 0)) / 1000;
  }

  tapping(phase) {
    return phase.kind === "reps" && this.settings.mode === "tap";
  }

  tick() {
    if (this.state !== "running") return;
    const phase = this.phases[this.index];
    const elapsed = this.elapsed();
    const left = this.tapping(phase)
      ? (phase.reps - this.counted) * this.settings.tempo
      : phase.seconds - elapsed;
    this.el.clock.textContent = formatClock(left);
    this.el.total.textContent = formatClock(left + this.after[this.index]);
    if (phase.kind === "reps" && !this.tapping(phase)) this.paceRep(phase, elapsed);
    if (phase.kind === "breathe") this.breathe(phase, elapsed);
    if (!this.tapping(phase) && left <= 0) this.complete();
  }

  paceRep(phase, elapsed) {
    const rep = Math.min(phase.reps, Math.floor(elapsed / this.settings.tempo) + 1);
    if (rep === this.rep) return;
    this.rep = rep;
    this.sound(rep === phase.reps ? 1046 : 880, 0.12);
    this.el.count.textContent = `Rep ${rep} of ${phase.reps}`;
    this.root.dataset.rep = String(rep);
  }

  countRep() {
    const phase = this.phases[this.index];
    if (this.state !== "running" || !this.tapping(phase)) return;
    this.counted += 1;
    this.sound(880, 0.08);
    if (this.counted >= phase.reps) {
      this.complete();
      return;
    }
    this.el.count.textContent = `Rep ${this.counted + 1} of ${phase.reps}`;
    this.tick();
  }

  setMode(mode) {
    store(STORE.mode, mode);
    const phase = this.state === "idle" ? null : this.phases[this.index];
    // Mid-set, carry the reps done over to the new way of counting.
    if (phase && phase.kind === "reps") {
      if (mode === "tap") {
        this.counted = Math.min(phase.reps - 1, Math.floor(this.elapsed() / this.settings.tempo));
      } else {
        this.banked = this.counted * this.settings.tempo * 1000;
        this.since = performance.now();
        this.rep = 0;
      }
    }
    this.settings.mode = mode;
    if (phase && phase.kind === "reps") {
      this.el.phase.textContent = this.label(phase);
      this.buttons.rep.hidden = mode !== "tap";
      if (mode === "tap") this.el.count.textContent = `Rep ${this.counted + 1} of ${phase.reps}`;
      this.tick();
    }
  }

  breathe(phase, elapsed) {
    const pattern = this.items[phase.item].breathing;
    const steps = BREATH_STEPS.filter((name) => pattern[name] > 0);
    const cycle = steps.reduce((sum, name) => sum + pattern[name], 0);
    const rounds = Math.max(1, Math.ceil(phase.seconds / cycle));
    const round = Math.min(rounds, Math.floor(elapsed / cycle) + 1);
    let into = elapsed % cycle;
    let current = steps[0];
    for (const name of steps) {
      if (into < pattern[name]) { current = name; break; }
      into -= pattern[name];
    }
    const secondsLeft = Math.max(1, Math.ceil(pattern[current] - into));
    this.el["pacer-label"].textContent = `${BREATH_LABELS[current]} · ${secondsLeft}`;
    this.el["pacer-round"].textContent = `Round ${round} of ${rounds}`;
    const key = `${round}:${current}`;
    if (key === this.breathKey) return;
    this.breathKey = key;
    const shape = this.el["pacer-shape"];
    // CSSOM styles are allowed by the CSP (unlike style attributes).
    shape.style.transitionDuration = `${pattern[current]}s`;
    shape.classList.toggle("pacer__shape--full", current === "inhale" || current === "hold");
    this.root.dataset.breath = current;
  }

  complete() {
    const phase = this.phases[this.index];
    if (phase.work) {
      this.workDone[phase.item] += 1;
      this.cue();
    }
    this.enter(this.index + 1);
  }

  togglePause() {
    if (this.state === "running") {
      this.banked += performance.now() - this.since;
      this.setState("paused");
      this.wake.release();
      this.el.phase.textContent = `Paused: ${this.label(this.phases[this.index]).toLowerCase()}`;
      this.announce("Paused.");
    } else if (this.state === "paused") {
      this.since = performance.now();
      this.setState("running");
      this.wake.acquire();
      this.el.phase.textContent = this.label(this.phases[this.index]);
      this.announce("Resumed.");
      this.tick();
    }
  }

  toggle() {
    if (this.state === "idle") this.start();
    else this.togglePause();
  }

  jump(index) {
    if (index < 0) return;
    if (this.state === "idle") {
      if (index < this.items.length) this.preview(index);
      return;
    }
    if (index >= this.items.length) {
      this.finish();
      return;
    }
    const paused = this.state === "paused";
    this.enter(this.firstPhase[index]);
    if (paused) this.el.phase.textContent = `Paused: ${this.label(this.phases[this.index]).toLowerCase()}`;
  }

  finish() {
    clearInterval(this.interval);
    this.wake.release();
    this.setState("done");
    this.root.dataset.phase = "done";
    this.prepareLog();
    this.root.hidden = true;
    for (const li of this.listItems) li.removeAttribute("aria-current");
    if (!this.done) return;
    // Where the player was, so the save buttons are on screen.
    this.root.before(this.done);
    this.done.hidden = false;
    const heading = this.done.querySelector("h2");
    heading.textContent = "Routine complete";
    heading.focus();
  }

  // The log form the server rendered: a new token for this run, the local date, and only
  // the exercises actually done (a skipped one keeps no exercise, so the log leaves it out).
  prepareLog() {
    const form = this.done && this.done.querySelector('[data-role="log-form"]');
    if (!form) return;
    const token = form.querySelector('[data-role="log-token"]');
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      token.value = window.crypto.randomUUID();
    }
    form.querySelector('[data-role="log-date"]').value = localDate();
    const done = [];
    form.querySelectorAll("[data-log-entry]").forEach((row, index) => {
      const did = this.workDone[index] > 0;
      row.querySelector('[data-role="log-exercise"]').value = did ? this.items[index].slug : "";
      row.querySelector('[data-role="log-done"]').disabled = !did;
      if (did) done.push(this.items[index].slug);
    });
    const details = this.done.querySelector('[data-role="log-details"]');
    if (details && done.length) {
      const url = new URL(details.href);
      url.searchParams.set("items", done.join(","));
      details.href = url.pathname + url.search;
    }
  }
}

// Offline, this page is the service worker's anonymous copy, where the log form is hidden
// behind the guest's log-in link. If sw-register.js recorded a patient signed in on this
// device, offer them the form: the worker keeps the post, tagged with their account, and
// sends it once they are online and signed in.
function offerLogOffline() {
  if (!document.querySelector('meta[name="backpain-copy"]')) return;
  let patient = null;
  try { patient = window.localStorage.getItem("backpain-patient"); } catch { /* blocked */ }
  const quick = document.querySelector('[data-role="log-quick"]');
  if (!patient || !quick) return;
  quick.hidden = false;
  // The worker keeps this post rather than send the copy's stale CSRF token (sw.js postLog).
  const form = quick.querySelector("form");
  if (form) form.action = `${form.getAttribute("action")}?copy`;
  const guest = document.querySelector('[data-role="log-guest"]');
  if (guest) guest.hidden = true;
}

offerLogOffline();

const root = document.querySelector("[data-routine]");
// A gated player (unconfirmed emergency result) ships no settings and is left alone.
if (root && !isGated(root) && root.dataset.routineConfig) {
  const items = JSON.parse(root.dataset.routineConfig);
  if (items.length) {
    const player = new Player(root, items);
    bindSpaceKey(() => (player.state === "done" ? null : player));
  }
}

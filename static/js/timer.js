// Hold timer, rep counter and breathing pacer for one exercise.
//
// Durations (and the number of sets) can be set through the page URL
// (?ready=1&hold=2&rest=1&duration=3&sets=2&reps=1; the routine player takes the same and
// ?tempo=, see routine.js),
// which is how the browser tests run real timers quickly.

const params = new URLSearchParams(window.location.search);

function override(name) {
  const value = params.get(name);
  return value !== null && /^\d{1,4}$/.test(value) ? Number(value) : null;
}

const DEFAULT_READY = 5;
const SIDE_NAMES = { left: "left side", right: "right side" };

export function pick(name, fallback) {
  const value = override(name);
  return value === null ? fallback : value;
}

// Turn a dosage into the list of phases the timer runs through.
export function buildPhases(config) {
  const hold = pick("hold", config.hold);
  const duration = pick("duration", config.duration);
  const work = hold || duration;
  const rest = pick("rest", config.rest || 0);
  const sets = Math.max(1, pick("sets", config.sets || 1));
  const reps = config.reps && hold ? pick("reps", config.reps) : 1;
  const sides = config.perSide ? ["left", "right"] : [null];
  const phases = [{ type: "ready", seconds: pick("ready", DEFAULT_READY), label: "Get ready" }];
  const total = sets * sides.length * reps;
  let done = 0;
  for (let set = 1; set <= sets; set += 1) {
    sides.forEach((side, sideIndex) => {
      for (let rep = 1; rep <= reps; rep += 1) {
        done += 1;
        phases.push({
          type: "work", seconds: work, set, sets, rep, reps, side,
          label: hold ? "Hold" : (config.breathing ? "Breathe" : "Keep going"),
        });
        if (done === total) continue;
        const lastRepOfSide = rep === reps;
        if (lastRepOfSide && sideIndex < sides.length - 1) {
          phases.push({ type: "switch", seconds: Math.max(rest, override("rest") ?? 3), label: "Switch sides" });
        } else if (lastRepOfSide) {
          phases.push({ type: "rest", seconds: Math.max(rest, override("rest") ?? 10), label: "Rest before the next set" });
        } else if (rest > 0) {
          phases.push({ type: "rest", seconds: rest, label: "Rest" });
        }
      }
    });
  }
  return phases;
}

function formatClock(seconds) {
  const whole = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

function describe(phase) {
  if (phase.type !== "work") return "";
  const parts = [];
  if (phase.sets > 1) parts.push(`Set ${phase.set} of ${phase.sets}`);
  if (phase.reps > 1) parts.push(`Rep ${phase.rep} of ${phase.reps}`);
  if (phase.side) parts.push(SIDE_NAMES[phase.side]);
  return parts.join(" · ");
}

let audioContext = null;

// A short tone from an oscillator (no audio files). Call it first from a click, so the
// browser lets the audio context start.
export function beep(frequency = 880, seconds = 0.18) {
  try {
    audioContext = audioContext || new AudioContext();
    if (audioContext.state === "suspended") audioContext.resume();
    const oscillator = audioContext.createOscillator();
    const gain = audioContext.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.value = 0.15;
    oscillator.connect(gain).connect(audioContext.destination);
    oscillator.start();
    oscillator.stop(audioContext.currentTime + seconds);
  } catch {
    // No audio device (or no Web Audio): the visual flash and the announcement remain.
  }
}

// The server marks a timer or player data-gated while the person's care gate is closed.
export function isGated(element) {
  return element.hasAttribute("data-gated");
}

const BREATH_LABELS = { inhale: "Breathe in", hold: "Hold", exhale: "Breathe out", hold_after: "Hold" };

export class Timer {
  constructor(root, config) {
    this.root = root;
    this.el = {};
    for (const node of root.querySelectorAll("[data-role]")) this.el[node.dataset.role] = node;
    this.buttons = {};
    for (const node of root.querySelectorAll("[data-action]")) this.buttons[node.dataset.action] = node;
    this.el.mute.checked = window.localStorage.getItem("timer-muted") === "1";
    this.el.mute.addEventListener("change", () => {
      window.localStorage.setItem("timer-muted", this.el.mute.checked ? "1" : "0");
    });
    this.buttons.start.addEventListener("click", () => this.start());
    this.buttons.pause.addEventListener("click", () => this.togglePause());
    this.buttons.stop.addEventListener("click", () => this.stop());
    this.buttons.rep.addEventListener("click", () => this.countRep());
    root.hidden = false;
    this.load(config);
  }

  load(config) {
    this.halt();
    this.config = config;
    this.counter = !(config.hold || config.duration);
    this.phases = this.counter ? [] : buildPhases(config);
    this.index = -1;
    this.running = false;
    this.paused = false;
    this.repsCounted = 0;
    this.el.pacer.hidden = true;
    this.show("Ready when you are", this.counter ? "" : formatClock(this.phases[1]?.seconds || 0), this.counterText());
    this.buttons.start.hidden = false;
    this.buttons.start.textContent = "Start";
    this.buttons.pause.hidden = true;
    this.buttons.rep.hidden = true;
    this.buttons.stop.disabled = true;
  }

  counterReps() {
    return pick("reps", this.config.reps || 1) * (this.config.perSide ? 2 : 1);
  }

  counterText() {
    if (!this.counter) return describe(this.phases[1] || {});
    const reps = this.counterReps();
    const sets = pick("sets", this.config.sets || 1);
    const set = Math.min(sets, Math.floor(this.repsCounted / reps) + 1);
    const rep = this.repsCounted % reps;
    return `Set ${set} of ${sets} · ${rep} of ${reps} reps done`;
  }

  show(phase, clock, count) {
    this.el.phase.textContent = phase;
    this.el.clock.textContent = clock;
    this.el.count.textContent = count;
  }

  announce(text) {
    this.el.announce.textContent = text;
  }

  cue() {
    if (!this.el.mute.checked) beep();
    this.root.classList.remove("timer--flash");
    void this.root.offsetWidth; // Restart the flash animation.
    this.root.classList.add("timer--flash");
  }

  start() {
    // A timer the server marked gated (an unconfirmed emergency result) never starts.
    if (isGated(this.root)) return;
    this.buttons.start.hidden = true;
    this.buttons.stop.disabled = false;
    this.running = true;
    if (this.counter) {
      this.buttons.rep.hidden = false;
      this.repsCounted = 0;
      this.show("Count each rep as you finish it", "", this.counterText());
      this.announce(`Started. ${this.counterText()}`);
      this.buttons.rep.focus();
      return;
    }
    this.buttons.pause.hidden = false;
    this.buttons.pause.textContent = "Pause";
    this.enter(0);
  }

  countRep() {
    const reps = this.counterReps();
    const total = reps * pick("sets", this.config.sets || 1);
    this.repsCounted += 1;
    if (this.repsCounted >= total) {
      this.cue();
      this.finish();
      return;
    }
    if (this.repsCounted % reps === 0) this.cue();
    this.show("Count each rep as you finish it", "", this.counterText());
    this.announce(this.counterText());
  }

  enter(index) {
    this.index = index;
    const phase = this.phases[index];
    if (!phase) {
      this.finish();
      return;
    }
    this.remaining = phase.seconds;
    this.halfwayAnnounced = false;
    this.phaseStarted = performance.now();
    this.phaseLength = phase.seconds * 1000;
    const detail = describe(phase);
    this.show(phase.label, formatClock(phase.seconds), detail || describe(this.phases[index + 1] || {}));
    this.announce(`${phase.label}${detail ? `, ${detail}` : ""}, ${phase.seconds} seconds.`);
    this.root.dataset.phase = phase.type;
    this.el.pacer.hidden = !(phase.type === "work" && this.config.breathing);
    this.breathIndex = -1;
    this.schedule();
  }

  schedule() {
    clearInterval(this.interval);
    this.interval = setInterval(() => this.tick(), 100);
    this.tick();
  }

  tick() {
    if (!this.running || this.paused) return;
    const phase = this.phases[this.index];
    const elapsed = performance.now() - this.phaseStarted;
    const left = (this.phaseLength - elapsed) / 1000;
    this.el.clock.textContent = formatClock(left);
    if (phase.type === "work" && this.config.breathing) this.breathe(elapsed / 1000);
    if (phase.type === "work" && !this.halfwayAnnounced && phase.seconds >= 6 && left <= phase.seconds / 2) {
      this.halfwayAnnounced = true;
      this.announce("Halfway.");
    }
    if (left <= 0) {
      if (phase.type === "work") {
        this.cue();
        this.announce("Time.");
      }
      this.enter(this.index + 1);
    }
  }

  breathe(elapsedSeconds) {
    const pattern = this.config.breathing;
    const steps = ["inhale", "hold", "exhale", "hold_after"].filter((name) => pattern[name] > 0);
    const cycle = steps.reduce((sum, name) => sum + pattern[name], 0);
    let into = elapsedSeconds % cycle;
    let current = steps[0];
    for (const name of steps) {
      if (into < pattern[name]) { current = name; break; }
      into -= pattern[name];
    }
    const position = `${Math.floor(elapsedSeconds / cycle)}:${current}`;
    if (position === this.breathIndex) return;
    this.breathIndex = position;
    this.el["pacer-label"].textContent = BREATH_LABELS[current];
    const shape = this.el["pacer-shape"];
    // CSSOM styles are allowed by the CSP (unlike style attributes).
    shape.style.transitionDuration = `${pattern[current]}s`;
    shape.classList.toggle("pacer__shape--full", current === "inhale" || current === "hold");
    this.root.dataset.breath = current;
  }

  togglePause() {
    if (!this.running) return;
    if (this.paused) {
      this.paused = false;
      this.phaseStarted = performance.now() - (this.phaseLength - this.remainingAtPause * 1000);
      this.buttons.pause.textContent = "Pause";
      this.announce("Resumed.");
      this.schedule();
    } else {
      this.paused = true;
      this.remainingAtPause = (this.phaseLength - (performance.now() - this.phaseStarted)) / 1000;
      clearInterval(this.interval);
      this.buttons.pause.textContent = "Resume";
      this.el.phase.textContent = `Paused (${this.phases[this.index].label.toLowerCase()})`;
      this.announce("Paused.");
    }
    this.root.dataset.paused = String(this.paused);
  }

  toggle() {
    if (!this.running) this.start();
    else if (!this.counter) this.togglePause();
  }

  halt() {
    clearInterval(this.interval);
    this.running = false;
    this.paused = false;
    delete this.root.dataset.paused;
    delete this.root.dataset.phase;
    delete this.root.dataset.breath;
  }

  stop() {
    this.halt();
    this.load(this.config);
    this.announce("Stopped.");
  }

  finish() {
    this.halt();
    this.root.dataset.phase = "done";
    this.show("Done. Well done!", "0:00", "");
    this.el.pacer.hidden = true;
    this.buttons.pause.hidden = true;
    this.buttons.rep.hidden = true;
    this.buttons.stop.disabled = true;
    this.buttons.start.hidden = false;
    this.buttons.start.textContent = "Start again";
    this.announce("Done. Well done!");
    this.root.dispatchEvent(new CustomEvent("timer:done", { bubbles: true }));
  }
}

// Space starts or pauses the timer, unless the person is typing or on another control.
export function bindSpaceKey(getTimer) {
  document.addEventListener("keydown", (event) => {
    if (event.code !== "Space" || event.repeat) return;
    if (event.target.closest("input, textarea, select, button, a, [contenteditable]")) return;
    const timer = getTimer();
    if (!timer) return;
    event.preventDefault();
    timer.toggle();
  });
}

const configHolder = document.querySelector("[data-timer-config]");
const timerRoot = document.querySelector("[data-timer]");
if (configHolder && timerRoot && !isGated(timerRoot)) {
  const timer = new Timer(timerRoot, JSON.parse(configHolder.dataset.timerConfig));
  bindSpaceKey(() => timer);
}

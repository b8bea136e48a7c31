// Guided routine player: steps hands-free through a list of exercises and their timers.
import { Timer, bindSpaceKey, isGated, pick } from "./timer.js";

// A breath between exercises, in seconds (?gap= in the URL changes it).
const PAUSE_BETWEEN_EXERCISES = pick("gap", 2);

const root = document.querySelector("[data-routine]");
// A gated player (unconfirmed emergency result) ships no settings and is left alone.
if (root && !isGated(root) && root.dataset.routineConfig) {
  const items = JSON.parse(root.dataset.routineConfig);
  const role = (name) => root.querySelector(`[data-role="${name}"]`);
  const listItems = document.querySelectorAll("[data-routine-item]");
  const done = document.querySelector('[data-role="done"]');
  const timer = new Timer(root.querySelector("[data-timer]"), items[0]);
  let index = 0;

  done.hidden = true;
  root.hidden = false;

  const show = (next, autostart) => {
    index = next;
    if (index >= items.length) {
      timer.halt();
      root.hidden = true;
      done.hidden = false;
      done.querySelector("h2").textContent = "Routine complete";
      done.querySelector("h2").focus();
      return;
    }
    const item = items[index];
    role("current-name").textContent = item.name;
    role("position").textContent = `Exercise ${index + 1} of ${items.length}`;
    role("current-dosage").textContent = item.dosage;
    role("next").textContent = index + 1 < items.length ? `Next: ${items[index + 1].name}` : "Last one";
    listItems.forEach((li, i) => {
      if (i === index) li.setAttribute("aria-current", "step");
      else li.removeAttribute("aria-current");
    });
    root.querySelector('[data-action="back"]').disabled = index === 0;
    timer.load(item);
    if (autostart) timer.start();
  };

  root.querySelector('[data-action="skip"]').addEventListener("click", () => show(index + 1, false));
  root.querySelector('[data-action="back"]').addEventListener("click", () => show(Math.max(0, index - 1), false));
  // Hands-free: when one exercise's timer finishes, the next one starts on its own.
  root.addEventListener("timer:done", () => {
    setTimeout(() => show(index + 1, true), PAUSE_BETWEEN_EXERCISES * 1000);
  });
  bindSpaceKey(() => timer);
  show(0, false);
}

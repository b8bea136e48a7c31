// Site-wide behaviour that htmx swaps need. Loaded as a module with the CSP nonce.

// After htmx swaps new content in, move keyboard and screen-reader focus to the
// element the server marked, so a wizard step is announced like a new page.
document.addEventListener("htmx:afterSettle", (event) => {
  const target = event.detail.elt;
  const focusable = target && target.querySelector("[data-focus-on-swap]");
  if (focusable) {
    if (!focusable.hasAttribute("tabindex")) focusable.setAttribute("tabindex", "-1");
    focusable.focus();
  }
});

// A save button marked data-once is disabled after the first submit, so a double click
// sends one request. The server's form token still guards against resent forms.
document.addEventListener("submit", (event) => {
  for (const button of event.target.querySelectorAll("[data-once]")) {
    // Later in the same turn, so the clicked button's own name and value are still sent.
    setTimeout(() => { button.disabled = true; });
  }
});

// A button that took itself away (Remove on a line of the session log) leaves focus
// nowhere after the swap: move it to the status line the page marks, which says what
// changed.
document.addEventListener("htmx:afterSettle", () => {
  if (document.activeElement && document.activeElement !== document.body) return;
  const status = document.querySelector("[data-focus-when-lost]");
  if (status && status.textContent.trim()) {
    status.setAttribute("tabindex", "-1");
    status.focus();
  }
});

// The header's Menu is a <details> that works without script; with it, Escape closes
// the open menu and puts focus back on its button, as people expect of a menu.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const menu = document.querySelector(".site-menu[open]");
  if (!menu) return;
  const hadFocus = menu.contains(document.activeElement);
  menu.open = false;
  if (hadFocus) menu.querySelector("summary").focus();
});

// The library's routine bar says how many exercises are ticked.
function countTicked() {
  const builder = document.getElementById("routine-builder");
  const count = builder && builder.querySelector("[data-ticked-count]");
  if (!count) return;
  const ticked = builder.querySelectorAll('input[name="items"]:checked').length;
  count.textContent = ticked ? `${ticked} ticked` : "";
}
document.addEventListener("change", (event) => {
  if (event.target.closest("#routine-builder")) countTicked();
});

// After a filter change swaps the results, bring the count into view if it was off screen
// (on a phone the filters can fill the screen), so people see what changed.
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target.id !== "results") return;
  countTicked();
  const count = document.getElementById("result-count");
  // Not while someone types in the search box: it would slide out from under their typing.
  if (!count || document.activeElement?.type === "search") return;
  const box = count.getBoundingClientRect();
  if (box.top < 0 || box.bottom > window.innerHeight) count.scrollIntoView({ block: "start" });
});

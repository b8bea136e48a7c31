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

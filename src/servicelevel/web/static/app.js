// Behaviour the pages need beyond htmx, kept out of the markup: the Content-Security-Policy
// allows no inline script (no onchange="…" attributes), so it is attached here.
// <select data-autosubmit> sends its form as soon as a choice is made.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.submit();
  }
});
// On a narrow screen a wide table scrolls on its own (app.css): one that scrolls is made
// reachable from the keyboard, so its hidden columns can be scrolled to without a mouse.
function focusableScrollers() {
  for (const table of document.querySelectorAll("main table")) {
    const scrolls = getComputedStyle(table).overflowX === "auto" && table.scrollWidth > table.clientWidth;
    if (scrolls) table.setAttribute("tabindex", "0");
    else if (table.getAttribute("tabindex") === "0") table.removeAttribute("tabindex");
  }
}
document.addEventListener("DOMContentLoaded", focusableScrollers);
window.addEventListener("resize", focusableScrollers);
document.addEventListener("htmx:afterSettle", focusableScrollers);

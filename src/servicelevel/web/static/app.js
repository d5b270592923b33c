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
// The menu button opens and closes the navigation on a narrow screen.
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest(".menu-button") : null;
  if (!button) return;
  const open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", String(open));
  document.getElementById(button.getAttribute("aria-controls"))?.classList.toggle("open", open);
});
// A destructive or binding action asks first: a form or its button with data-confirm="…" opens
// the page's <dialog id="confirm"> with that sentence and a button named like the action; only
// its "yes" sends the form. Without script the form is sent as before.
document.addEventListener(
  "submit",
  (event) => {
    const form = event.target;
    const submitter = event.submitter;
    const question = submitter?.dataset.confirm || form.dataset.confirm;
    const dialog = document.getElementById("confirm");
    if (!question || form.dataset.confirmed === "yes" || !(dialog instanceof HTMLDialogElement)) return;
    event.preventDefault();
    event.stopPropagation();
    dialog.querySelector("#confirm-text").textContent = question;
    const button = submitter ?? form.querySelector("button:not([type=button])");
    dialog.querySelector("#confirm-ok").textContent = button?.textContent.trim() ?? "";
    dialog.returnValue = "";
    dialog.addEventListener(
      "close",
      () => {
        if (dialog.returnValue !== "ok") return submitter?.focus();
        form.dataset.confirmed = "yes";
        form.requestSubmit(submitter ?? undefined);
        delete form.dataset.confirmed;
      },
      { once: true },
    );
    dialog.showModal();
  },
  true,
);
// A form sent back with errors: the first field in error (else the first error message) takes
// the focus, so a keyboard or screen-reader user lands where the correction is needed.
function focusFirstError() {
  const field = document.querySelector(
    "main [aria-invalid='true'], main .invalid input, main .invalid select, main .invalid textarea",
  );
  const message = document.querySelector("main .field-error, main .error[role='alert']");
  const target = field || message;
  if (!target) return;
  if (!field) target.setAttribute("tabindex", "-1");
  target.focus();
}
document.addEventListener("DOMContentLoaded", focusFirstError);

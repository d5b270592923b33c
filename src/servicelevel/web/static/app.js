// Behaviour the pages need beyond htmx, kept out of the markup: the Content-Security-Policy
// allows no inline script (no onchange="…" attributes), so it is attached here.
// <select data-autosubmit> sends its form as soon as a choice is made.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.submit();
  }
});

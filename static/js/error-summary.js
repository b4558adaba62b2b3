// Form errors the GOV.UK Design System way: the summary takes focus when the page loads, so a screen
// reader reads it first, and each link in it moves focus to its field (a plain #link only scrolls).
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector(".error-summary");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    if (!link) return;
    const field = document.getElementById(link.getAttribute("href").slice(1));
    // A link to a whole row (the review page) is the browser's own jump; a field also takes focus.
    if (!field || !field.matches("input, select, textarea")) return;
    event.preventDefault();
    history.replaceState(null, "", link.getAttribute("href"));
    const container = field.closest(".mb-3, fieldset, .review-row") || field;
    container.scrollIntoView();
    field.focus({ preventScroll: true });
  });
});

// Progressive enhancements only; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Confirm buttons: <button data-confirm="…">
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (ev) => {
      if (!window.confirm(el.dataset.confirm)) ev.preventDefault();
    });
  });
  // Auto-submit selects in filter bars: <select data-autosubmit>
  document.querySelectorAll("select[data-autosubmit]").forEach((el) => {
    el.addEventListener("change", () => el.form.submit());
  });
});

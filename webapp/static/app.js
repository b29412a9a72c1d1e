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

// Bulk run page: refresh the progress every two seconds until the run has ended.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-progress-url]");
  if (!box) return;
  const field = (name) => box.querySelector(`[data-field="${name}"]`);
  const tick = async () => {
    const response = await fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const p = await response.json();
    field("status_text").textContent = p.status_text;
    field("percent").value = p.percent;
    for (const name of ["done", "failed", "total"]) field(name).textContent = p[name];
    const eta = field("eta");
    eta.textContent = p.eta_seconds === null ? "" :
      "· " + eta.dataset.label.replace("%(minutes)s", (p.eta_seconds / 60).toFixed(1));
    if (p.download && !field("download").querySelector("a")) {
      window.location.reload();  // finished: show the download link and any failures
      return;
    }
    if (p.status === "queued" || p.status === "running") setTimeout(tick, 2000);
  };
  setTimeout(tick, 2000);
});

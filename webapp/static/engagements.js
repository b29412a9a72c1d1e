// The engagement form: show the inputs of the chosen fee arrangement, and only the lawyers and
// framework agreements of the chosen firm. Without this file every input is shown.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-engagement-form]");
  if (!form) return;
  const value = (name) => (form.elements[name] ? form.elements[name].value : "");
  const sync = () => {
    const kind = value("fee_kind");
    form.querySelectorAll("[data-fee-kind]").forEach((el) => {
      el.hidden = !el.dataset.feeKind.split(" ").includes(kind);
    });
    form.querySelectorAll("[data-contingency-mode]").forEach((el) => {
      el.hidden = el.dataset.contingencyMode !== (value("contingency_mode") || "flat");
    });
    form.querySelectorAll("[data-base-mode]").forEach((el) => {
      el.hidden = el.dataset.baseMode !== (value("base_mode") || "rate");
    });
    const firm = form.elements.firm_id ? value("firm_id") : null;
    if (firm === null) return;  // changing terms: one firm only
    form.querySelectorAll("select[data-by-firm]").forEach((select) => {
      for (const option of select.options) {
        if (!option.dataset.firm) continue;
        option.hidden = option.dataset.firm !== firm;
        if (option.hidden && option.selected) select.value = "";
      }
    });
  };
  form.addEventListener("change", sync);
  sync();
});

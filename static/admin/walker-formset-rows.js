"use strict";
// The workflow form's automatic rules (templates/admin/hitl/workflow_rules.html): conditions added from the
// section's <template> and removed (a stored row's Delete box ticked, then hidden), so several are made with one
// save. The approval levels are an inline (hitl/admin/levels.py), added and removed by Django's own script.
(function () {
  function rows(section) {
    return Array.from(section.querySelector("[data-rows]").children).filter((row) => !row.hidden);
  }

  function field(section, name) {
    return section.querySelector(`input[name="${section.dataset.formset}-${name}"]`);
  }

  function renumber(section) {
    rows(section).forEach((row, index) => {
      row.querySelector("[data-row-title]").textContent = section.dataset.rowTitle.replace("__number__", index + 1);
    });
    const most = Number(field(section, "MAX_NUM_FORMS").value);
    section.querySelector("[data-add-row]").disabled = rows(section).length >= most;
  }

  function prepare(row) {
    const tools = row.querySelector("[data-row-tools]");
    if (tools) tools.hidden = false;
    const remove = row.querySelector("[data-delete]");
    if (remove) remove.hidden = true; // the Remove button ticks it
  }

  function add(section) {
    const total = field(section, "TOTAL_FORMS");
    const index = Number(total.value);
    const html = section.querySelector("template[data-empty-row]").innerHTML.replace(/__prefix__/g, String(index));
    const container = section.querySelector("[data-rows]");
    container.insertAdjacentHTML("beforeend", html);
    total.value = index + 1;
    const row = container.lastElementChild;
    prepare(row);
    renumber(section);
    const first = row.querySelector("input:not([type=hidden]), select");
    if (first) first.focus();
  }

  function remove(section, row) {
    const box = row.querySelector('input[name$="-DELETE"]');
    if (box) box.checked = true;
    row.hidden = true;
    renumber(section);
  }

  function setUp(section) {
    Array.from(section.querySelector("[data-rows]").children).forEach((row) => {
      prepare(row);
      const box = row.querySelector('input[name$="-DELETE"]');
      if (box && box.checked) row.hidden = true;
    });
    section.querySelector("[data-add-row]").hidden = false;
    section.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (!button || !section.contains(button)) return;
      if (button.hasAttribute("data-add-row")) add(section);
      else if (button.hasAttribute("data-remove-row")) remove(section, button.closest("[data-row]"));
    });
    renumber(section);
  }

  function start() {
    document.querySelectorAll("fieldset[data-formset]").forEach(setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

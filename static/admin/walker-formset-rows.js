"use strict";
// The workflow form's sections (templates/admin/hitl/workflow_rules.html): rows added from the section's
// <template>, removed (a stored row's Delete box ticked, then hidden) and moved up or down (the hidden ORDER
// field numbered 1, 2, ... in the page's order), so a workflow of several levels is made with one save.
(function () {
  function rows(section) {
    return Array.from(section.querySelector("[data-rows]").children).filter((row) => !row.hidden);
  }

  function field(section, name) {
    return section.querySelector(`input[name="${section.dataset.formset}-${name}"]`);
  }

  function renumber(section) {
    const shown = rows(section);
    shown.forEach((row, index) => {
      row.querySelector("[data-row-title]").textContent = section.dataset.rowTitle.replace("__number__", index + 1);
      const order = row.querySelector('input[name$="-ORDER"]');
      if (order) order.value = index + 1;
      const up = row.querySelector('[data-move="-1"]');
      const down = row.querySelector('[data-move="1"]');
      if (up) up.disabled = index === 0;
      if (down) down.disabled = index === shown.length - 1;
    });
    const most = Number(field(section, "MAX_NUM_FORMS").value);
    section.querySelector("[data-add-row]").disabled = shown.length >= most;
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
    const jQuery = window.django && window.django.jQuery;
    if (jQuery && jQuery.fn.djangoCustomSelect2) jQuery(row).find(".unfold-admin-autocomplete").djangoCustomSelect2();
    row.dispatchEvent(new CustomEvent("formset:added", { bubbles: true, detail: { formsetName: section.dataset.formset } }));
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

  function move(section, row, step) {
    const shown = rows(section);
    const other = shown[shown.indexOf(row) + step];
    if (!other) return;
    other.parentNode.insertBefore(row, step < 0 ? other : other.nextSibling);
    renumber(section);
  }

  function setUp(section) {
    const container = section.querySelector("[data-rows]");
    // Shown again after an error: in the order the rows were given, not the order they were added in.
    const position = (row) => Number((row.querySelector('input[name$="-ORDER"]') || {}).value) || Infinity;
    Array.from(container.children)
      .map((row, index) => [position(row), index, row])
      .sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .forEach(([, , row]) => container.appendChild(row));
    Array.from(container.children).forEach((row) => {
      prepare(row);
      const box = row.querySelector('input[name$="-DELETE"]');
      if (box && box.checked) row.hidden = true;
    });
    section.querySelector("[data-add-row]").hidden = false;
    section.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (!button || !section.contains(button)) return;
      const row = button.closest("[data-row]");
      if (button.hasAttribute("data-add-row")) add(section);
      else if (button.hasAttribute("data-remove-row")) remove(section, row);
      else if (button.dataset.move) move(section, row, Number(button.dataset.move));
    });
    renumber(section);
  }

  function start() {
    document.querySelectorAll("fieldset[data-formset]").forEach(setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

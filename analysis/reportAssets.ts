/*
 * The report's inline stylesheet and script. The script is plain browser JavaScript (no
 * libraries, nothing fetched): strategy/run toggles, legend clicks, and hover tooltips built
 * from the figures' <title> elements.
 */

export const REPORT_CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif; color: #222; background: #fafafa; }
header, nav, main { max-width: 1180px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 18px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 26px 0 10px; }
.meta { color: #555; margin: 0; }
.meta code { font-size: 12px; }
nav.controls { position: sticky; top: 0; z-index: 2; background: #fafafaee; border-bottom: 1px solid #ddd; padding-top: 8px; padding-bottom: 8px; display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: center; }
nav.controls .group { display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: center; }
nav.controls label { cursor: pointer; user-select: none; white-space: nowrap; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; vertical-align: -1px; margin: 0 4px 0 2px; }
.dash { vertical-align: 1px; margin: 0 4px 0 2px; }
table { border-collapse: collapse; background: #fff; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: 3px 8px; }
th { background: #f2f2f2; font-weight: 600; }
td.num { text-align: right; }
td.metric { white-space: nowrap; }
.table-wrap { overflow-x: auto; }
details { margin-top: 8px; }
summary { cursor: pointer; color: #36c; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(420px, 100%), 1fr)); gap: 16px; }
figure { margin: 0; background: #fff; border: 1px solid #ddd; border-radius: 4px; padding: 8px; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { font-size: 12.5px; color: #444; margin-top: 6px; }
figcaption a { color: #36c; }
.toggled-off { display: none; }
.legend-item { cursor: pointer; }
.legend-off { opacity: 0.3; }
#tooltip { position: fixed; z-index: 10; pointer-events: none; background: #222; color: #fff; font-size: 12px; line-height: 1.35; padding: 5px 8px; border-radius: 4px; white-space: pre; max-width: 420px; box-shadow: 0 2px 6px #0004; }
#tooltip[hidden] { display: none; }
[data-tip] { cursor: default; }
svg .mark.line:hover, svg .hover:hover { stroke-width: 2.5; }
svg .hover:hover { fill-opacity: 1; }
footer { max-width: 1180px; margin: 24px auto; padding: 0 20px; color: #666; font-size: 12px; }
code { overflow-wrap: anywhere; }
/* Narrow windows (a phone, half a laptop screen): less padding, one figure per row. */
@media (max-width: 700px) {
  header, nav, main, footer { padding-left: 10px; padding-right: 10px; }
  h1 { font-size: 19px; }
  figure { padding: 6px; }
  th, td { padding: 3px 5px; }
}
/* Print: no controls or tooltips, two figures side by side, none split across pages. */
@media print {
  @page { margin: 14mm; }
  body { background: #fff; font-size: 10pt; }
  nav.controls, #tooltip, footer, figcaption a { display: none !important; }
  header, main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table { font-size: 8.5pt; }
  .table-wrap { overflow: visible; }
  .figures { display: block; }
  figure { display: inline-block; width: 49%; vertical-align: top; margin: 0 0 10pt; border: none; padding: 0; break-inside: avoid; page-break-inside: avoid; }
  figcaption { font-size: 8pt; }
}
`;

export const REPORT_SCRIPT = `
(function () {
  "use strict";
  var off = { strategy: new Set(), run: new Set() };
  var marked = Array.prototype.slice.call(
    document.querySelectorAll("main [data-strategy], main [data-run]"),
  );
  function update() {
    marked.forEach(function (el) {
      var s = el.getAttribute("data-strategy");
      var r = el.getAttribute("data-run");
      var hidden = (s !== null && off.strategy.has(s)) || (r !== null && off.run.has(r));
      var cls = el.classList.contains("legend-item") ? "legend-off" : "toggled-off";
      el.classList.toggle(cls, hidden);
    });
  }
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[data-toggle]"));
  boxes.forEach(function (box) {
    box.addEventListener("change", function () {
      var set = off[box.getAttribute("data-toggle")];
      if (box.checked) set.delete(box.value);
      else set.add(box.value);
      update();
    });
  });
  document.addEventListener("click", function (event) {
    var item = event.target.closest && event.target.closest(".legend-item");
    if (!item) return;
    var kind = item.hasAttribute("data-strategy") ? "strategy" : "run";
    var value = item.getAttribute(kind === "strategy" ? "data-strategy" : "data-run");
    boxes.forEach(function (box) {
      if (box.getAttribute("data-toggle") === kind && box.value === value) box.click();
    });
  });

  var tooltip = document.getElementById("tooltip");
  Array.prototype.slice.call(document.querySelectorAll("figure svg title")).forEach(function (t) {
    var parent = t.parentNode;
    if (parent && parent.tagName.toLowerCase() !== "svg") {
      parent.setAttribute("data-tip", t.textContent);
    }
    t.remove();
  });
  function place(event) {
    var pad = 14;
    var w = tooltip.offsetWidth;
    var h = tooltip.offsetHeight;
    var x = event.clientX + pad;
    var y = event.clientY + pad;
    if (x + w > window.innerWidth - 4) x = Math.max(4, event.clientX - pad - w);
    if (y + h > window.innerHeight - 4) y = Math.max(4, event.clientY - pad - h);
    tooltip.style.left = x + "px";
    tooltip.style.top = y + "px";
  }
  document.addEventListener("mouseover", function (event) {
    var target = event.target.closest && event.target.closest("[data-tip]");
    if (!target) {
      tooltip.hidden = true;
      return;
    }
    tooltip.textContent = target.getAttribute("data-tip");
    tooltip.hidden = false;
    place(event);
  });
  document.addEventListener("mousemove", function (event) {
    if (!tooltip.hidden) place(event);
  });
  document.addEventListener("mouseleave", function () {
    tooltip.hidden = true;
  });
})();
`;

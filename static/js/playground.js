// Adapter editor: line numbers beside the program while it is typed, and
// one source of input at a time in the playground. Loaded as a file (the
// CSP forbids inline scripts); htmx does the requests.
(function () {
  "use strict";

  // The gutter shows one number per line of its textarea (at least as many
  // as the textarea has rows) and scrolls with it.
  function syncGutter(area) {
    var gutter = document.querySelector('[data-gutter-for="' + area.id + '"]');
    if (!gutter) return;
    var lines = area.value.split("\n").length;
    var rows = parseInt(area.getAttribute("rows"), 10) || 1;
    var n = Math.max(lines, rows);
    if (gutter.dataset.lines !== String(n)) {
      var out = [];
      for (var i = 1; i <= n; i++) out.push(i);
      gutter.textContent = out.join("\n");
      gutter.dataset.lines = String(n);
    }
    gutter.scrollTop = area.scrollTop;
  }

  function wire(root) {
    root.querySelectorAll("[data-code-editor] textarea").forEach(function (area) {
      if (area.dataset.gutterWired) return;
      area.dataset.gutterWired = "1";
      area.addEventListener("input", function () { syncGutter(area); });
      area.addEventListener("scroll", function () { syncGutter(area); });
      syncGutter(area);
    });
  }

  // Tab in the program indents by two spaces instead of leaving the field;
  // Escape then Tab leaves it, so the keyboard is never trapped.
  var escaped = false;
  document.addEventListener("keydown", function (e) {
    var area = e.target;
    if (!area.closest || !area.closest("[data-code-editor]") || area.readOnly) return;
    if (e.key === "Escape") { escaped = true; return; }
    if (e.key !== "Tab" || e.shiftKey || e.ctrlKey || e.altKey || e.metaKey) { escaped = false; return; }
    if (escaped) { escaped = false; return; }
    e.preventDefault();
    var s = area.selectionStart, end = area.selectionEnd;
    area.setRangeText("  ", s, end, "end");
    area.dispatchEvent(new Event("input", { bubbles: true }));
  });

  // Playground input: a chosen sample, an uploaded file or the pasted text;
  // picking one clears the others so what runs is what the form shows.
  document.addEventListener("input", function (e) {
    if (e.target.id !== "pg-document") return;
    var sample = document.getElementById("pg-sample");
    var file = document.getElementById("pg-file");
    if (sample) sample.value = "";
    if (file) file.value = "";
  });
  document.addEventListener("change", function (e) {
    if (e.target.id === "pg-sample" && e.target.value) {
      var file = document.getElementById("pg-file");
      if (file) file.value = "";
    }
    if (e.target.id === "pg-file" && e.target.files && e.target.files.length) {
      var sample = document.getElementById("pg-sample");
      if (sample) sample.value = "";
    }
  });

  document.addEventListener("DOMContentLoaded", function () { wire(document); });
  document.addEventListener("htmx:afterSwap", function (e) { wire(e.target); });
})();

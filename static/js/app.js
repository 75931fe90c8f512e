// Crossdock console behaviour. Loaded as a file: the CSP forbids inline scripts.
(function () {
  "use strict";

  // Send the CSRF token with every htmx request.
  document.addEventListener("htmx:configRequest", function (e) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) e.detail.headers["X-CSRF-Token"] = meta.content;
  });

  // Times: keep the relative text, show the reader's local time and UTC on hover.
  function localizeTimes(root) {
    root.querySelectorAll("time[data-local]").forEach(function (t) {
      var d = new Date(t.getAttribute("datetime"));
      if (isNaN(d)) return;
      var local = d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
      var utc = t.dataset.utc || t.title;
      t.dataset.utc = utc;
      t.title = local + " (your time)\n" + utc;
    });
  }

  // Confirmation dialogs: a button opens the dialog it names.
  document.addEventListener("click", function (e) {
    var open = e.target.closest("[data-open-dialog]");
    if (open) {
      var dlg = document.getElementById(open.getAttribute("data-open-dialog"));
      if (dlg && dlg.showModal) { dlg.showModal(); }
      return;
    }
    var close = e.target.closest("[data-close-dialog]");
    if (close) {
      var d = close.closest("dialog");
      if (d) d.close();
    }
  });

  // "/" focuses the page's search box, unless the reader is typing.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var tag = (document.activeElement && document.activeElement.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    var box = document.querySelector("[data-search]");
    if (box) { e.preventDefault(); box.focus(); }
  });

  document.addEventListener("DOMContentLoaded", function () { localizeTimes(document); });
  document.addEventListener("htmx:afterSwap", function (e) { localizeTimes(e.target); });
})();

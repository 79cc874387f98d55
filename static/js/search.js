// The suggestions dropdown of the top search box. htmx fetches it while typing (hx-get on the input);
// this file only adds the keyboard (arrows to move, Enter to open, Escape to close), closes it when the
// focus leaves the search box, and keeps aria-expanded true to what is shown. Without it the box still
// searches on Enter.
(function () {
  "use strict";

  function input() { return document.getElementById("site-search"); }
  function box() { return document.getElementById("search-suggest"); }
  function options() { var b = box(); return b ? Array.prototype.slice.call(b.querySelectorAll("[role=option]")) : []; }

  function sync() {
    var i = input();
    if (i) i.setAttribute("aria-expanded", options().length ? "true" : "false");
  }

  // True while Escape hands the focus back to the input: that focus must not fetch the list right back
  // (htmx issues the request for a "focus" trigger synchronously, inside focus()).
  var refocusing = false;

  function close() {
    var i = input();
    var b = box();
    if (i && window.htmx) window.htmx.trigger(i, "htmx:abort");
    if (b) b.replaceChildren();
    sync();
  }

  function refocus() {
    var i = input();
    if (!i || document.activeElement === i) return;
    refocusing = true;
    try { i.focus(); } finally { refocusing = false; }
  }

  function move(step) {
    var items = options();
    if (!items.length) return;
    var current = items.indexOf(document.activeElement);
    var next = current + step;
    if (next < 0) { refocus(); return; }
    if (next >= items.length) next = items.length - 1;
    items[next].focus();
  }

  document.addEventListener("keydown", function (event) {
    var i = input();
    var b = box();
    if (!i || !b) return;
    var inside = event.target === i || b.contains(event.target);
    if (!inside) return;
    if (event.key === "ArrowDown") { event.preventDefault(); move(1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); move(-1); }
    else if (event.key === "Escape") { close(); refocus(); }
  });

  // Close when the person clicks elsewhere or tabs out of the search box; focus moving from the input
  // into the list keeps it open. Focusing the input again fetches it again (hx-trigger "focus").
  document.addEventListener("pointerdown", function (event) {
    var i = input();
    if (i && i.form && !i.form.contains(event.target)) close();
  });
  document.addEventListener("focusout", function (event) {
    var i = input();
    var form = i && i.form;
    if (!form || !form.contains(event.target)) return;
    if (event.relatedTarget && !form.contains(event.relatedTarget)) close();
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (refocusing && event.detail && event.detail.elt === input()) event.preventDefault();
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail && event.detail.target === box()) sync();
  });
  // A new search (Enter) should not leave a late dropdown behind.
  document.addEventListener("submit", function (event) {
    if (event.target.matches && event.target.matches("form.search")) close();
  });
})();

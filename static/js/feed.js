// Feeds: keep the reader's place. Infinite scroll itself is htmx (a sentinel with hx-trigger="revealed");
// this file only remembers the cards loaded so far and the scroll position, so that coming back from a
// note (the back button) shows the same cards at the same place instead of the first page at the top.
// The browser's back-forward cache does that by itself when it can; this covers the times it can't.
(function () {
  "use strict";

  document.documentElement.classList.add("feed-js");

  var MAX_BYTES = 1500000;
  var PREFIX = "hs-feed:";

  function feed() { return document.getElementById("feed"); }
  function storageKey(el) { return PREFIX + location.pathname + location.search + "|" + (el.dataset.feedKey || ""); }

  function save() {
    var el = feed();
    if (!el) return;
    var html = el.innerHTML;
    if (html.length > MAX_BYTES) return;
    try {
      sessionStorage.setItem(storageKey(el), JSON.stringify({ html: html, y: window.scrollY, at: Date.now() }));
    } catch (e) { /* storage full or disabled: the browser's own behaviour stays */ }
  }

  function navigationType() {
    var entries = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation") : [];
    return entries.length ? entries[0].type : "";
  }

  function restore() {
    var el = feed();
    if (!el) return;
    var key = storageKey(el);
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(key) || "null"); } catch (e) { saved = null; }
    if (navigationType() !== "back_forward") {
      // A fresh visit starts at the top with fresh cards.
      try { sessionStorage.removeItem(key); } catch (e) { /* ignore */ }
      return;
    }
    if (!saved || typeof saved.html !== "string") return;
    if ("scrollRestoration" in history) history.scrollRestoration = "manual";
    // The HTML is the server's own rendering of this feed, saved from this tab a moment ago.
    el.innerHTML = saved.html;
    el.querySelectorAll(".htmx-request").forEach(function (node) { node.classList.remove("htmx-request"); });
    if (window.htmx) window.htmx.process(el);
    // Every card reserves its height from the server's numbers, so the page is as tall as it was.
    window.scrollTo(0, saved.y || 0);
    requestAnimationFrame(function () { window.scrollTo(0, saved.y || 0); });
  }

  window.addEventListener("pagehide", save);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") save(); });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#feed a[href]");
    if (link) save();
  }, true);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restore);
  } else {
    restore();
  }
})();

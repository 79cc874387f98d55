// The mall's conveniences: variant chips that update price, tax and stock; live countdowns; address and
// purchaser choices that re-check the order. Every page works without this file.
(function () {
  "use strict";

  // --- variant chips -------------------------------------------------------------------------------
  function bind(form, name, text) {
    document.querySelectorAll('[data-bind="' + name + '"]').forEach(function (el) { el.textContent = text; });
  }

  function pickSku(input) {
    var form = input.form;
    if (!form) return;
    bind(form, "price", input.dataset.price || "");
    bind(form, "tax", input.dataset.tax || "");
    bind(form, "stock", input.dataset.stock || "");
    var state = input.dataset.state || "in_stock";
    document.querySelectorAll('[data-bind="stock"]').forEach(function (el) {
      el.className = el.className.replace(/\bstock-\S+/g, "").trim() + " stock-" + state;
      el.dataset.state = state;
    });
    document.querySelectorAll("[data-needs-stock]").forEach(function (button) {
      button.disabled = state === "sold_out";
    });
    if (window.history && window.history.replaceState) {
      var url = new URL(window.location.href);
      url.searchParams.set("sku", input.value);
      window.history.replaceState(window.history.state, "", url.toString());
    }
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement)) return;
    if (input.name === "sku" && input.closest("[data-sku-picker]")) pickSku(input);
    if (input.hasAttribute("data-reload-on-change") && input.form) {
      // Re-check the order (customs quota, holds) for the purchaser and address just chosen.
      var url = new URL(window.location.href);
      ["address", "identity"].forEach(function (name) {
        var chosen = input.form.querySelector('input[name="' + name + '"]:checked');
        if (chosen) url.searchParams.set(name, chosen.value);
      });
      window.location.assign(url.toString());
    }
  });

  // --- countdowns: the server says what time it is, so a wrong phone clock doesn't matter ----------------
  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function format(seconds) {
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    return h ? h + ":" + pad(m) + ":" + pad(s) : pad(m) + ":" + pad(s);
  }

  function startCountdown(el) {
    if (el.dataset.started) return;
    el.dataset.started = "1";
    var deadline = Date.parse(el.dataset.deadline);
    var serverNow = Date.parse(el.dataset.now);
    if (isNaN(deadline) || isNaN(serverNow)) return;
    var skew = serverNow - Date.now();
    function tick() {
      var left = Math.max(0, Math.floor((deadline - (Date.now() + skew)) / 1000));
      el.textContent = format(left);
      if (left <= 0) {
        el.classList.add("is-expired");
        var box = el.parentElement;
        if (el.dataset.expired && box) box.textContent = el.dataset.expired;
        return;
      }
      window.setTimeout(tick, 1000 - ((Date.now() + skew) % 1000));
    }
    tick();
  }

  function initCountdowns(root) {
    (root || document).querySelectorAll("[data-countdown]").forEach(startCountdown);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { initCountdowns(); });
  else initCountdowns();
  // Parts of a page refreshed by htmx (the order status) bring their own countdowns.
  document.addEventListener("htmx:afterSettle", function (event) { initCountdowns(event.target); });
})();

// Flash sale conveniences: countdowns on the server's clock, and a buy button that asks the API, shows
// progress while the order is being created, then goes to payment. Without this file the same buttons
// post a plain form and a status page refreshes itself.
(function () {
  "use strict";

  var POLL_MS = 300;
  var POLL_GIVE_UP_MS = 60000;
  var PHASE_POLL_MS = 3000; // how soon an open page learns that its sale was paused, resumed or ended
  var skew = 0; // server clock minus this device's clock, in ms

  function now() { return Date.now() + skew; }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function format(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    return h ? h + ":" + pad(m) + ":" + pad(s) : pad(m) + ":" + pad(s);
  }

  // --- countdowns ------------------------------------------------------------------------------------

  function openSale(card) {
    card.classList.remove("is-upcoming");
    card.classList.add("is-live");
    var label = card.querySelector("[data-flash-label]");
    if (label) label.textContent = card.dataset.labelEnds || label.textContent;
    var tag = card.querySelector("[data-flash-tag]");
    if (tag && tag.dataset.live) tag.textContent = tag.dataset.live;
    card.querySelectorAll("[data-flash-remind]").forEach(function (el) { el.hidden = true; });
    var form = card.querySelector("form[data-flash-buy]");
    if (form && !card.classList.contains("is-sold-out")) {
      var button = form.querySelector("button[type=submit]");
      button.textContent = form.dataset.labelBuy || button.textContent;
      button.disabled = false;
    }
  }

  function closeSale(card) {
    card.classList.remove("is-live", "is-upcoming");
    card.classList.add("is-ended");
    var clock = card.querySelector(".fs-clock");
    if (clock) clock.textContent = card.dataset.labelEnded || "";
    var form = card.querySelector("form[data-flash-buy]");
    if (form && !form.dataset.busy) form.querySelector("button[type=submit]").disabled = true;
  }

  // A frozen sale: no Buy now until the server says it is live again.
  function pauseSale(card) {
    card.classList.remove("is-live", "is-upcoming");
    card.classList.add("is-paused");
    var tag = card.querySelector("[data-flash-tag]");
    if (tag) tag.textContent = card.dataset.labelPaused || tag.textContent;
    var form = card.querySelector("form[data-flash-buy]");
    if (form && !form.dataset.busy) {
      var button = form.querySelector("button[type=submit]");
      button.textContent = form.dataset.labelPaused || button.textContent;
      button.disabled = true;
    }
  }

  function endSale(card) {
    var tag = card.querySelector("[data-flash-tag]");
    if (tag && tag.dataset.ended) tag.textContent = tag.dataset.ended;
    var form = card.querySelector("form[data-flash-buy]");
    if (form && !form.dataset.busy) form.querySelector("button[type=submit]").disabled = true;
    closeSale(card);
  }

  function applyPhase(card, phase) {
    var was = card.dataset.phase;
    if (!phase || phase === was) return;
    card.dataset.phase = phase;
    if (phase === "ended") endSale(card);
    else if (phase === "paused") pauseSale(card);
    else if (was === "paused") {
      // Resumed: the page drawn while paused has no buy form; the server draws the live one.
      var busy = card.querySelector("form[data-flash-buy][data-busy]");
      if (!busy) window.location.reload();
    }
  }

  function watchPhases(root) {
    var url = root.dataset.phases;
    if (!url || !window.fetch) return;
    function open() {
      return Array.prototype.slice.call(document.querySelectorAll("[data-flash-sale][data-phase]"))
        .filter(function (card) { return card.dataset.phase !== "ended"; });
    }
    function round() {
      var cards = open();
      if (!cards.length) return;
      if (document.visibilityState === "hidden") { window.setTimeout(round, PHASE_POLL_MS); return; }
      var ids = cards.map(function (card) { return card.dataset.flashSale; }).join(",");
      fetch(url + "?ids=" + encodeURIComponent(ids), { credentials: "omit", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { sales: {} }; })
        .catch(function () { return { sales: {} }; })
        .then(function (body) {
          cards.forEach(function (card) {
            // A sale the server no longer shows (a draft again) is over for this page.
            applyPhase(card, (body.sales || {})[card.dataset.flashSale] || (body.sales ? "ended" : null));
          });
          window.setTimeout(round, PHASE_POLL_MS);
        });
    }
    window.setTimeout(round, PHASE_POLL_MS);
  }

  function tick(card) {
    if (card.dataset.phase === "ended") return false;
    if (card.dataset.phase === "paused") return true; // the clock waits for the server, not the time
    var starts = Number(card.dataset.starts);
    var ends = Number(card.dataset.ends);
    var t = now();
    var clock = card.querySelector("[data-flash-countdown]");
    if (t < starts) {
      if (clock) clock.textContent = format(starts - t);
      return true;
    }
    if (t < ends) {
      if (card.classList.contains("is-upcoming")) openSale(card);
      if (clock) clock.textContent = format(ends - t);
      return true;
    }
    if (!card.classList.contains("is-ended")) closeSale(card);
    return false;
  }

  function startClocks() {
    var root = document.querySelector("[data-flash-clock]");
    if (!root) return;
    var serverNow = Number(root.dataset.serverNow);
    // The page was rendered a moment ago on the server: its clock, not this device's, decides.
    if (serverNow) skew = serverNow - Date.now();
    var cards = Array.prototype.slice.call(document.querySelectorAll("[data-flash-sale][data-starts]"));
    function loop() {
      cards = cards.filter(tick);
      if (cards.length) window.setTimeout(loop, 250);
    }
    loop();
    watchPhases(root);
  }

  // --- buying ----------------------------------------------------------------------------------------

  function requestId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID().replace(/-/g, "");
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  function say(form, text, tone, link) {
    var status = form.querySelector("[data-flash-status]");
    if (!status) return;
    status.textContent = text || "";
    status.className = "fs-status" + (tone ? " is-" + tone : "");
    if (link && link.href) {
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      a.className = "fs-fix";
      a.setAttribute("data-testid", "fix-link");
      status.appendChild(document.createTextNode(" "));
      status.appendChild(a);
    }
  }

  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function soldOut(form) {
    var card = form.closest("[data-flash-sale]");
    if (card) card.classList.add("is-sold-out");
    var button = form.querySelector("button[type=submit]");
    button.textContent = form.dataset.labelSoldOut || button.textContent;
    button.disabled = true;
  }

  function done(form, options) {
    delete form.dataset.busy;
    // Keep the request id when the answer may not have been final (network, busy, rate limit): asking
    // again with the same id can never buy twice. After a final answer, a new click is a new request.
    if (!options.keepId) delete form.dataset.rid;
    var button = form.querySelector("button[type=submit]");
    var card = form.closest("[data-flash-sale]");
    button.disabled = options.disable || (card && card.classList.contains("is-ended"));
  }

  function poll(form, id, startedAt) {
    var url = form.dataset.poll.replace("__rid__", encodeURIComponent(id));
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { status: "pending" }; })
      .catch(function () { return { status: "pending" }; })
      .then(function (body) {
        if (body.status === "order" && body.order_number) {
          window.location.assign(form.dataset.pay.replace("__order__", encodeURIComponent(body.order_number)));
          return;
        }
        if (body.status === "sold_out") {
          say(form, body.message || form.dataset.labelSoldOut, "error");
          soldOut(form);
          done(form, { disable: true });
          return;
        }
        if (body.status === "unknown") {
          // Admitted, yet neither an order nor Redis knows the request: Redis lost it (a crash between
          // its answer and its disk). Say so at once; pressing Buy re-sends the same id, which is safe.
          say(form, form.dataset.msgLost, "error");
          done(form, { keepId: true });
          return;
        }
        if (body.status === "over_limit") {
          say(form, form.dataset.msgOverLimit || body.status, "error");
          done(form, { disable: true });
          return;
        }
        if (Date.now() - startedAt > POLL_GIVE_UP_MS) {
          say(form, form.dataset.msgSlow, "", { href: form.dataset.orders, text: form.dataset.msgMyOrders });
          done(form, { disable: true });
          return;
        }
        window.setTimeout(function () { poll(form, id, startedAt); }, POLL_MS);
      });
  }

  function refused(form, code, body) {
    var detail = body.message || body.detail || form.dataset.msgFailed;
    if (code === 409) {
      if (body.status === "sold_out") { say(form, detail, "error"); soldOut(form); done(form, { disable: true }); return; }
      if (body.status === "over_limit" || body.status === "ended") { say(form, detail, "error"); done(form, { disable: true }); return; }
      say(form, detail, "error"); // not started yet, not open for buying right now: try again later
      done(form, {});
      return;
    }
    if (body.code === "needs_address") {
      say(form, detail, "error", { href: form.dataset.fixAddress, text: form.dataset.msgAddAddress });
    } else if (body.code === "needs_identity") {
      say(form, detail, "error", { href: form.dataset.fixIdentity, text: form.dataset.msgAddIdentity });
    } else if (code === 401 || code === 403) {
      say(form, detail, "error", { href: form.dataset.login, text: form.dataset.msgLogin });
    } else {
      say(form, detail, "error");
    }
    done(form, { keepId: code === 429 || code >= 500 });
  }

  // A signed pass for this sale, fetched while the page loads: the buy click then authenticates with no
  // session lookup on the server (the herd's path stays off the database). Best effort: without it the
  // session authenticates the click as usual.
  function fetchPass(form) {
    if (!window.fetch || !form.dataset.passApi || form.dataset.pass) return;
    fetch(form.dataset.passApi, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf(form) },
    })
      .then(function (response) { return response.ok ? response.json() : {}; })
      .then(function (body) { if (body.buy_pass) form.dataset.pass = body.buy_pass; })
      .catch(function () { /* the session will do */ });
  }

  function buy(form) {
    if (form.dataset.busy) return;
    form.dataset.busy = "1";
    var retry = Boolean(form.dataset.rid);
    var id = form.dataset.rid || requestId();
    form.dataset.rid = id;
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    say(form, form.dataset.msgSending, "progress");
    fetch(form.dataset.api, {
      method: "POST",
      credentials: "same-origin",
      headers: buyHeaders(form, retry),
      body: JSON.stringify({ request_id: id }),
    })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          return { code: response.status, body: body };
        });
      })
      .then(function (answer) {
        if (answer.code === 202) {
          say(form, answer.body.message || form.dataset.msgAdmitted, "progress");
          poll(form, id, Date.now());
          return;
        }
        refused(form, answer.code, answer.body);
      })
      .catch(function () {
        say(form, form.dataset.msgNetwork, "error");
        done(form, { keepId: true });
      });
  }

  function buyHeaders(form, retry) {
    var headers = { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf(form) };
    if (form.dataset.pass) headers["X-Flash-Pass"] = form.dataset.pass;
    // The same request id again: the server answers with that request's first answer.
    if (retry) headers["X-Flash-Retry"] = "1";
    return headers;
  }

  function fetchPasses() {
    var forms = document.querySelectorAll("form[data-flash-buy]");
    for (var i = 0; i < forms.length; i++) fetchPass(forms[i]);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-flash-buy")) return;
    if (!window.fetch) return; // the plain form post and its status page take over
    event.preventDefault();
    buy(form);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startClocks);
    document.addEventListener("DOMContentLoaded", fetchPasses);
  } else {
    startClocks();
    fetchPasses();
  }
})();

// "Not interested" on a feed card: the card is static markup (the same for every reader) and carries
// hx-disable, so this posts the choice itself with the page's CSRF header and replaces the card with
// the answer. The next page is built without the note, topic or writer.
(function () {
  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-recs-hide]")) return;
    event.preventDefault();
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) data.set(event.submitter.name, event.submitter.value);
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
    }).then(function (response) {
      if (!response.ok) return;
      return response.text().then(function (html) {
        var card = form.closest("[data-testid=note-card]");
        if (card) {
          card.innerHTML = html;
          card.classList.add("is-hidden-card");
        }
      });
    });
  });
})();

// A card tap says where it came from: the note's link gets ?from=<surface> (the surface is the closest
// data-tap-from, the part before ":") just before the browser follows it, so the cached card markup stays the
// same for every surface. The note page passes it on to "more like this", which records the open and the tap.
(function () {
  function tag(event) {
    var link = event.target.closest && event.target.closest("a.note-card-cover, a.note-card-title");
    if (!link) return;
    var surface = link.closest("[data-tap-from]");
    if (!surface) return;
    var from = (surface.getAttribute("data-tap-from") || "").split(":")[0];
    if (!from) return;
    var url = new URL(link.href, window.location.href);
    if (url.searchParams.get("from") === from) return;
    url.searchParams.set("from", from);
    link.href = url.pathname + url.search + url.hash;
  }
  // mousedown covers a middle click or "open in new tab"; click covers the keyboard.
  document.addEventListener("mousedown", tag, true);
  document.addEventListener("click", tag, true);
})();

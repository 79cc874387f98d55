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

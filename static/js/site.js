// Conveniences only: every page works without this file.
(function () {
  "use strict";
  // Show a short toast for errors returned to htmx requests.
  document.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var text = "";
    try { text = new DOMParser().parseFromString(event.detail.xhr.responseText, "text/html").body.textContent.trim(); } catch (e) { text = ""; }
    var toast = document.createElement("div");
    toast.className = "toast";
    toast.textContent = (text || "Something went wrong").slice(0, 200);
    box.appendChild(toast);
    setTimeout(function () { toast.remove(); }, 4000);
  });
})();

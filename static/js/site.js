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

  // Avatar picker: show the chosen photo right away (the server still checks and re-encodes it).
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
    var picker = input.closest(".avatar-picker");
    var frame = picker && picker.querySelector("[data-avatar-preview]");
    var file = input.files && input.files[0];
    if (!frame || !file || !/^image\//.test(file.type)) return;
    var img = document.createElement("img");
    img.className = "avatar";
    img.alt = "";
    var current = frame.firstElementChild;
    var size = current ? current.getBoundingClientRect().width || 72 : 72;
    img.width = size;
    img.height = size;
    img.src = URL.createObjectURL(file);
    // A file that only claims to be an image cannot be shown: keep the old picture.
    img.onerror = function () { URL.revokeObjectURL(img.src); };
    img.onload = function () {
      URL.revokeObjectURL(img.src);
      frame.replaceChildren(img);
    };
  });

  // Character counters under text areas that have a limit ("12/200").
  function attachCounter(area) {
    if (area.dataset.counter) return;
    area.dataset.counter = "1";
    var max = parseInt(area.getAttribute("maxlength"), 10);
    if (!max) return;
    var counter = document.createElement("span");
    counter.className = "counter";
    counter.setAttribute("aria-hidden", "true");
    var update = function () { counter.textContent = area.value.length + "/" + max; };
    update();
    area.addEventListener("input", update);
    area.insertAdjacentElement("afterend", counter);
  }
  function init(root) {
    (root || document).querySelectorAll(".field textarea[maxlength]").forEach(attachCounter);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();

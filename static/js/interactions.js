// Note page conveniences: share, comment focus, reply mode, the board picker. Every action also works
// without this file (plain forms and links); this only makes them quicker.
(function () {
  "use strict";

  if (window.__hongshuInteractions) return; // the script may be linked by more than one partial
  window.__hongshuInteractions = true;

  function toast(text) {
    var box = document.getElementById("toasts");
    if (!box || !text) return;
    var item = document.createElement("div");
    item.className = "toast";
    item.setAttribute("role", "status");
    item.textContent = text;
    box.appendChild(item);
    setTimeout(function () { item.remove(); }, 2500);
  }

  // --- share: copy the note's address --------------------------------------------------------------
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      area.remove();
      if (ok) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  function revealShareButtons(root) {
    (root || document).querySelectorAll("[data-share-url][hidden]").forEach(function (button) {
      button.hidden = false;
    });
  }

  // --- reply mode of the comment form --------------------------------------------------------------
  function replyStart(form, commentId, name) {
    var field = form.querySelector("[data-reply-field]");
    var chip = form.querySelector("[data-reply-chip]");
    var area = form.querySelector("textarea");
    if (!field || !area) return;
    field.value = commentId;
    if (chip) {
      chip.hidden = false;
      var label = chip.querySelector("[data-reply-name]");
      if (label) label.textContent = "@" + name;
    }
    var template = area.getAttribute("data-reply-placeholder") || "@%(name)s";
    area.placeholder = template.replace("%(name)s", name);
    area.focus();
  }

  function replyEnd(form) {
    var field = form.querySelector("[data-reply-field]");
    var chip = form.querySelector("[data-reply-chip]");
    var area = form.querySelector("textarea");
    if (field) field.value = "";
    if (chip) chip.hidden = true;
    if (area) area.placeholder = area.getAttribute("data-placeholder") || "";
  }

  function pickerClose(slot) {
    if (slot) slot.replaceChildren();
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;

    var share = target.closest("[data-share-url]");
    if (share) {
      var url = new URL(share.getAttribute("data-share-url"), window.location.href).href;
      copyText(url).then(
        function () { toast(share.getAttribute("data-share-done")); },
        function () { toast(share.getAttribute("data-share-failed")); }
      );
      return;
    }

    var focus = target.closest("[data-focus-comment]");
    if (focus) {
      var area = document.getElementById(focus.getAttribute("data-focus-comment"));
      if (area) {
        event.preventDefault();
        area.scrollIntoView({ block: "center", behavior: "smooth" });
        area.focus({ preventScroll: true });
      }
      return;
    }

    var reply = target.closest("[data-reply-to]");
    if (reply) {
      var form = document.getElementById(reply.getAttribute("data-reply-form"));
      if (form) {
        event.preventDefault();
        replyStart(form, reply.getAttribute("data-reply-to"), reply.getAttribute("data-reply-name"));
      }
      return;
    }

    var cancel = target.closest("[data-reply-cancel]");
    if (cancel) {
      var owner = cancel.closest("form");
      if (owner) replyEnd(owner);
      return;
    }

    var close = target.closest("[data-picker-close]");
    if (close) {
      pickerClose(close.closest(".collect-picker-slot"));
      return;
    }

    // A click outside an open board picker closes it (but not the click that opens it).
    document.querySelectorAll(".collect-picker-slot").forEach(function (slot) {
      if (slot.firstElementChild && !slot.contains(target) && !target.closest("[data-collect-open]")) {
        pickerClose(slot);
      }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll(".collect-picker-slot").forEach(function (slot) {
      if (slot.firstElementChild) {
        pickerClose(slot);
        var opener = document.querySelector('[data-collect-open="' + slot.id + '"] button');
        if (opener) opener.focus();
      }
    });
  });

  // The star toggles its picker: a second click closes it instead of loading it again.
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.target instanceof Element ? event.target.closest("[data-collect-open]") : null;
    if (!form) return;
    var slot = document.getElementById(form.getAttribute("data-collect-open"));
    if (slot && slot.firstElementChild) {
      event.preventDefault();
      pickerClose(slot);
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var slot = event.detail && event.detail.target;
    if (slot instanceof Element && slot.classList.contains("collect-picker-slot")) {
      var first = slot.querySelector(".picker-error") ? slot.querySelector("input[name=new_board_name]") : slot.querySelector(".board-choice");
      if (first) first.focus();
    }
  });

  // A comment or reply went in: empty the box and leave reply mode.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail && event.detail.elt;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-comment-form")) return;
    if (!event.detail.successful) return;
    var area = form.querySelector("textarea");
    if (area) {
      area.value = "";
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }
    replyEnd(form);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { revealShareButtons(document); });
  } else {
    revealShareButtons(document);
  }
  document.addEventListener("htmx:load", function (event) { revealShareButtons(event.target); });
})();

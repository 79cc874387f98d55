// The compose form: live counters, the photo grid (preview, reorder, remove) and #topic suggestions.
// Without this file the form still works: the native file control, file order, the "remove" boxes.
(function () {
  "use strict";

  var IMAGE_TYPES = /^image\/(jpeg|png|webp|gif)$/;
  var HASH_BEFORE_CARET = /#([\p{L}\p{N}_\u00b7-]{0,30})$/u;

  function svg(path) {
    return '<svg class="icon" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" ' +
      'stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">' + path + "</svg>";
  }
  var ICON_LEFT = svg('<path d="m15 6-6 6 6 6"/>');
  var ICON_RIGHT = svg('<path d="m9 6 6 6-6 6"/>');
  var ICON_X = svg('<path d="M6 6l12 12M18 6 6 18"/>');

  function initCounters(form) {
    form.querySelectorAll("[data-counter-for]").forEach(function (counter) {
      var input = document.getElementById(counter.getAttribute("data-counter-for"));
      if (!input) return;
      input.dataset.counter = "1"; // site.js adds no second counter
      var max = parseInt(input.getAttribute("maxlength"), 10) || 0;
      var update = function () {
        var n = Array.from(input.value).length;
        counter.textContent = n + "/" + max;
        counter.classList.toggle("is-over", max > 0 && n > max);
      };
      input.addEventListener("input", update);
      update();
    });
  }

  function initPhotos(form) {
    var grid = form.querySelector("[data-photo-grid]");
    var addTile = form.querySelector("[data-photo-add]");
    var input = addTile && addTile.querySelector("input[type=file]");
    var orderField = form.querySelector("input[name=image_order]");
    var countEl = form.querySelector("[data-photo-count]");
    var errorEl = form.querySelector("[data-photo-error]");
    if (!grid || !input || !orderField) return null;
    var max = parseInt(form.getAttribute("data-max-images"), 10) || 18;
    var canAccumulate = typeof DataTransfer === "function";
    var labels = {
      left: form.getAttribute("data-label-left"),
      right: form.getAttribute("data-label-right"),
      remove: form.getAttribute("data-label-remove"),
      cover: form.getAttribute("data-label-cover")
    };

    // Each item is a kept photo (its id) or a new file; new files stay in the file input in the order
    // they were picked, and the hidden field tells the server the order they are shown in.
    var items = [];
    grid.querySelectorAll(".photo-tile[data-token]").forEach(function (tile) {
      var img = tile.querySelector(".photo-thumb img");
      items.push({ id: tile.getAttribute("data-token"), thumb: tile.querySelector(".photo-thumb").innerHTML, hasImg: !!img });
      tile.remove();
    });
    var newFiles = [];

    function showError(message) {
      errorEl.replaceChildren();
      if (message) {
        var li = document.createElement("li");
        li.textContent = message;
        errorEl.appendChild(li);
      }
      errorEl.hidden = !message;
    }

    function syncInput() {
      if (!canAccumulate) return;
      var transfer = new DataTransfer();
      newFiles.forEach(function (file) { transfer.items.add(file); });
      input.files = transfer.files;
    }

    function tokenOf(item) {
      return item.file ? "new:" + newFiles.indexOf(item.file) : item.id;
    }

    function move(from, to, focusTool) {
      if (to < 0 || to >= items.length || from === to) return;
      var item = items.splice(from, 1)[0];
      items.splice(to, 0, item);
      render(to, focusTool);
    }

    function removeAt(index) {
      var item = items.splice(index, 1)[0];
      if (item.file) {
        newFiles.splice(newFiles.indexOf(item.file), 1);
        if (item.url) URL.revokeObjectURL(item.url);
        syncInput();
      }
      showError("");
      render(Math.min(index, items.length - 1), "photo-tool-remove");
    }

    function tool(cls, html, label, handler, disabled) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "photo-tool " + cls;
      button.innerHTML = html;
      button.setAttribute("aria-label", label);
      button.title = label;
      button.disabled = !!disabled;
      button.addEventListener("click", handler);
      return button;
    }

    var dragFrom = -1;

    function render(focusIndex, focusTool) {
      grid.querySelectorAll(".photo-tile").forEach(function (tile) { tile.remove(); });
      items.forEach(function (item, index) {
        var tile = document.createElement("li");
        tile.className = "photo-tile";
        tile.draggable = true;
        tile.setAttribute("data-testid", "photo-tile");
        tile.setAttribute("data-token", tokenOf(item));
        var thumb = document.createElement("div");
        thumb.className = "photo-thumb";
        if (item.file) {
          var img = document.createElement("img");
          img.src = item.url;
          img.alt = item.file.name;
          thumb.appendChild(img);
        } else {
          thumb.innerHTML = item.thumb; // markup the server rendered for this photo
        }
        tile.appendChild(thumb);
        var badge = document.createElement("span");
        badge.className = "photo-index";
        badge.textContent = index === 0 ? labels.cover : String(index + 1);
        tile.appendChild(badge);
        var tools = document.createElement("div");
        tools.className = "photo-tools";
        tools.appendChild(tool("photo-tool-left", ICON_LEFT, labels.left, function () { move(index, index - 1, "photo-tool-left"); }, index === 0));
        tools.appendChild(tool("photo-tool-right", ICON_RIGHT, labels.right, function () { move(index, index + 1, "photo-tool-right"); }, index === items.length - 1));
        tools.appendChild(tool("photo-tool-remove", ICON_X, labels.remove, function () { removeAt(index); }));
        tile.appendChild(tools);
        tile.addEventListener("dragstart", function (event) {
          dragFrom = index;
          tile.classList.add("is-dragging");
          event.dataTransfer.effectAllowed = "move";
          event.dataTransfer.setData("text/plain", String(index));
        });
        tile.addEventListener("dragend", function () {
          dragFrom = -1;
          tile.classList.remove("is-dragging");
          grid.querySelectorAll(".is-drop-target").forEach(function (t) { t.classList.remove("is-drop-target"); });
        });
        tile.addEventListener("dragover", function (event) {
          if (dragFrom < 0) return;
          event.preventDefault();
          tile.classList.add("is-drop-target");
        });
        tile.addEventListener("dragleave", function () { tile.classList.remove("is-drop-target"); });
        tile.addEventListener("drop", function (event) {
          event.preventDefault();
          if (dragFrom >= 0) move(dragFrom, index);
        });
        grid.insertBefore(tile, addTile);
      });
      orderField.value = items.map(tokenOf).join(",");
      if (countEl) countEl.textContent = items.length + "/" + max;
      addTile.classList.toggle("is-full", items.length >= max);
      // Keyboard users keep their place: focus follows the photo they moved.
      if (focusTool && focusIndex >= 0) {
        var focusTile = grid.querySelectorAll(".photo-tile")[focusIndex];
        var again = focusTile && (focusTile.querySelector("." + focusTool + ":not([disabled])") ||
          focusTile.querySelector(".photo-tool:not([disabled])"));
        if (again) again.focus();
      }
    }

    function takePicked() {
      var picked = Array.from(input.files || []);
      if (!canAccumulate) {
        items = items.filter(function (item) { return !item.file; });
        newFiles = [];
      }
      var message = "";
      picked.forEach(function (file) {
        if (newFiles.indexOf(file) >= 0) return;
        if (!IMAGE_TYPES.test(file.type)) { message = form.getAttribute("data-msg-not-image"); return; }
        if (items.length >= max) { message = form.getAttribute("data-msg-too-many"); return; }
        newFiles.push(file);
        items.push({ file: file, url: URL.createObjectURL(file) });
      });
      syncInput();
      showError(message);
      render();
    }
    input.addEventListener("change", takePicked);

    form.addEventListener("submit", function (event) {
      if (items.length === 0) {
        event.preventDefault();
        showError(form.getAttribute("data-msg-no-photo"));
        input.focus();
      }
    });

    // Photos picked before this script ran (it loads after the page: on a slow connection a thumb is
    // quicker) are in the input already: take them, or the grid says none and "publish" refuses.
    if (input.files && input.files.length) takePicked();
    else render();
    return { count: function () { return items.length; } };
  }

  function initTopics(form) {
    var box = form.querySelector("[data-topic-suggestions]");
    var query = document.querySelector("[data-topic-query]");
    if (!box || !query) return;
    var fields = form.querySelectorAll("textarea[name=body], input[name=title]");
    var active = form.querySelector("textarea[name=body]");

    function hashAtCaret(field) {
      var before = field.value.slice(0, field.selectionStart || 0);
      var match = HASH_BEFORE_CARET.exec(before);
      return match ? { start: before.length - match[0].length, prefix: match[1] } : null;
    }

    function clear() { box.replaceChildren(); }

    function suggest(field) {
      active = field;
      var hash = hashAtCaret(field);
      if (!hash || !window.htmx) { clear(); return; }
      query.value = hash.prefix;
      window.htmx.trigger(query, "topic-query");
    }

    fields.forEach(function (field) {
      field.addEventListener("input", function () { suggest(field); });
      field.addEventListener("keydown", function (event) { if (event.key === "Escape") clear(); });
    });

    box.addEventListener("click", function (event) {
      var button = event.target.closest("[data-topic]");
      if (!button || !active) return;
      var name = button.getAttribute("data-topic");
      var hash = hashAtCaret(active);
      var caret = active.selectionStart || 0;
      var start = hash ? hash.start : caret;
      var value = active.value;
      var insert = "#" + name + " ";
      var max = parseInt(active.getAttribute("maxlength"), 10) || Infinity;
      if (value.length - (caret - start) + insert.length > max) return;
      active.value = value.slice(0, start) + insert + value.slice(caret);
      var at = start + insert.length;
      active.focus();
      active.setSelectionRange(at, at);
      active.dispatchEvent(new Event("input", { bubbles: true }));
      clear();
    });

    var hashButton = form.querySelector("[data-insert-hash]");
    if (hashButton) {
      hashButton.addEventListener("click", function () {
        var body = form.querySelector("textarea[name=body]");
        var caret = body.selectionStart == null ? body.value.length : body.selectionStart;
        var value = body.value;
        var spacer = caret > 0 && !/\s$/.test(value.slice(0, caret)) ? " " : "";
        body.value = value.slice(0, caret) + spacer + "#" + value.slice(caret);
        var at = caret + spacer.length + 1;
        body.focus();
        body.setSelectionRange(at, at);
        body.dispatchEvent(new Event("input", { bubbles: true }));
      });
    }
  }

  function init() {
    document.querySelectorAll("form[data-compose]").forEach(function (form) {
      form.classList.add("has-js");
      initCounters(form);
      initPhotos(form);
      initTopics(form);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

// The compose form's product picker: search results tag a product (the server rendered its picked
// item in a <template>), picked items move and go away. Without this file the picked items still post
// their variant selects and a plain multiple select lists products to tag.
(function () {
  "use strict";

  function init(picker) {
    var list = picker.querySelector("[data-link-picked]");
    var search = picker.querySelector("[data-link-search]");
    var results = picker.querySelector("[data-link-results]");
    var countEl = picker.querySelector("[data-link-count]");
    var errorEl = picker.querySelector("[data-link-error]");
    var max = parseInt(picker.getAttribute("data-max"), 10) || 5;
    if (!list || !search) return;
    search.hidden = false;

    function items() { return Array.from(list.querySelectorAll("[data-link-item]")); }

    function showError(message) {
      errorEl.replaceChildren();
      if (message) {
        var li = document.createElement("li");
        li.textContent = message;
        errorEl.appendChild(li);
      }
      errorEl.hidden = !message;
    }

    function refresh() {
      var all = items();
      all.forEach(function (item, index) {
        var tools = item.querySelector("[data-link-tools]");
        if (tools) tools.hidden = false;
        var up = item.querySelector("[data-link-move='-1']");
        var down = item.querySelector("[data-link-move='1']");
        if (up) up.disabled = index === 0;
        if (down) down.disabled = index === all.length - 1;
        // With the remove button there, "don't tag" is not needed in the variant select.
        var none = item.querySelector("select option[value='']");
        if (none) none.remove();
      });
      if (countEl) countEl.textContent = all.length + "/" + max;
      var picked = all.map(function (item) { return item.getAttribute("data-product"); });
      results.querySelectorAll("[data-link-add]").forEach(function (button) {
        var result = button.closest("[data-product]");
        var tagged = picked.indexOf(result.getAttribute("data-product")) >= 0;
        if (!button.dataset.labelTag) button.dataset.labelTag = button.textContent;
        button.textContent = tagged ? button.dataset.labelAdded : button.dataset.labelTag;
        button.disabled = tagged;
      });
    }

    // Enter searches at once. Not an hx-trigger filter (keyup[key=='Enter']): htmx evaluates those as
    // code, which the CSP forbids (htmx:evalDisallowedError on every compose and edit page).
    var input = search.querySelector("input[type=search]");
    if (input) input.addEventListener("keyup", function (event) {
      if (event.key === "Enter") input.dispatchEvent(new CustomEvent("link-search-enter"));
    });

    results.addEventListener("click", function (event) {
      var button = event.target.closest("[data-link-add]");
      if (!button) return;
      var result = button.closest("[data-product]");
      var template = result.querySelector("template[data-link-template]");
      if (items().some(function (item) { return item.getAttribute("data-product") === result.getAttribute("data-product"); })) return;
      if (items().length >= max) { showError(picker.getAttribute("data-msg-full")); return; }
      showError("");
      list.appendChild(template.content.firstElementChild.cloneNode(true));
      refresh();
    });

    list.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) return;
      var item = button.closest("[data-link-item]");
      if (button.hasAttribute("data-link-remove")) {
        item.remove();
        showError("");
        refresh();
        var first = list.querySelector("[data-link-item] select") || picker.querySelector("input[type=search]");
        if (first) first.focus();
        return;
      }
      var step = parseInt(button.getAttribute("data-link-move"), 10);
      if (step === -1 && item.previousElementSibling) list.insertBefore(item, item.previousElementSibling);
      if (step === 1 && item.nextElementSibling) list.insertBefore(item.nextElementSibling, item);
      refresh();
      if (!button.disabled) button.focus();
      else { var other = item.querySelector(".link-tool:not([disabled])"); if (other) other.focus(); }
    });

    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target === results) refresh();
    });
    refresh();
  }

  function start() { document.querySelectorAll("[data-link-picker]").forEach(init); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

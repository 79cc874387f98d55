// The note page's photo carousel: arrows, dots, a counter and the keyboard. The photos are a strip that
// scrolls sideways with snap points, so touch swipes are the browser's own; without this file the strip
// still scrolls.
(function () {
  "use strict";

  function initCarousel(root) {
    var track = root.querySelector("[data-track]");
    var slides = root.querySelectorAll("[data-slide]");
    if (!track || slides.length < 2) return;
    var prev = root.querySelector("[data-prev]");
    var next = root.querySelector("[data-next]");
    var dots = root.querySelectorAll("[data-dot]");
    var dotsBox = root.querySelector("[data-dots]");
    var count = root.querySelector("[data-count]");
    var current = 0;

    function indexNow() {
      var width = track.clientWidth || 1;
      return Math.max(0, Math.min(slides.length - 1, Math.round(track.scrollLeft / width)));
    }

    function show(index) {
      current = index;
      if (prev) prev.disabled = index === 0;
      if (next) next.disabled = index === slides.length - 1;
      dots.forEach(function (dot, i) { dot.setAttribute("aria-current", i === index ? "true" : "false"); });
      if (count) count.textContent = index + 1 + "/" + slides.length;
      root.setAttribute("data-index", String(index));
    }

    // While an arrow or dot scrolls the strip smoothly, the positions it passes are not the photo shown:
    // the counter stayed on the target, then jumped back to the start and forward again.
    var target = null;
    function goTo(index) {
      index = Math.max(0, Math.min(slides.length - 1, index));
      target = index;
      track.scrollTo({ left: index * track.clientWidth, behavior: "smooth" });
      show(index);
    }

    var pending = false;
    track.addEventListener("scroll", function () {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        var index = indexNow();
        if (target !== null) {
          if (index === target) target = null;
          return;
        }
        if (index !== current) show(index);
      });
    }, { passive: true });
    // The reader's own swipe or wheel takes over from an arrow's scroll; so does its end.
    ["pointerdown", "wheel", "scrollend"].forEach(function (name) {
      track.addEventListener(name, function () {
        target = null;
        var index = indexNow();
        if (name === "scrollend" && index !== current) show(index);
      }, { passive: true });
    });

    if (prev) prev.addEventListener("click", function () { goTo(current - 1); });
    if (next) next.addEventListener("click", function () { goTo(current + 1); });
    dots.forEach(function (dot) {
      dot.addEventListener("click", function () { goTo(parseInt(dot.getAttribute("data-dot"), 10)); });
    });
    track.addEventListener("keydown", function (event) {
      if (event.key === "ArrowRight") { event.preventDefault(); goTo(current + 1); }
      if (event.key === "ArrowLeft") { event.preventDefault(); goTo(current - 1); }
    });
    // Keep the photo in view when the window is resized (the slide width changes).
    window.addEventListener("resize", function () { track.scrollLeft = current * track.clientWidth; });

    [prev, next, dotsBox, count].forEach(function (el) { if (el) el.hidden = false; });
    root.classList.add("is-ready");
    show(indexNow());
  }

  function init() { document.querySelectorAll("[data-carousel]").forEach(initCarousel); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

// A table wider than the screen scrolls in its box. The box then takes keyboard focus, so the
// arrow keys scroll it, and is a region named by the table's caption (or a general name).
(function () {
  "use strict";
  var script = document.currentScript;
  var fallbackName = script ? script.getAttribute("data-label") : "";
  var counter = 0;

  function update() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth || wrap.scrollHeight > wrap.clientHeight;
      if (!scrolls) {
        if (wrap.hasAttribute("data-scroll-focus")) {
          ["tabindex", "role", "aria-labelledby", "aria-label", "data-scroll-focus"].forEach(
            function (name) { wrap.removeAttribute(name); });
        }
        return;
      }
      if (wrap.hasAttribute("data-scroll-focus") || wrap.hasAttribute("tabindex")) return;
      wrap.setAttribute("data-scroll-focus", "");
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      var caption = wrap.querySelector("caption");
      if (caption) {
        caption.id = caption.id || "table-caption-" + (++counter);
        wrap.setAttribute("aria-labelledby", caption.id);
      } else {
        wrap.setAttribute("aria-label", fallbackName);
      }
    });
  }

  var pending = false;
  window.addEventListener("resize", function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; update(); });
  });
  window.addEventListener("load", update);
  update();
})();

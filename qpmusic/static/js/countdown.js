/* Live countdown to the call's deadline. Progressive enhancement: the server renders the
   deadline and the time left at page load; this script keeps "… left" current every minute,
   using the translated words the template puts in data- attributes. */
(function () {
  "use strict";

  var UNITS = [["days", 86400], ["hours", 3600], ["minutes", 60]];
  var calm = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function word(element, unit, number, rules) {
    var form = rules.select(number) === "one" ? "One" : "Other";
    return number + " " + element.dataset[unit + form];
  }

  function text(element, secondsLeft, rules) {
    var parts = [];
    var left = secondsLeft;
    UNITS.forEach(function (unit) {
      var number = Math.floor(left / unit[1]);
      left -= number * unit[1];
      if (number > 0 || parts.length > 0 || unit[0] === "minutes") {
        parts.push(word(element, unit[0], number, rules));
      }
    });
    return element.dataset.pattern.replace("{time}", parts.join(", "));
  }

  function start(element) {
    var deadline = Date.parse(element.dataset.deadline);
    if (isNaN(deadline)) {
      return;
    }
    var rules = new Intl.PluralRules(document.documentElement.lang || undefined);
    var timer = null;

    function update() {
      window.clearTimeout(timer);
      var secondsLeft = Math.floor((deadline - Date.now()) / 1000);
      var next = secondsLeft > 0 ? text(element, secondsLeft, rules) : element.dataset.ended;
      if (next !== element.textContent) {
        element.textContent = next;
        if (!calm) {
          // A short highlight shows the change; people who ask for less motion do not get it.
          element.classList.remove("ticked");
          void element.offsetWidth;
          element.classList.add("ticked");
        }
      }
      if (secondsLeft > 0) {
        // Wake up just after the displayed minute changes.
        timer = window.setTimeout(update, ((secondsLeft % 60) || 60) * 1000 + 200);
      }
    }

    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) {
        update();
      }
    });
    update();
  }

  document.querySelectorAll("[data-countdown]").forEach(start);
})();

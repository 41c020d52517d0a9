// Live character count under a text area: "1,234 of 3,000 characters".
(function () {
  "use strict";
  document.querySelectorAll("[data-counter-for]").forEach(function (counter) {
    var area = document.getElementById(counter.getAttribute("data-counter-for"));
    if (!area) return;
    var max = parseInt(counter.getAttribute("data-max"), 10);
    var template = counter.getAttribute("data-template");
    var format = new Intl.NumberFormat(document.documentElement.lang || undefined);
    function update() {
      var count = area.value.length;
      counter.textContent = template
        .replace("{count}", format.format(count))
        .replace("{max}", format.format(max));
      counter.classList.toggle("over", count > max);
    }
    area.addEventListener("input", update);
    update();
  });
})();

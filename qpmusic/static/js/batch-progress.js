// Reloads a sending's progress page while letters are still waiting; the server decides
// when to stop (it leaves out data-refresh once nothing is pending).
(function () {
  "use strict";
  var element = document.querySelector("[data-refresh]");
  if (!element) {
    return;
  }
  var seconds = parseInt(element.dataset.refresh, 10) || 5;
  window.setTimeout(function () {
    window.location.reload();
  }, seconds * 1000);
})();

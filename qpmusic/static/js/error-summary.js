// A form that comes back with errors: focus goes to the error summary, so a screen reader reads
// it and a keyboard user starts there; its links land on the field with the label in view.
(function () {
  "use strict";
  if (window.qpErrorSummary) return; // one script tag per summary, one summary takes focus
  window.qpErrorSummary = true;
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!target) return;
    event.preventDefault();
    var fieldset = target.closest("fieldset");
    var label = fieldset ? fieldset.querySelector("legend")
      : document.querySelector("label[for='" + CSS.escape(target.id) + "']");
    (label || target).scrollIntoView();
    target.focus({ preventScroll: true });
  });
})();

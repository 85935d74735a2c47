// Small behaviours shared by every page. No inline scripts (the CSP forbids them).
(function () {
  "use strict";
  // Buttons with data-confirm ask before submitting their form.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
      return;
    }
    // One submit per form: a double tap must not send the same form twice.
    if (event.target.dataset.submitting === "1") {
      event.preventDefault();
      return;
    }
    event.target.dataset.submitting = "1";
    window.setTimeout(function () { event.target.dataset.submitting = ""; }, 8000);
  });
})();

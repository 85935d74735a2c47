// Public pages: characters left in the description, copying the tracking link.
(function () {
  "use strict";

  document.querySelectorAll("[data-countdown]").forEach(function (area) {
    var out = document.getElementById(area.dataset.countdown);
    var max = parseInt(area.getAttribute("maxlength"), 10);
    if (!out || !max) { return; }
    var show = function () {
      out.textContent = out.dataset.template.replace("{n}", String(Math.max(0, max - area.value.length)));
    };
    area.addEventListener("input", show);
    show();
  });

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.dataset.copy);
      if (!input) { return; }
      input.select();
      var done = function () { button.textContent = button.dataset.copied; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });
})();

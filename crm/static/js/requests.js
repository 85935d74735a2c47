// Request pages: select-all for bulk urge, the assign dialog's deadline preview, printing.
(function () {
  "use strict";

  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.querySelectorAll('input[name="ids"]').forEach(function (item) { item.checked = box.checked; });
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // 交办: "政策咨询 · 5 个工作日 → 2026-12-01", recomputed with the server's working-day calendar.
  var days = document.querySelector("[data-deadline-url]");
  var hint = document.getElementById("deadline-hint");
  if (days && hint) {
    var timer = null;
    var update = function () {
      var n = parseInt(days.value, 10);
      if (!(n >= 1 && n <= 120)) { return; }
      var url = days.dataset.deadlineUrl + "?days=" + encodeURIComponent(n);
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data || !data.deadline) { return; }
          var text = hint.dataset.template.replace("{c}", days.dataset.category)
            .replace("{n}", String(data.days)).replace("{d}", data.deadline);
          if (data.provisional) { text += hint.dataset.provisional; }
          hint.textContent = text;
        })
        .catch(function () { /* keep the last hint; the server recomputes on submit anyway */ });
    };
    days.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 250);
    });
  }
})();

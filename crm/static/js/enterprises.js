// Enterprise pages: select rows for bulk assignment, add contact rows. No inline scripts (CSP).
(function () {
  "use strict";

  // Bulk selection on the list page.
  var bulk = document.getElementById("bulk-form");
  if (bulk) {
    var all = bulk.querySelector("[data-select-all]");
    var rows = function () { return bulk.querySelectorAll("[data-row-select]"); };
    var refresh = function () {
      var n = 0;
      rows().forEach(function (box) { if (box.checked) { n += 1; } });
      var count = bulk.querySelector("[data-selected-count]");
      if (count) { count.textContent = String(n); }
      bulk.querySelectorAll("[data-needs-selection]").forEach(function (button) { button.disabled = n === 0; });
      if (all) {
        all.checked = n > 0 && n === rows().length;
        all.indeterminate = n > 0 && n < rows().length;
      }
    };
    if (all) {
      all.addEventListener("change", function () {
        rows().forEach(function (box) { box.checked = all.checked; });
        refresh();
      });
    }
    bulk.addEventListener("change", function (event) {
      if (event.target.matches("[data-row-select]")) { refresh(); }
    });
    refresh();
  }

  // "再添加一位联系人": copy the last contact row with the next index and empty values.
  var add = document.querySelector("[data-add-contact]");
  if (add) {
    var holder = document.querySelector("[data-contact-rows]");
    add.addEventListener("click", function () {
      var rowsNow = holder.querySelectorAll("[data-contact-row]");
      var max = parseInt(add.dataset.max || "10", 10);
      if (rowsNow.length >= max) { add.disabled = true; return; }
      var last = rowsNow[rowsNow.length - 1];
      var copy = last.cloneNode(true);
      var index = rowsNow.length;
      copy.querySelectorAll("input, label").forEach(function (el) {
        ["id", "name", "for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) { el.setAttribute(attr, value.replace(/contacts-\d+-/, "contacts-" + index + "-")); }
        });
        if (el.tagName === "INPUT") { el.value = ""; el.classList.remove("is-invalid"); }
      });
      copy.querySelectorAll(".invalid-feedback").forEach(function (el) { el.remove(); });
      holder.appendChild(copy);
      var first = copy.querySelector("input");
      if (first) { first.focus(); }
      if (rowsNow.length + 1 >= max) { add.disabled = true; }
    });
  }
})();

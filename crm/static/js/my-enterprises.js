// 我的企业: filter the cards while typing (the form still works without script), and flag the
// enterprises with a visit draft kept in this browser.
(function () {
  "use strict";
  var list = document.getElementById("enterprise-cards");
  if (!list) { return; }
  var cards = Array.prototype.slice.call(list.querySelectorAll(".enterprise-card"));
  var input = document.querySelector("[data-card-filter] input[type=search]");
  var none = document.getElementById("no-match");

  if (input) {
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      var shown = 0;
      cards.forEach(function (card) {
        var hit = !needle || card.dataset.search.toLowerCase().indexOf(needle) !== -1;
        card.classList.toggle("d-none", !hit);
        if (hit) { shown += 1; }
      });
      if (none) { none.classList.toggle("d-none", shown > 0 || cards.length === 0); }
    });
  }

  var store = null;
  try { store = window.localStorage; } catch (e) { store = null; }
  if (store) {
    cards.forEach(function (card) {
      if (card.dataset.draftKey && store.getItem(card.dataset.draftKey)) {
        card.querySelector(".draft-flag").classList.remove("d-none");
      }
    });
  }
})();

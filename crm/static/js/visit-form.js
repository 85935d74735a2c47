// 登记走访: problem rows added inline, a draft kept in the browser so nothing typed is lost,
// and a session check before submitting (an expired login goes to the login page with the
// draft kept; it is restored when the form opens again). No inline scripts (CSP).
(function () {
  "use strict";

  function store() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  // The saved page: the server has the visit, forget the draft.
  var saved = document.querySelector("[data-clear-draft]");
  if (saved && store()) {
    try { store().removeItem(saved.dataset.clearDraft); } catch (e) { /* private mode */ }
  }

  var form = document.querySelector("form.visit-form");
  if (!form) { return; }
  var key = form.dataset.draftKey;
  var rows = document.getElementById("problem-rows");
  var template = document.getElementById("problem-row-template");
  var INDEX = /^problems-(\d+)-/;

  // --- problem rows ---------------------------------------------------------------------
  function indexes() {
    var found = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      var m = INDEX.exec(el.name || "");
      if (m) { found[m[1]] = true; }
    });
    return Object.keys(found).map(Number);
  }

  function addRow(index) {
    if (index === undefined) {
      index = indexes().reduce(function (a, b) { return Math.max(a, b); }, -1) + 1;
    }
    rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__index__/g, String(index)));
    var row = rows.lastElementChild;
    wire(row);
    renumber();
    return row;
  }

  function renumber() {
    var all = rows.querySelectorAll("[data-problem-row]");
    Array.prototype.forEach.call(all, function (row, i) {
      row.querySelector("[data-problem-number]").textContent = String(i + 1);
      row.querySelector("[data-remove-problem]").classList.toggle("d-none", all.length < 2);
    });
  }

  function showAnswer(row) {
    var box = row.querySelector("[data-answered-toggle]");
    row.querySelector("[data-answer-field]").classList.toggle("d-none", !box.checked);
  }

  function wire(row) {
    showAnswer(row);
    row.querySelector("[data-answered-toggle]").addEventListener("change", function () {
      showAnswer(row);
      if (this.checked) { row.querySelector("[data-answer-field] textarea").focus(); }
    });
    row.querySelector("[data-remove-problem]").addEventListener("click", function () {
      row.parentNode.removeChild(row);
      renumber();
      saveDraft();
    });
  }

  Array.prototype.forEach.call(rows.querySelectorAll("[data-problem-row]"), wire);
  renumber();

  // --- length hints: the server refuses over-long text; say so while typing ---------------
  form.addEventListener("input", function (event) {
    var el = event.target;
    var limit = Number(el.dataset && el.dataset.limit);
    if (!limit) { return; }
    var note = el.parentNode.querySelector(".limit-note");
    if (!note) {
      note = document.createElement("div");
      note.className = "limit-note form-text";
      el.insertAdjacentElement("afterend", note);
    }
    var over = el.value.length > limit;
    note.textContent = el.value.length > limit * 0.8 ? el.value.length + " / " + limit : "";
    note.classList.toggle("text-danger", over);
    el.classList.toggle("is-invalid", over);
  });

  // --- the draft ------------------------------------------------------------------------
  function collect() {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.type === "submit" || el.type === "button") { return; }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
      (fields[el.name] = fields[el.name] || []).push(el.value);
    });
    return fields;
  }

  function saveDraft() {
    if (!key || !store()) { return; }
    try { store().setItem(key, JSON.stringify({ at: Date.now(), fields: collect() })); } catch (e) { /* full */ }
  }

  function restore(fields) {
    var have = indexes();
    Object.keys(fields).forEach(function (name) {
      var m = INDEX.exec(name);
      if (m && have.indexOf(Number(m[1])) === -1) { addRow(Number(m[1])); have.push(Number(m[1])); }
    });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.type === "submit" || el.type === "button") { return; }
      var values = fields[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else if (values.length) {
        el.value = values[0];
      }
    });
    Array.prototype.forEach.call(rows.querySelectorAll("[data-problem-row]"), showAnswer);
  }

  if (form.dataset.draftRestore === "1" && key && store()) {
    var kept = null;
    try { kept = JSON.parse(store().getItem(key) || "null"); } catch (e) { kept = null; }
    if (kept && kept.fields) {
      restore(kept.fields);
      document.getElementById("draft-restored").classList.remove("d-none");
    }
  }
  var discard = document.querySelector("[data-discard-draft]");
  if (discard) {
    discard.addEventListener("click", function () {
      try { store().removeItem(key); } catch (e) { /* nothing kept */ }
      window.location.reload();
    });
  }
  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);

  // --- submitting -----------------------------------------------------------------------
  function warn(message) {
    var box = document.getElementById("draft-offline");
    box.textContent = message;
    box.classList.remove("d-none");
    box.scrollIntoView({ block: "center" });
  }

  // Coming back to the page (browser history) must allow saving again.
  window.addEventListener("pageshow", function () { form.dataset.sending = ""; });

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.name === "add_problem") {
      event.preventDefault();
      addRow().querySelector("input[type=text]").focus();
      saveDraft();
      return;
    }
    event.preventDefault();
    if (form.dataset.sending === "1") { return; }  // a double tap: one visit
    form.dataset.sending = "1";
    saveDraft();
    var next = window.location.pathname + window.location.search;
    fetch(form.dataset.sessionUrl + "?next=" + encodeURIComponent(next),
          { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { status: response.status, body: body }; });
      })
      .then(function (result) {
        if (result.body && result.body.ok) {
          var token = form.querySelector("input[name=csrf_token]");
          if (token && result.body.csrf_token) { token.value = result.body.csrf_token; }
          form.submit();  // no submit event: straight to the server
        } else if (result.status === 401 && result.body.login) {
          warn(form.dataset.msgLogin);
          window.location.href = result.body.login;
        } else {
          form.dataset.sending = "";
          warn(form.dataset.msgOffline);
        }
      })
      .catch(function () {
        form.dataset.sending = "";
        warn(form.dataset.msgOffline);
      });
  });
})();

/* The visitor's list, working without signal: a visit is saved on the phone (localStorage) with
   a client id made here, and sent to /api/v1/campaigns/visits when the network is there (at
   once, when the browser comes back online, and every 20 seconds). The server records a client
   id once: a visit sent twice (the answer lost on the way) is still one visit. The service
   worker keeps this page and its files for opening without signal. */
(function () {
  "use strict";
  var app = document.getElementById("visits-app");
  if (!app) return;
  var KEY = "linli.campaigns.queue";
  var states = {};
  try { states = JSON.parse("{" + app.dataset.states + "}"); } catch (e) { states = {}; }
  var status = document.getElementById("sync-status");
  var sending = false;

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(queue) { localStorage.setItem(KEY, JSON.stringify(queue)); }
  function row(item) { return document.getElementById("home-" + item.campaign_id + "-" + item.home_id); }

  function showStatus() {
    var n = load().length;
    status.textContent = n ? app.dataset.msgWaiting.replace("%(n)s", n) : app.dataset.msgSent;
    status.classList.toggle("waiting", n > 0);
  }
  function mark(item, text, refused) {
    var li = row(item);
    if (!li) return;
    var q = li.querySelector(".queued");
    q.textContent = text;
    q.hidden = !text;
    q.classList.toggle("refused", !!refused);
  }
  function showState(item, state) {
    var li = row(item);
    if (!li || !states[state]) return;
    var el = li.querySelector(".home-state");
    el.textContent = "";
    var span = document.createElement("span");
    span.className = "state state-" + state;
    span.textContent = states[state];
    el.appendChild(span);
  }

  function flush() {
    var queue = load();
    if (sending || !queue.length) { showStatus(); return; }
    sending = true;
    var item = queue[0];
    fetch(app.dataset.api, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": app.dataset.csrf, "Accept": "application/json" },
      body: JSON.stringify(item)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.status >= 500 || response.status === 401 || response.status === 429) throw new Error("retry");
        var rest = load().filter(function (q) { return q.client_id !== item.client_id; });
        save(rest);
        if (response.ok) {
          mark(item, "");
          showState(item, body.home_state);
        } else {
          mark(item, app.dataset.msgRefused.replace("%(detail)s", body.detail || response.status), true);
        }
        sending = false;
        flush();
      });
    }).catch(function () {
      sending = false;  // no signal: keep the queue, try again later
      showStatus();
    });
  }

  function openForm(li) {
    var panel = document.getElementById("form-" + li.dataset.campaign);
    if (!panel) return false;
    var form = panel.querySelector("form");
    form.reset();
    form.elements.home_id.value = li.dataset.home;
    panel.querySelector(".form-home").textContent = li.dataset.label;
    panel.querySelector(".form-error").hidden = true;
    var select = form.querySelector("select.residents");
    while (select.options.length > 1) select.remove(1);
    var residents = [];
    try { residents = JSON.parse(li.dataset.residents || "[]"); } catch (e) { residents = []; }
    residents.forEach(function (p) { select.add(new Option(p.name, p.id)); });
    li.after(panel);
    panel.hidden = false;
    panel.querySelector("h2").focus();
    return true;
  }

  function answersOf(form) {
    var answers = {};
    form.querySelectorAll(".question").forEach(function (q) {
      var key = q.dataset.key;
      var field = form.elements["a_" + key];
      var value = field ? field.value : "";
      if (value === "" || value === undefined) return;
      answers[key] = q.dataset.kind === "yesno" ? value === "yes" : q.dataset.kind === "number" ? Number(value) : value;
    });
    return answers;
  }

  function submit(event) {
    event.preventDefault();
    var form = event.target;
    var outcome = form.elements.outcome.value;
    var error = form.querySelector(".form-error");
    if (!outcome) { error.textContent = app.dataset.msgChoose; error.hidden = false; return; }
    var item = {
      client_id: uuid(),
      campaign_id: Number(form.dataset.campaign),
      home_id: Number(form.elements.home_id.value),
      outcome: outcome,
      answers: outcome === "reached" ? answersOf(form) : {},
      note: form.elements.note.value,
      visited_at: new Date().toISOString(),
      changes: []
    };
    var kind = form.elements.change_kind.value;
    if (kind) {
      item.changes.push({
        kind: kind,
        person_id: form.elements.change_person.value ? Number(form.elements.change_person.value) : null,
        name: form.elements.change_name.value,
        phone: form.elements.change_phone.value,
        relation: form.elements.change_relation.value
      });
    }
    var queue = load();
    queue.push(item);
    save(queue);
    var panel = form.closest(".visit-panel");
    panel.hidden = true;
    mark(item, app.dataset.msgQueued);
    var li = row(item);
    if (li) li.querySelector(".record").focus();
    showStatus();
    flush();
  }

  app.addEventListener("click", function (event) {
    var link = event.target.closest("a.record");
    if (link && openForm(link.closest("li.home"))) event.preventDefault();
    var cancel = event.target.closest("button.cancel");
    if (cancel) {
      var panel = cancel.closest(".visit-panel");
      panel.hidden = true;
      var li = panel.previousElementSibling;
      if (li && li.querySelector) li.querySelector(".record").focus();
    }
  });
  app.querySelectorAll("form.visit-form").forEach(function (f) { f.addEventListener("submit", submit); });
  load().forEach(function (item) { mark(item, app.dataset.msgQueued); });
  window.addEventListener("online", flush);
  setInterval(flush, 20000);
  flush();

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(app.dataset.sw, { scope: app.dataset.scope }).then(function () {
      if (!window.caches) return;
      // Keep this page and its files for opening without signal.
      var urls = [location.pathname];
      document.querySelectorAll("link[rel=stylesheet], script[src], link[rel=manifest]").forEach(function (el) {
        urls.push(el.href || el.src);
      });
      caches.open("linli-campaigns-v1").then(function (cache) { return cache.addAll(urls); }).catch(function () {});
    }).catch(function () {});
  }
})();

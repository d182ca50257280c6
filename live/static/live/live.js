/* The live class (docs/live.md): follows the teacher's slide over a socket,
   falling back to asking the server every 2 s when sockets are blocked.
   One file for the three views: pupil, screen (projector), present. */
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  if (!root) { return; }
  var view = root.getAttribute("data-live");
  var slides = Array.prototype.slice.call(root.querySelectorAll(".live-slides [data-slide]"));
  var total = slides.length;
  var state = {slide: 0, locked: true, v: -1};
  var shownSlide = 0;
  var socket = null;
  var polling = null;
  var connection = root.querySelector("[data-connection]");
  var csrf = root.querySelector("input[name=csrfmiddlewaretoken]");

  function say(text) { if (connection) { connection.textContent = text; } }
  function t(key) { return root.getAttribute("data-say-" + key) || ""; }

  function show(index) {
    shownSlide = index;
    slides.forEach(function (s) { s.hidden = Number(s.getAttribute("data-slide")) !== index; });
    if (view === "present") {
      root.querySelectorAll("[data-notes]").forEach(function (n) { n.hidden = Number(n.getAttribute("data-notes")) !== index; });
      var hasNext = false;
      root.querySelectorAll("[data-next]").forEach(function (n) {
        var on = Number(n.getAttribute("data-next")) === index + 1; n.hidden = !on; hasNext = hasNext || on;
      });
      var none = root.querySelector("[data-next-none]"); if (none) { none.hidden = hasNext; }
      root.querySelectorAll("[data-for-slide]").forEach(function (f) { f.hidden = Number(f.getAttribute("data-for-slide")) !== index; });
      var prev = root.querySelector("[data-goto=prev]"); if (prev) { prev.value = Math.max(0, index - 1); }
      var next = root.querySelector("[data-goto=next]"); if (next) { next.value = Math.min(total - 1, index + 1); }
      var number = root.querySelector("[data-slide-number]"); if (number) { number.textContent = index + 1; }
    }
    if (view === "pupil") {
      var nav = root.querySelector("[data-pupil-nav]");
      if (nav) { nav.hidden = state.locked && shownSlide === state.slide; }
      var back = root.querySelector("[data-back]"); if (back) { back.disabled = state.locked || shownSlide === 0; }
      var follow = root.querySelector("[data-follow]"); if (follow) { follow.hidden = shownSlide === state.slide; }
    }
  }

  function setLock(locked) {
    state.locked = locked;
    var value = root.querySelector("[data-lock-value]"); if (value) { value.value = locked ? "0" : "1"; }
    var label = root.querySelector("[data-lock-label]");
    if (label) { label.textContent = locked ? root.getAttribute("data-say-unlock") || label.textContent : root.getAttribute("data-say-lock") || label.textContent; }
  }

  function follow(index, locked) {
    var wasFollowing = shownSlide === state.slide;
    state.slide = index;
    setLock(locked);
    if (view !== "pupil" || locked || wasFollowing || shownSlide > index) { show(index); } else { show(shownSlide); }
  }

  var totals = {};  // the largest total shown per activity
  function chart(message) {
    var fig = root.querySelector('[data-chart="' + message.activity + '"]');
    if (!fig) { return; }
    // Answers are counted side by side: an older count may arrive after a
    // newer one. Every answer adds one to the total, so the larger is newer.
    if (message.total < (totals[message.activity] || 0)) { return; }
    totals[message.activity] = message.total;
    var max = 0;
    Object.keys(message.counts).forEach(function (k) { max = Math.max(max, message.counts[k]); });
    fig.querySelectorAll("[data-option]").forEach(function (bar) {
      var n = message.counts[bar.getAttribute("data-option")] || 0;
      bar.querySelector("[data-count]").textContent = n;
      bar.querySelector(".live-bar-fill").style.width = (max ? Math.round(100 * n / max) : 0) + "%";
    });
    var totalEl = fig.querySelector("[data-total]"); if (totalEl) { totalEl.textContent = message.total; }
  }

  function reveal(message) {
    var box = root.querySelector('[data-reveal="' + message.activity + '"]');
    if (!box) { return; }
    box.querySelectorAll("[data-option]").forEach(function (li) {
      var id = li.getAttribute("data-option");
      var right = message.correct.indexOf(id) !== -1;
      li.classList.toggle("correct", right);
      li.querySelector(".reveal-mark").textContent = right ? " ✓" : "";
      var fb = li.querySelector(".reveal-feedback");
      if (!fb) { fb = document.createElement("span"); fb.className = "reveal-feedback"; li.appendChild(fb); }
      fb.textContent = " " + (message.feedback[id] || "");
    });
    box.querySelector(".reveal-explanation").textContent = message.explanation || "";
    box.hidden = false;
    root.querySelectorAll('[data-activity="' + message.activity + '"] form.answer-form button').forEach(function (b) { b.disabled = true; });
  }

  function words(activity, shown) {
    var list = root.querySelector('[data-words="' + activity + '"]');
    if (!list) { return; }
    list.textContent = "";
    shown.forEach(function (w) { var li = document.createElement("li"); li.textContent = w; list.appendChild(li); });
    list.hidden = shown.length === 0;
  }

  function shownQuestion(text) {
    var box = root.querySelector("[data-shown-question]");
    if (!box) { return; }
    box.hidden = !text;
    box.querySelector("[data-shown-question-text]").textContent = text || "";
  }

  function joined(count) { root.querySelectorAll("[data-joined]").forEach(function (el) { el.textContent = count; }); }

  function addQuestion(q) {
    var list = root.querySelector("[data-questions]");
    var tpl = root.querySelector("template[data-question-template]");
    if (!list || !tpl || list.querySelector('[data-qid="' + q.id + '"]')) { return; }
    var li = tpl.content.firstElementChild.cloneNode(true);
    li.setAttribute("data-qid", q.id);
    li.querySelector("[data-text]").textContent = q.text;
    li.querySelector("[data-id]").value = q.id;
    if (q.disclosure) {
      li.classList.add("disclosure");
      li.querySelector("[data-disclosure]").hidden = false;
      var help = root.querySelector("[data-disclosure-help]"); if (help) { help.hidden = false; }
    }
    bindControl(li.querySelector("form"));
    list.appendChild(li);
  }

  function addPending(p) {
    var list = root.querySelector("[data-pending]");
    var tpl = root.querySelector("template[data-pending-template]");
    if (!list || !tpl || list.querySelector('[data-item="' + p.activity + ":" + p.item + '"]')) { return; }
    var li = tpl.content.firstElementChild.cloneNode(true);
    li.setAttribute("data-item", p.activity + ":" + p.item);
    li.querySelector("[data-text]").textContent = p.text;
    li.querySelector("input[data-activity]").value = p.activity;
    li.querySelector("input[data-item]").value = p.item;
    bindControl(li.querySelector("form"));
    list.appendChild(li);
  }

  function ended(message) {
    var note = root.querySelector("[data-ended]"); if (note) { note.hidden = false; }
    root.querySelectorAll("form[data-send] button, form[data-send] textarea, form[data-send] input").forEach(function (el) { el.disabled = true; });
    if (polling) { clearInterval(polling); polling = null; }
    if (message && message.summary) { window.location.assign(message.summary); }
  }

  function applyState(s) {
    if (s.v !== undefined && s.v === state.v && s.slide === state.slide) { return; }
    state.v = s.v;
    follow(s.slide, s.locked);
    Object.keys(s.revealed || {}).forEach(function (k) { reveal(s.revealed[k]); });
    Object.keys(s.words || {}).forEach(function (k) { words(k, s.words[k]); });
    shownQuestion(s.shown_question);
    if (s.joined !== undefined) { joined(s.joined); }
    if (s.counts) { chart(s.counts); }
    (s.questions || []).forEach(addQuestion);
    if (s.pending && s.pending.activity) {
      s.pending.items.forEach(function (p) { addPending({activity: s.pending.activity, item: p.item, text: p.text}); });
    }
    if (s.ended) { ended(view === "present" ? {summary: s.summary} : null); }
  }

  function receive(message) {
    switch (message.type) {
      case "state": applyState(message); break;
      case "slide": follow(message.slide, message.locked); break;
      case "counts": chart(message); break;
      case "reveal": reveal(message); break;
      case "words": words(message.activity, message.shown); break;
      case "show_question": shownQuestion(message.text); break;
      case "joined": joined(message.count); break;
      case "question": addQuestion(message); break;
      case "pending": addPending(message); break;
      case "ended": ended(view === "present" ? message : null); break;
      case "answered": markAnswered(message.activity, "sent"); break;
      case "asked": markAsked(); break;
      case "refused": markAnswered(null, message.reason); break;
      default: break;
    }
  }

  // ------------------------------------------------------------ sending
  var lastForm = null;
  function status(form, text) { var el = form && form.querySelector("[data-answer-status]"); if (el) { el.textContent = text; } }
  function markAnswered(activity, how) {
    var form = activity ? root.querySelector('[data-activity="' + activity + '"] form.answer-form') : lastForm;
    if (!form) { return; }
    status(form, how === "sent" ? (root.getAttribute("data-say-sent") || "✓") : (root.getAttribute("data-say-closed") || "–"));
    if (how === "sent" || how === "already-answered") { form.querySelectorAll("button, input, textarea").forEach(function (b) { b.disabled = true; }); }
  }
  function markAsked() {
    var form = root.querySelector(".question-box form");
    if (form) { form.querySelector("textarea").value = ""; status(form, root.getAttribute("data-say-asked") || "✓"); }
  }

  function post(url, message) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : ""},
      body: JSON.stringify(message)
    }).then(function (r) { return r.json(); }).then(function (reply) { if (reply && reply.type) { receive(reply); } });
  }

  function send(message) {
    if (socket && socket.readyState === 1) { socket.send(JSON.stringify(message)); return; }
    var url = root.getAttribute(view === "pupil" ? "data-send-url" : "data-control-url");
    post(url, message).then(function () { if (view !== "pupil") { poll(); } });
  }

  function formMessage(form, submitter) {
    var data = new FormData(form);
    var message = {};
    data.forEach(function (value, key) {
      if (key === "csrfmiddlewaretoken") { return; }
      if (key === "choices") { (message.choices = message.choices || []).push(value); return; }
      message[key] = value;
    });
    if (submitter && submitter.name) { message[submitter.name] = submitter.value; }
    ["slide", "item"].forEach(function (k) { if (k in message) { message[k] = Number(message[k]); } });
    if ("question" in message) { message.question = message.question === "" ? null : Number(message.question); }
    if ("locked" in message) { message.locked = message.locked === "1"; }
    return message;
  }

  function bindSend(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var message = formMessage(form, event.submitter);
      if (message.type === "answer" && !message.choice && !message.choices && !message.text) { return; }
      lastForm = form;
      send(message);
    });
  }
  function bindControl(form) {
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      if (form.hasAttribute("data-end") && !window.confirm(root.getAttribute("data-say-confirm-end") || "?")) { event.preventDefault(); return; }
      event.preventDefault();
      send(formMessage(form, event.submitter));
    });
  }
  root.querySelectorAll("form[data-send]").forEach(bindSend);
  root.querySelectorAll("form[data-control]").forEach(bindControl);

  // ------------------------------------------------------------ keys
  if (view === "present" || view === "screen") {
    document.addEventListener("keydown", function (event) {
      if (event.target.closest && event.target.closest("input, textarea, select")) { return; }
      var to = null;
      if (["ArrowRight", "PageDown", " "].indexOf(event.key) !== -1) { to = Math.min(total - 1, state.slide + 1); }
      if (["ArrowLeft", "PageUp"].indexOf(event.key) !== -1) { to = Math.max(0, state.slide - 1); }
      if (to === null || to === state.slide) { return; }
      event.preventDefault();
      if (view === "present") { send({type: "goto", slide: to}); } else { post(root.getAttribute("data-control-url"), {type: "goto", slide: to}); }
    });
  }
  if (view === "pupil") {
    var back = root.querySelector("[data-back]");
    if (back) { back.addEventListener("click", function () { if (!state.locked && shownSlide > 0) { show(shownSlide - 1); } }); }
    var followBtn = root.querySelector("[data-follow]");
    if (followBtn) { followBtn.addEventListener("click", function () { show(state.slide); }); }
  }

  // ------------------------------------------------------------ socket, then polling
  function poll() {
    var url = root.getAttribute("data-state-url");
    fetch(url, {credentials: "same-origin", cache: "no-store"}).then(function (r) {
      if (r.status === 404) { ended(null); return null; }
      return r.json();
    }).then(function (s) { if (s) { applyState(s); } }).catch(function () {});
  }
  function startPolling() {
    if (polling) { return; }
    say(root.getAttribute("data-say-polling") || "");
    poll();
    polling = setInterval(poll, 2000);
  }
  var tries = 0;
  function connect() {
    if (!("WebSocket" in window)) { startPolling(); return; }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var opened = false;
    try { socket = new WebSocket(scheme + window.location.host + root.getAttribute("data-socket")); } catch (e) { startPolling(); return; }
    socket.onopen = function () { opened = true; tries = 0; if (polling) { clearInterval(polling); polling = null; } say(""); };
    socket.onmessage = function (event) { try { receive(JSON.parse(event.data)); } catch (e) { /* ignore */ } };
    socket.onclose = function (event) {
      socket = null;
      if (event.code === 4410 || event.code === 4404) { ended(null); return; }
      if (event.code >= 4400 && event.code < 4500) { startPolling(); return; }
      // Blocked or dropped: poll meanwhile, and try the socket again.
      startPolling();
      tries += 1;
      if (!opened && tries > 3) { return; }
      setTimeout(connect, Math.min(10000, 500 * tries));
    };
  }
  show(Number(root.querySelector(".live-slides [data-slide]:not([hidden])") ? root.querySelector(".live-slides [data-slide]:not([hidden])").getAttribute("data-slide") : 0));
  state.slide = shownSlide;
  connect();
})();

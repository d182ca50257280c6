/* The counselor's pages; every action works without this script.
   1. Reply templates: choosing one puts its text into the reply box at once
      (without the script, the "Insert template" button does it on the server).
   2. Browser notifications: subscribe this browser with the school's key. */
(function () {
  "use strict";

  var form = document.querySelector("[data-reply-form]");
  var data = document.getElementById("reply-templates");
  if (form && data) {
    var templates = {};
    JSON.parse(data.textContent).forEach(function (t) { templates[String(t.id)] = t.body; });
    var select = form.querySelector("select[name=template]");
    var box = form.querySelector("textarea[name=body]");
    var button = form.querySelector("[data-insert-button]");
    if (select && box) {
      if (button) { button.hidden = true; }
      select.addEventListener("change", function () {
        var text = templates[select.value];
        if (!text) { return; }
        box.value = box.value.trim() ? box.value.replace(/\s+$/, "") + "\n\n" + text : text;
        box.focus();
      });
    }
  }

  var panel = document.querySelector("[data-push]");
  if (!panel) { return; }
  var status = panel.querySelector("[data-push-status]");
  var on = panel.querySelector("[data-push-on]");
  var off = panel.querySelector("[data-push-off]");
  function say(key) { if (status) { status.textContent = panel.getAttribute("data-say-" + key) || ""; } }
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say("unsupported");
    return;
  }
  function keyBytes(base64) {
    var padded = (base64 + "===".slice((base64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }
  function post(url, fields) {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", panel.querySelector("[name=csrfmiddlewaretoken]").value);
    Object.keys(fields).forEach(function (k) { body.append(k, fields[k]); });
    return fetch(url, { method: "POST", body: body, credentials: "same-origin" });
  }
  var worker = navigator.serviceWorker.register(panel.getAttribute("data-worker"));
  worker.then(function (reg) { return reg.pushManager.getSubscription(); }).then(function (sub) {
    if (on) { on.hidden = !!sub; }
    if (off) { off.hidden = !sub; }
    say(sub ? "on" : "off");
  });
  if (on) {
    on.addEventListener("click", function () {
      Notification.requestPermission().then(function (answer) {
        if (answer !== "granted") { say("denied"); return null; }
        return worker.then(function (reg) {
          return reg.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: keyBytes(panel.getAttribute("data-key"))
          });
        }).then(function (sub) {
          var json = sub.toJSON();
          return post(panel.getAttribute("data-subscribe"), {
            endpoint: json.endpoint, p256dh: json.keys.p256dh, auth: json.keys.auth
          }).then(function (response) {
            if (!response.ok) { throw new Error("refused"); }
            on.hidden = true; if (off) { off.hidden = false; }
            say("on");
          });
        });
      }).catch(function () { say("failed"); });
    });
  }
  if (off) {
    off.addEventListener("click", function () {
      worker.then(function (reg) { return reg.pushManager.getSubscription(); }).then(function (sub) {
        if (!sub) { return null; }
        return post(panel.getAttribute("data-unsubscribe"), { endpoint: sub.endpoint }).then(function () {
          return sub.unsubscribe();
        });
      }).then(function () {
        off.hidden = true; if (on) { on.hidden = false; }
        say("off");
      }).catch(function () { say("failed"); });
    });
  }
})();

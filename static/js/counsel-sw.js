/* The counselors' service worker: shows a push notification and opens the
   inbox when it is clicked. A push carries no report content, only
   "new report" or "urgent report" in the counselor's language. Nothing is
   cached. */
"use strict";

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  var title = data.title || "Safe Together";
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "",
    tag: data.urgent ? "urgent-report" : "new-report",
    renotify: true,
    requireInteraction: !!data.urgent,
    data: { url: data.url || "/counsel/" }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = new URL((event.notification.data && event.notification.data.url) || "/counsel/", self.location.origin);
  if (url.origin !== self.location.origin) { url = new URL("/counsel/", self.location.origin); }
  event.waitUntil(self.clients.openWindow(url.href));
});

// minga's service worker. Pages a person read, and the ones their tables keep for them, are
// filed under that person and served when there is no connection, saying when they were kept.
// Forms marked for it are kept on the device when the link is down and sent, once each (by
// their idempotency key), when it returns. Whoever logs in or out, nothing of anyone else's
// stays readable.
"use strict";

importScripts("{{ store_url|escapejs }}");

var STATIC_URL = "{{ static_url|escapejs }}";
var LOGOUT = "{{ logout_url|escapejs }}";
var KEPT = "{{ kept_url|escapejs }}";
var MANIFEST = "{{ manifest_url|escapejs }}";
var VIEWER = "Minga-Viewer";
var OUTBOX = "{{ header|escapejs }}";
var KEY_FIELD = "{{ key_field|escapejs }}";
var CSRF_FIELD = "csrfmiddlewaretoken";
var STATIC = "minga-static";
var PAGES = "minga-pages-";
var ANONYMOUS = "-";
var KEEP_EVERY = 15 * 60 * 1000;

// What every page needs, kept at once: a page read offline looks as it does online.
var PRECACHE = {{ precache|safe }};

self.addEventListener("install", function (event) {
  self.skipWaiting();
  event.waitUntil(caches.open(STATIC).then(function (cache) { return cache.addAll(PRECACHE); }));
});
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function meta(key) { return mingaStore.get("meta", key); }
function setMeta(key, value) { return mingaStore.put("meta", value, key); }

function tell(message) {
  return self.clients.matchAll({ includeUncontrolled: true }).then(function (clients) {
    clients.forEach(function (client) { client.postMessage(message); });
  });
}

// Who reads now. Every page kept for anyone else is thrown away (each time: a copy a fetch
// filed just as someone logged out goes too).
function seen(viewer) {
  return meta("viewer").then(function (before) {
    if (before === viewer) return;
    return setMeta("viewer", viewer).then(function () { return setMeta("kept", null); });
  }).then(function () { return caches.keys(); })
    .then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(PAGES) === 0 && name !== PAGES + viewer;
      }).map(function (name) { return caches.delete(name); }));
    });
}

// A copy whose body was read and changed carries no length or encoding of the original.
function headersOf(response, extra) {
  var headers = new Headers(response.headers);
  headers.delete("Content-Length");
  headers.delete("Content-Encoding");
  Object.keys(extra || {}).forEach(function (name) { headers.set(name, extra[name]); });
  return headers;
}

// A copy to keep, stamped with when it was kept.
function stamped(response) {
  var headers = headersOf(response, { "Minga-Kept-At": new Date().toISOString() });
  return response.blob().then(function (body) {
    return new Response(body, { status: response.status, statusText: response.statusText, headers: headers });
  });
}

function keepable(response) {
  return response.ok && response.type === "basic" && !response.redirected &&
    (response.headers.get("Cache-Control") || "").indexOf("no-store") === -1;
}

// Kept under ``viewer``, unless someone else logged in (or out) while it was being fetched.
function file(viewer, url, response) {
  return stamped(response).then(function (copy) {
    return meta("viewer").then(function (now) {
      if (now !== viewer) return;
      return caches.open(PAGES + viewer).then(function (cache) { return cache.put(url, copy); })
        .then(function () { return meta("viewer"); })
        .then(function (after) { if (after !== viewer) return caches.delete(PAGES + viewer); });
    });
  });
}

// A page that is gone, or no longer this person's to read, is not kept either.
function forget(viewer, url) {
  return caches.open(PAGES + viewer).then(function (cache) { return cache.delete(url); });
}

function gone(response) {
  return response.status === 403 || response.status === 404 || response.status === 410;
}

// The kept copy of a page, its <body> marked with when it was kept (the page says so).
function keptCopy(request) {
  return meta("viewer").then(function (viewer) {
    return caches.open(PAGES + (viewer || ANONYMOUS)).then(function (cache) {
      return cache.match(request.url);
    });
  }).then(function (found) {
    if (!found) return unavailable();
    var when = found.headers.get("Minga-Kept-At") || "";
    if ((found.headers.get("Content-Type") || "").indexOf("text/html") !== 0) return found;
    return found.text().then(function (html) {
      var marked = html.replace("<body", '<body data-kept-at="' + when + '"');
      return new Response(marked, { status: 200, headers: headersOf(found) });
    });
  });
}

function unavailable() {
  return meta("words").then(function (words) {
    words = words || { lang: "es", title: "Sin conexión", text: "Esta página no está guardada en este dispositivo." };
    var html = '<!DOCTYPE html><html lang="' + words.lang + '"><head><meta charset="utf-8">' +
      '<meta name="viewport" content="width=device-width, initial-scale=1"><title>' + words.title +
      '</title></head><body data-kept-at="none"><main id="main"><h1>' + words.title + "</h1><p>" +
      words.text + '</p><p><a href="' + (words.home || "/") + '">' + (words.home_text || "minga") +
      "</a></p></main></body></html>";
    return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
  });
}

// Pages: the network first; the kept copy when there is none. A logout made with no link is
// sent to the server first.
function page(request) {
  return logoutPending().then(function () { return fetch(request); }).then(function (response) {
    var viewer = response.headers.get(VIEWER);
    var done = viewer === null ? Promise.resolve() : seen(viewer).then(function () {
      if (keepable(response)) return file(viewer, request.url, response.clone());
      if (gone(response)) return forget(viewer, request.url);
    });
    done = done.then(function () { flush(); });
    return done.then(function () { return response; }, function () { return response; });
  }, function () { return keptCopy(request); });
}

function logoutPending() {
  return meta("logout").then(function (pending) {
    if (!pending) return;
    var body = new FormData();
    body.append(CSRF_FIELD, pending.csrf || "");
    return fetch(LOGOUT, { method: "POST", body: body, credentials: "same-origin", redirect: "manual" })
      .then(function () { return setMeta("logout", null); }, function () {});
  });
}

// The network first, the copy kept last time when there is none.
function fresh(request) {
  return caches.open(STATIC).then(function (cache) {
    return fetch(request).then(function (response) {
      if (response.ok) cache.put(request, response.clone());
      return response;
    }, function () { return cache.match(request).then(function (found) { return found || Response.error(); }); });
  });
}

function fromCache(request) {
  return caches.open(STATIC).then(function (cache) {
    return cache.match(request).then(function (found) {
      return found || fetch(request).then(function (response) {
        if (response.ok) cache.put(request, response.clone());
        return response;
      });
    });
  });
}

// A form sent while the link is down: kept in the outbox, and the person taken back to the
// page they sent it from (its kept copy shows it waiting).
function sendOrKeep(request) {
  var copy = request.clone();
  return logoutPending().then(function () { return fetch(request); }).catch(function (error) {
    return copy.formData().then(function (form) {
      if (!form.has(KEY_FIELD)) throw error;
      return meta("viewer").then(function (viewer) {
        var fields = [];
        form.forEach(function (value, name) { fields.push([name, value]); });
        return mingaStore.put("outbox", {
          key: form.get(KEY_FIELD),
          url: request.url,
          label: form.get("outbox_label") || "",
          page: request.referrer || "/",
          viewer: viewer || ANONYMOUS,
          created: Date.now(),
          state: "waiting",
          fields: fields,
        });
      }).then(function () {
        if (self.registration.sync) return self.registration.sync.register("minga-outbox").catch(function () {});
      }).then(function () { return Response.redirect(request.referrer || "/", 303); });
    });
  });
}

var flushing = null;

// Send what waits, oldest first, each with its key; stop at the first network failure.
function flush() {
  if (flushing) return flushing;
  flushing = Promise.all([meta("viewer"), meta("csrf")]).then(function (known) {
    var viewer = known[0], csrf = known[1];
    return mingaStore.waiting(viewer).then(function (items) {
      items = items.filter(function (item) { return item.state === "waiting" || item.state === "login"; });
      var chain = Promise.resolve(true);
      items.forEach(function (item) {
        chain = chain.then(function (online) { return online && send(item, csrf); });
      });
      return chain;
    });
  }).then(function () { return tell({ type: "outbox" }); })
    .finally(function () { flushing = null; });
  return flushing;
}

function send(item, csrf) {
  var body = new FormData();
  item.fields.forEach(function (field) {
    // the newest token the pages gave: the one kept with the form may be from an older login
    body.append(field[0], field[0] === CSRF_FIELD && csrf ? csrf : field[1]);
  });
  var headers = {};
  headers[OUTBOX] = "1";
  headers[VIEWER] = item.viewer;
  return fetch(item.url, {
    method: "POST", body: body, headers: headers, credentials: "same-origin",
    redirect: "manual", referrer: item.page,
  })
    .then(function (response) {
      return response.json().catch(function () { return null; }).then(function (answer) {
        if (!answer || !answer.status) {
          // a server error, or a 403 (a token from before a new login: the next page gives a
          // fresh one): it waits and goes again later
          if (response.status >= 500 || response.status === 0 || response.status === 403) return true;
          answer = { status: "refused", message: "HTTP " + response.status, url: item.page };
        }
        if (answer.status === "pending") return true;
        if (answer.status === "accepted") {
          return mingaStore.remove("outbox", item.key).then(function () {
            return tell({ type: "sent", label: item.label, url: answer.url });
          }).then(function () { return true; });
        }
        item.state = answer.status;
        item.answer = answer;
        return mingaStore.put("outbox", item).then(function () { return true; });
      });
    }, function () { return false; });
}

// Keep the pages and files the person's tables keep for them (at most every 15 minutes,
// unless asked), telling the pages how far it got.
function keepAll(force) {
  return meta("kept").then(function (kept) {
    if (!force && kept && Date.now() - kept.at < KEEP_EVERY) return;
    return fetch(KEPT, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (!response.ok) return;
      return response.json().then(function (list) {
        list.assets.forEach(function (asset) { fromCache(new Request(asset)).catch(function () {}); });
        var urls = list.pages.concat(list.files);
        var done = 0;
        return seen(list.viewer).then(function () {
          var chain = Promise.resolve(true);
          urls.forEach(function (url) {
            chain = chain.then(function (going) {
              if (!going) return false;
              return fetch(url, { credentials: "same-origin" }).then(function (response) {
                var whose = response.headers.get(VIEWER);
                var stored = keepable(response) && (whose === null || whose === list.viewer)
                  ? file(list.viewer, url, response)
                  : gone(response) ? forget(list.viewer, new URL(url, self.location).href) : Promise.resolve();
                return stored.then(function () {
                  done += 1;
                  return tell({ type: "keeping", done: done, total: urls.length }).then(function () { return true; });
                });
              }, function () { return false; });
            });
          });
          return chain.then(function (complete) {
            if (!complete) return tell({ type: "kept", kept: null });  // the link dropped: later
            var summary = { at: Date.now(), count: done, total: urls.length };
            return setMeta("kept", summary).then(function () { return tell({ type: "kept", kept: summary }); });
          });
        });
      });
    });
  }).catch(function () {});
}

// Logging out: everything kept on the device for the person goes, their outbox too (the page
// asked them first when something still waited).
function logout(request) {
  var copy = request.clone();
  return meta("viewer").then(function (viewer) {
    // nobody's first: a page being kept for them right now is not filed
    return setMeta("viewer", ANONYMOUS).then(function () { return setMeta("kept", null); })
      .then(function () { return caches.keys(); })
      .then(function (names) {
        return Promise.all(names.filter(function (name) { return name.indexOf(PAGES) === 0; })
          .map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return mingaStore.waiting(viewer); })
      .then(function (items) {
        return Promise.all(items.map(function (item) { return mingaStore.remove("outbox", item.key); }));
      });
  }).then(function () {
    return fetch(request).catch(function () {
      // no link: the phone forgets now, and the server is told at the next connection
      return copy.formData().then(function (form) {
        return setMeta("logout", { csrf: form.get(CSRF_FIELD) || "" });
      }).then(function () { return Response.redirect("/", 303); });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST") {
    if (url.pathname === LOGOUT) event.respondWith(logout(request));
    else if (request.mode === "navigate") event.respondWith(sendOrKeep(request));
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname.indexOf(STATIC_URL) === 0) event.respondWith(fromCache(request));
  else if (request.mode === "navigate") event.respondWith(page(request));
  else if (url.pathname === MANIFEST) event.respondWith(fresh(request));
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var work;
  if (data.type === "hello") {
    // a kept copy says nothing of who is logged in now: only a fresh page does
    var fresh = typeof data.viewer === "string";
    work = Promise.all([setMeta("words", data.words), data.csrf ? setMeta("csrf", data.csrf) : null])
      .then(function () { return fresh ? seen(data.viewer) : null; })
      .then(function () {
        return !fresh || data.viewer === ANONYMOUS ? null : Promise.all([flush(), keepAll(false)]);
      });
  } else if (data.type === "keep") {
    work = keepAll(true);
  } else if (data.type === "flush") {
    work = flush();
  }
  if (work) event.waitUntil(work);
});

self.addEventListener("sync", function (event) {
  if (event.tag === "minga-outbox") event.waitUntil(flush());
});

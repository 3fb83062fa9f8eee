// The page's side of offline use: registers the service worker, says when a page is the copy
// kept on the device, lists what waits to be sent and what the server answered, keys the forms
// that may wait, and asks before logging out would delete something typed.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !window.indexedDB) return;
  var body = document.body;
  var viewer = body.dataset.viewer || "-";
  var keptAt = body.dataset.keptAt;
  var words = JSON.parse(document.getElementById("minga-offline-words").textContent);
  var main = document.getElementById("main");

  function say(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (all, name) { return values[name]; });
  }

  function when(iso) {
    var date = new Date(iso);
    if (isNaN(date)) return iso;
    return date.toLocaleString(words.lang, { dateStyle: "medium", timeStyle: "short" });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function post(message) {
    return navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage(message);
    });
  }

  // A kept copy says so at the top.
  if (keptAt && keptAt !== "none") {
    var banner = element("p", "msg warning offline-banner", say(words.kept, { when: when(keptAt) }));
    banner.setAttribute("role", "status");
    main.insertBefore(banner, main.firstChild);
  }

  // Forms that may wait get a key for this page's copy of the form: sent twice (a double tap,
  // a dropped link), it counts once.
  document.querySelectorAll("form[data-outbox]").forEach(function (form) {
    var key = self.crypto.randomUUID();
    form.addEventListener("submit", function () {
      var fields = { idempotency_key: key, outbox_label: form.dataset.outbox };
      Object.keys(fields).forEach(function (name) {
        var input = form.querySelector('input[name="' + name + '"]');
        if (!input) {
          input = element("input");
          input.type = "hidden";
          input.name = name;
          form.appendChild(input);
        }
        input.value = fields[name];
      });
    });
  });

  // A time to fill in starts at now (on a kept copy too, whenever it was kept).
  document.querySelectorAll("input[data-now]").forEach(function (input) {
    if (input.value) return;
    var now = new Date();
    now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
    input.value = now.toISOString().slice(0, 16);
  });

  // "Use where I am": the phone's position into the form's latitude and longitude.
  document.querySelectorAll("button[data-locate]").forEach(function (button) {
    if (!navigator.geolocation) return;
    var form = button.form;
    var status = form.querySelector("[data-locate-status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = button.dataset.locating;
      navigator.geolocation.getCurrentPosition(function (position) {
        form.elements.lat.value = position.coords.latitude.toFixed(6);
        form.elements.lon.value = position.coords.longitude.toFixed(6);
        status.textContent = "";
      }, function () {
        status.textContent = button.dataset.unlocated;
      }, { enableHighAccuracy: true, timeout: 30000, maximumAge: 60000 });
    });
  });

  // What waits to be sent, and the answers that need the person's eyes.
  var HIDDEN = ["csrfmiddlewaretoken", "idempotency_key", "outbox_label", "seen", "replaces", "action"];
  var panel = null;
  function describe(item) {
    var li = element("li", "outbox-item outbox-" + item.state);
    var state = item.state === "waiting" ? words.waiting : words[item.state] || words.refused;
    li.appendChild(element("strong", "", state + ": "));
    li.appendChild(document.createTextNode(item.label + " · " + when(new Date(item.created).toISOString())));
    var answer = item.answer || {};
    if (item.state === "waiting") li.appendChild(element("p", "hint", words.waiting_help));
    if (answer.message) li.appendChild(element("p", "", answer.message));
    if (answer.yours || answer.theirs) {
      var both = element("dl", "outbox-versions");
      [[words.yours, answer.yours], [words.theirs, answer.theirs]].forEach(function (pair) {
        if (!pair[1]) return;
        both.appendChild(element("dt", "", pair[0]));
        both.appendChild(element("dd", "", pair[1]));
      });
      li.appendChild(both);
    }
    var typed = (item.fields || []).filter(function (field) {
      return HIDDEN.indexOf(field[0]) === -1 && (typeof field[1] !== "string" || field[1].trim());
    });
    if (typed.length) {
      var shown = element("details");
      shown.appendChild(element("summary", "", words.typed));
      var list = element("ul");
      typed.forEach(function (field) {
        var value = typeof field[1] === "string" ? field[1] : field[1].name;
        list.appendChild(element("li", "", value));
      });
      shown.appendChild(list);
      li.appendChild(shown);
    }
    if (item.state !== "waiting") {
      if (answer.url || item.page) {
        var link = element("a", "", words.open);
        link.href = item.state === "accepted" ? answer.url : item.page || answer.url;
        li.appendChild(link);
        li.appendChild(document.createTextNode(" "));
      }
      var dismiss = element("button", "link", words.dismiss);
      dismiss.type = "button";
      dismiss.addEventListener("click", function () {
        mingaStore.remove("outbox", item.key).then(render);
      });
      li.appendChild(dismiss);
    }
    return li;
  }

  function render() {
    return mingaStore.waiting(viewer).then(function (items) {
      if (panel) panel.remove();
      panel = null;
      if (!items.length) return;
      panel = element("section", "outbox");
      panel.id = "outbox";
      panel.setAttribute("aria-live", "polite");
      panel.appendChild(element("h2", "", words.outbox + " (" + items.length + ")"));
      var list = element("ul", "plain");
      items.forEach(function (item) { list.appendChild(describe(item)); });
      panel.appendChild(list);
      var banner = main.querySelector(".offline-banner");
      main.insertBefore(panel, banner ? banner.nextSibling : main.firstChild);
    });
  }

  // "My work" says what is kept and can update it now.
  var status = document.getElementById("kept-status");
  function showKept(kept) {
    if (!status) return;
    var text = status.querySelector("[data-kept-text]");
    var bar = status.querySelector("progress");
    bar.hidden = true;
    text.textContent = kept ? say(words.kept_summary, { count: kept.count, when: when(new Date(kept.at).toISOString())}) : "";
  }
  if (status && viewer !== "-") {
    status.hidden = false;
    mingaStore.get("meta", "kept").then(showKept);
    status.querySelector("button").addEventListener("click", function () { post({ type: "keep" }); });
  }

  navigator.serviceWorker.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type === "outbox") render();
    if (data.type === "sent") {
      render();
      var note = element("p", "msg success", say(words.sent, { what: data.label }));
      note.setAttribute("role", "status");
      main.insertBefore(note, main.firstChild);
    }
    if (data.type === "keeping" && status) {
      var bar = status.querySelector("progress");
      bar.hidden = false;
      bar.max = data.total;
      bar.value = data.done;
      status.querySelector("[data-kept-text]").textContent = say(words.keeping, data);
    }
    if (data.type === "kept") showKept(data.kept);
  });

  // Logging out deletes what is kept: ask first when something typed still waits.
  document.querySelectorAll('form[action$="/accounts/logout/"]').forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.confirmed) return;
      event.preventDefault();
      mingaStore.waiting(viewer).then(function (items) {
        var unsent = items.length;
        if (!unsent || window.confirm(say(words.logout_waiting, { count: unsent }))) {
          form.dataset.confirmed = "1";
          form.submit();
        }
      });
    });
  });

  window.addEventListener("online", function () { post({ type: "flush" }); });

  navigator.serviceWorker.register(body.dataset.sw, { scope: "/" }).then(function () {
    var token = document.querySelector('input[name="csrfmiddlewaretoken"]');
    var fresh = !keptAt;
    post({
      type: "hello",
      viewer: fresh ? viewer : undefined,
      csrf: fresh && token ? token.value : null,
      words: words,
    });
  });
  render();
})();

// The device's own store (IndexedDB), shared by the pages and the service worker: the outbox
// (forms waiting to be sent, by idempotency key) and a few facts ("meta": whose pages are kept,
// when they were last updated, the words the service worker says things with).
"use strict";

var mingaStore = (function () {
  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("minga", 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("outbox", { keyPath: "key" });
        request.result.createObjectStore("meta");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // Run ``work`` on one store in one transaction; resolves with what its last request gave.
  function run(name, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(name, mode);
        var request = work(transaction.objectStore(name));
        transaction.oncomplete = function () {
          db.close();
          resolve(request ? request.result : undefined);
        };
        transaction.onerror = transaction.onabort = function () {
          db.close();
          reject(transaction.error);
        };
      });
    });
  }

  return {
    get: function (name, key) {
      return run(name, "readonly", function (store) { return store.get(key); });
    },
    put: function (name, value, key) {
      return run(name, "readwrite", function (store) {
        return key === undefined ? store.put(value) : store.put(value, key);
      });
    },
    remove: function (name, key) {
      return run(name, "readwrite", function (store) { return store.delete(key); });
    },
    all: function (name) {
      return run(name, "readonly", function (store) { return store.getAll(); });
    },
    // the items waiting for one person, oldest first
    waiting: function (viewer) {
      return this.all("outbox").then(function (items) {
        return items
          .filter(function (item) { return item.viewer === viewer; })
          .sort(function (a, b) { return a.created - b.created; });
      });
    },
  };
})();

/* A work's files: resumable uploads with tus-js-client, and live states while files are checked.
   Without JavaScript the form posts the file whole, and the page shows states on reload. */
(function () {
  "use strict";

  var CHUNK_SIZE = 8 * 1024 * 1024;
  // Poor connections: keep trying for a few minutes before giving up (the user can resume).
  var RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000, 60000, 60000];
  var lang = document.documentElement.lang || "en";
  var percentFormat = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? values[key] : match;
    });
  }

  /* ---- The list of files: poll while any is processing, refresh the list when one changes. */

  function initFileList(section) {
    var news = section.querySelector(".work-files-news");
    var timer = null;

    function list() {
      return section.querySelector(".work-files-list");
    }

    // Fetches the page again and puts its fresh list in place; says what became of announceId.
    function refresh(announceId) {
      return fetch(window.location.href, { credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(".work-files-list");
          if (!fresh) return;
          list().replaceWith(document.adoptNode(fresh));
          var row = announceId && document.getElementById("file-" + announceId);
          var said = null;
          if (row) {
            said = {
              status: row.dataset.status,
              text: row.querySelector(".file-name").textContent + ": " +
                row.querySelector(".file-state").textContent.replace(/\s+/g, " ").trim(),
            };
            news.textContent = said.text;
          }
          schedule();
          return said;
        });
    }

    function poll() {
      timer = null;
      var rows = list().querySelectorAll('tr[data-status="processing"]');
      var checks = Array.prototype.map.call(rows, function (row) {
        return fetch(row.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (data) {
            return data && data.status !== row.dataset.status ? row.id.replace(/^file-/, "") : null;
          })
          .catch(function () { return null; });
      });
      Promise.all(checks).then(function (changed) {
        var first = changed.filter(Boolean)[0];
        if (first) refresh(first);
        else schedule();
      });
    }

    function schedule() {
      if (timer || !list().querySelector('tr[data-status="processing"]')) return;
      timer = window.setTimeout(poll, Number(list().dataset.pollMs) || 3000);
    }

    schedule();
    return { refresh: refresh };
  }

  /* ---- The uploader. */

  function initUploader(form, fileList) {
    var section = form.closest(".uploader");
    var messages = JSON.parse(form.dataset.messages);
    var input = form.querySelector('input[type="file"]');
    var submit = form.querySelector(".upload-submit");
    var panel = section.querySelector(".upload-progress");
    var bar = panel.querySelector("progress");
    var percentText = panel.querySelector(".upload-percent");
    var nameText = panel.querySelector(".upload-name");
    var status = panel.querySelector(".upload-status");
    var errorText = panel.querySelector(".upload-error");
    var pauseButton = panel.querySelector('[data-action="pause"]');
    var resumeButton = panel.querySelector('[data-action="resume"]');
    var cancelButton = panel.querySelector('[data-action="cancel"]');
    var unfinished = section.querySelector(".upload-unfinished");
    var workId = form.dataset.workId;
    var upload = null;
    var lastAnnounced = -1;

    form.querySelector(".upload-help-plain").hidden = true;
    form.querySelector(".upload-help-tus").hidden = false;
    submit.hidden = true;

    function fingerprint(file) {
      // The work is part of it, so the same recording sent to two works makes two uploads.
      return Promise.resolve(["qpmusic", workId, file.name, file.type, file.size, file.lastModified].join("-"));
    }

    function busy(on) {
      input.disabled = on;
      pauseButton.hidden = !on;
      resumeButton.hidden = true;
      cancelButton.hidden = !on;
    }

    function showError(text) {
      errorText.textContent = text;
      errorText.hidden = !text;
    }

    function setProgress(sent, total) {
      var fraction = total ? sent / total : 0;
      var whole = Math.floor(fraction * 100);
      bar.value = whole;
      percentText.textContent = percentFormat.format(whole / 100);
      // Screen readers hear every tenth step, not every chunk.
      if (Math.floor(whole / 10) !== lastAnnounced) {
        lastAnnounced = Math.floor(whole / 10);
        status.textContent = fill(messages.progress, { percent: percentFormat.format(whole / 100) });
      }
    }

    function refusal(error) {
      var response = error && error.originalResponse;
      var body = response && response.getBody();
      var code = response && response.getHeader("X-QPMusic-Error");
      // Our refusals carry a translated reason; protocol errors (bad_request) do not.
      if (code && code !== "bad_request" && body) return body;
      return messages.failed;
    }

    function start(file) {
      showError("");
      unfinished.hidden = true;
      panel.hidden = false;
      nameText.textContent = fill(messages.uploading, { name: file.name });
      lastAnnounced = -1;
      setProgress(0, file.size);
      busy(true);
      upload = new tus.Upload(file, {
        endpoint: form.dataset.endpoint,
        chunkSize: CHUNK_SIZE,
        retryDelays: RETRY_DELAYS,
        metadata: { filename: file.name, filetype: file.type, work_id: workId },
        headers: { "X-CSRFToken": form.dataset.csrf },
        fingerprint: fingerprint,
        storeFingerprintForResuming: true,
        removeFingerprintOnSuccess: true,
        onProgress: setProgress,
        onShouldRetry: function (error, attempt, options) {
          var code = error.originalResponse ? error.originalResponse.getStatus() : 0;
          // A refusal (4xx) stays a refusal; a dropped connection or a 5xx is tried again.
          var retry = !code || code >= 500 || code === 409 || code === 423;
          if (retry) status.textContent = messages.retrying;
          return retry;
        },
        onError: function (error) {
          busy(false);
          showError(refusal(error));
          status.textContent = "";
          input.value = "";
          upload = null;
        },
        onSuccess: function (payload) {
          setProgress(1, 1);
          busy(false);
          nameText.textContent = file.name;
          status.textContent = messages.checking;
          input.value = "";
          upload = null;
          var media = payload && payload.lastResponse && payload.lastResponse.getHeader("X-QPMusic-Media");
          if (!fileList) return;
          fileList.refresh(media).then(function (said) {
            // Still processing: "checking" stays; the list updates itself when it is done.
            if (said && said.status !== "processing") status.textContent = said.text;
          });
        },
      });
      // A file chosen again after a reload or a dropped connection continues where it stopped.
      upload.findPreviousUploads().then(function (previous) {
        if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
        upload.start();
      });
    }

    input.addEventListener("change", function () {
      if (input.files.length) start(input.files[0]);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (input.files.length && !upload) start(input.files[0]);
    });
    pauseButton.addEventListener("click", function () {
      if (!upload) return;
      upload.abort();
      pauseButton.hidden = true;
      resumeButton.hidden = false;
      status.textContent = messages.paused;
      resumeButton.focus();
    });
    resumeButton.addEventListener("click", function () {
      if (!upload) return;
      resumeButton.hidden = true;
      pauseButton.hidden = false;
      upload.start();
      pauseButton.focus();
    });
    cancelButton.addEventListener("click", function () {
      if (!upload) return;
      var current = upload;
      upload = null;
      current.abort(true).catch(function () { /* the server forgets it at expiry anyway */ });
      busy(false);
      panel.hidden = true;
      input.value = "";
      status.textContent = messages.cancelled;
      input.focus();
    });

    listUnfinished();

    /* One unfinished upload: what it is, and a button that gives its reserved space back. */
    function unfinishedLine(item) {
      var line = document.createElement("p");
      line.textContent = item.text + " ";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.textContent = messages.discard;
      button.setAttribute("aria-label", fill(messages.discard_label, { name: item.entry.metadata.filename }));
      button.addEventListener("click", function () {
        button.disabled = true;
        fetch(item.entry.uploadUrl, {
          method: "DELETE",
          credentials: "same-origin",
          headers: { "Tus-Resumable": "1.0.0", "X-CSRFToken": form.dataset.csrf },
        })
          .catch(function () { /* gone already, or the server forgets it at expiry */ })
          .then(function () { return tus.defaultOptions.urlStorage.removeUpload(item.entry.urlStorageKey); })
          .then(listUnfinished);
      });
      line.appendChild(button);
      return line;
    }

    /* After a reload: say which uploads of this work can continue, asking the server how far. */
    function listUnfinished() {
      var storage = tus.defaultOptions.urlStorage;
      if (!tus.canStoreURLs || !storage) return;
      storage.findAllUploads().then(function (entries) {
        var mine = entries.filter(function (entry) {
          return entry.metadata && entry.metadata.work_id === workId && entry.uploadUrl;
        });
        var notes = mine.map(function (entry) {
          return fetch(entry.uploadUrl, { method: "HEAD", credentials: "same-origin", headers: { "Tus-Resumable": "1.0.0" } })
            .then(function (response) {
              var offset = Number(response.headers.get("Upload-Offset"));
              var length = Number(response.headers.get("Upload-Length"));
              if (!response.ok || response.headers.get("X-QPMusic-Media") || !length) {
                storage.removeUpload(entry.urlStorageKey);
                return null;
              }
              return {
                entry: entry,
                text: fill(messages.unfinished, {
                  name: entry.metadata.filename,
                  percent: percentFormat.format(Math.floor((offset / length) * 100) / 100),
                }),
              };
            })
            .catch(function () { return null; });
        });
        Promise.all(notes).then(function (found) {
          found = found.filter(Boolean);
          unfinished.textContent = "";
          found.forEach(function (item) { unfinished.appendChild(unfinishedLine(item)); });
          unfinished.hidden = !found.length;
        });
      });
    }
  }

  function init() {
    var section = document.getElementById("work-files");
    var fileList = section ? initFileList(section) : null;
    var form = document.querySelector(".upload-form");
    if (form && window.tus && tus.isSupported) initUploader(form, fileList);
  }

  // Deferred scripts all run before DOMContentLoaded, so tus.min.js (included after this file
  // on the page) is there by then.
  document.addEventListener("DOMContentLoaded", init);
})();

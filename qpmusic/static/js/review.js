// The review form saves itself as a draft: a moment after typing stops, when the tab is hidden
// and when the page goes away. Each save names the version it was typed on; the server refuses
// a save made on an out-of-date page (another tab, another device), and then nothing typed is
// lost: the form keeps it, and a copy shows below the form until the juror hides it, even
// across a reload (session storage). The same happens when the answer is not the autosave's
// (the login page after the session ended, a 404 after the office rebuilt the round): trying
// again would never succeed. Without JavaScript the form's own buttons post it.
(function () {
  "use strict";

  var DELAY = 1500;
  var RETRY = 10000;

  var form = document.querySelector("form.review-form");
  if (!form || !window.fetch || !window.FormData) return;

  var url = form.dataset.autosaveUrl;
  var csrf = form.dataset.csrf;
  var words = JSON.parse(form.dataset.words || "{}");
  var keptKey = form.dataset.keptKey;
  var versionInput = form.querySelector("input[name=version]");
  var status = form.querySelector(".review-status");
  var problem = form.querySelector(".review-error");
  var kept = document.querySelector("[data-kept]");

  var timer = null;
  var dirty = false;
  var inFlight = null;
  var stopped = false;
  var submitting = false;

  function showProblem(text) {
    problem.textContent = text || "";
    problem.hidden = !text;
  }

  function fields() {
    var data = new FormData(form);
    data.delete("action");
    return data;
  }

  // What the juror has typed, to tell a real change from a focus change that fires "change".
  function snapshot() {
    var data = fields();
    data.delete("version");
    data.delete("csrf_token");
    return new URLSearchParams(data).toString();
  }

  var lastSaved = snapshot();

  function typedText(data) {
    var typed = {};
    data.forEach(function (value, key) {
      if (key === "csrf_token" || key === "version") return;
      if (String(value).trim()) typed[key] = String(value);
    });
    return typed;
  }

  function showKept(typed) {
    if (!kept) return;
    var labels = JSON.parse(kept.dataset.labels || "{}");
    var list = kept.querySelector(".kept-list");
    list.textContent = "";
    Object.keys(typed).forEach(function (key) {
      var term = document.createElement("dt");
      var value = document.createElement("dd");
      term.textContent = labels[key] || key;
      value.className = "prose";
      value.textContent = typed[key];
      list.appendChild(term);
      list.appendChild(value);
    });
    kept.hidden = !list.children.length;
    var dismiss = kept.querySelector(".kept-dismiss");
    if (dismiss) dismiss.hidden = false;
  }

  function keep(typed) {
    try {
      window.sessionStorage.setItem(keptKey, JSON.stringify(typed));
    } catch (e) {
      // Storage refused (private window): the copy on this page is all there is.
    }
    showKept(typed);
  }

  function restoreKept() {
    var stored = null;
    try {
      stored = window.sessionStorage.getItem(keptKey);
    } catch (e) {
      return;
    }
    if (stored) showKept(JSON.parse(stored));
    var dismiss = kept && kept.querySelector(".kept-dismiss");
    if (!dismiss) return;
    if (!kept.hidden) dismiss.hidden = false;
    dismiss.addEventListener("click", function () {
      try {
        window.sessionStorage.removeItem(keptKey);
      } catch (e) {
        // Nothing stored.
      }
      kept.hidden = true;
    });
  }

  function stop(message, data) {
    stopped = true;
    showProblem(message);
    status.textContent = "";
    keep(typedText(data));
  }

  function refused(answer, data) {
    if (answer.code === "invalid") {
      // One value to correct: say which; the rest keeps saving once it is fixed.
      showProblem(answer.message);
      return;
    }
    // The page is out of date (or the review final, the round closed): stop saving, keep the text.
    stop(answer.message, data);
  }

  // The autosave's own answers: JSON, saved (2xx) or refused (409 stale, 422 a value).
  function isOurAnswer(response) {
    var type = response.headers.get("Content-Type") || "";
    if (response.redirected || type.indexOf("application/json") === -1) return false;
    return response.ok || response.status === 409 || response.status === 422;
  }

  function retryLater() {
    dirty = true;
    status.textContent = navigator.onLine === false ? words.offline : words.failed;
    timer = setTimeout(save, RETRY);
  }

  function save() {
    clearTimeout(timer);
    timer = null;
    if (stopped || !dirty) return Promise.resolve();
    if (inFlight) {
      return inFlight.then(save);
    }
    dirty = false;
    var data = fields();
    var sending = snapshot();
    status.textContent = words.saving;
    inFlight = fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      keepalive: true,
    })
      .then(function (response) {
        if (response.status >= 500) {
          // The server failed this once (a restart, a proxy timeout): the next try may pass.
          retryLater();
          return;
        }
        if (!isOurAnswer(response)) {
          stop(words.ended, data);
          return;
        }
        return response.json().then(function (answer) {
          if (response.ok) {
            lastSaved = sending;
            versionInput.value = answer.version;
            status.textContent = answer.message;
            showProblem("");
          } else {
            refused(answer, data);
          }
        });
      })
      .catch(function () {
        // Offline or the server did not answer: try again later, the text is still here.
        retryLater();
      })
      .then(function () {
        inFlight = null;
      });
    return inFlight;
  }

  function changed() {
    if (stopped || submitting) return;
    if (snapshot() === lastSaved) {
      dirty = false;
      clearTimeout(timer);
      return;
    }
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, DELAY);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && !submitting) save();
  });
  window.addEventListener("pagehide", function () {
    // keepalive lets this last request finish after the tab has gone.
    if (!submitting) save();
  });

  form.addEventListener("submit", function (event) {
    if (submitting) {
      // A second click while the first post is on its way: the server would answer the same.
      event.preventDefault();
      return;
    }
    clearTimeout(timer);
    dirty = false;
    if (!inFlight) {
      submitting = true;
      return;
    }
    // A save is on its way with this version: post once it is back, with the version it got.
    event.preventDefault();
    var button = event.submitter;
    inFlight.then(function () {
      if (stopped) return;
      submitting = true;
      if (button && button.name) {
        var action = document.createElement("input");
        action.type = "hidden";
        action.name = button.name;
        action.value = button.value;
        form.appendChild(action);
      }
      HTMLFormElement.prototype.submit.call(form);
    });
  });

  restoreKept();
})();

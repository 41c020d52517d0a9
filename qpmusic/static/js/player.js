// Audio players: the page's own <audio> streams (Range requests, so seeking starts at once) and
// WaveSurfer v7 draws the waveform from peaks computed at upload, without decoding the file.
// The waveform is a keyboard slider; "loudness-matched" plays every file near -23 LUFS.
// On a juror's page the players also report how much of each recording has been heard.
(function () {
  "use strict";

  var STEP = 5;
  var PAGE_STEP = 30;
  var TARGET_LUFS = -23;
  var STORE_KEY = "qpmusic.loudnessMatched";
  var REPORT_EVERY = 10000;
  var players = [];

  function clock(seconds) {
    var whole = Math.max(0, Math.floor(seconds || 0));
    var hours = Math.floor(whole / 3600);
    var minutes = Math.floor((whole % 3600) / 60);
    var secs = String(whole % 60).padStart(2, "0");
    return hours ? hours + ":" + String(minutes).padStart(2, "0") + ":" + secs : minutes + ":" + secs;
  }

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? values[key] : match;
    });
  }

  function decimal(value) {
    var lang = document.documentElement.lang || undefined;
    return new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(value);
  }

  // WaveSurfer writes a <style> element into its shadow root; the Content-Security-Policy
  // (style-src 'self') refuses inline styles. While it builds, the same CSS goes into a
  // constructed stylesheet instead, which the policy allows, and nothing is refused.
  function createWaveSurfer(options) {
    var attachShadow = Element.prototype.attachShadow;
    var inner = Object.getOwnPropertyDescriptor(ShadowRoot.prototype, "innerHTML") ||
      Object.getOwnPropertyDescriptor(Element.prototype, "innerHTML");
    Element.prototype.attachShadow = function (init) {
      var root = attachShadow.call(this, init);
      Object.defineProperty(root, "innerHTML", {
        configurable: true,
        get: function () { return inner.get.call(root); },
        set: function (html) {
          var css = [];
          var rest = String(html).replace(/<style[^>]*>([\s\S]*?)<\/style>/g, function (m, text) {
            css.push(text);
            return "";
          });
          if (css.length && "adoptedStyleSheets" in root) {
            var sheet = new CSSStyleSheet();
            sheet.replaceSync(css.join("\n"));
            root.adoptedStyleSheets = [sheet];
          }
          inner.set.call(root, rest);
        },
      });
      return root;
    };
    try {
      return WaveSurfer.create(options);
    } finally {
      Element.prototype.attachShadow = attachShadow;
    }
  }

  function storedMatch() {
    try {
      return window.localStorage.getItem(STORE_KEY) === "on";
    } catch (e) {
      return false;
    }
  }

  function storeMatch(on) {
    try {
      window.localStorage.setItem(STORE_KEY, on ? "on" : "off");
    } catch (e) {
      // Private windows may refuse storage; the choice then lasts for this page only.
    }
  }

  // The media element's volume, not a Web Audio GainNode: volume can only lower (<= 1), and
  // that is deliberate. Boosting a quiet master could clip it (we measure loudness, not true
  // peak), and routing through an AudioContext would need a gesture to start and would silence
  // the player if the context stayed suspended. -23 LUFS (EBU R128) lies below nearly every
  // music master, so almost every file can be brought down to it; a quieter one says so.
  function applyMatch(player, on) {
    if (player.lufs === null) return;
    var gain = Math.pow(10, (TARGET_LUFS - player.lufs) / 20);
    player.audio.volume = on ? Math.min(1, gain) : 1;
    player.matchInput.checked = on;
    if (!on) {
      player.matchNote.textContent = "";
    } else if (gain > 1) {
      player.matchNote.textContent = fill(player.words.quiet, { lufs: decimal(player.lufs) });
    } else {
      player.matchNote.textContent = fill(player.words.matched, {
        gain: decimal(-20 * Math.log10(gain)),
        lufs: decimal(player.lufs),
      });
    }
  }

  function setMatchEverywhere(on) {
    storeMatch(on);
    players.forEach(function (player) { applyMatch(player, on); });
  }

  function setup(figure) {
    if (figure.dataset.ready) return;
    figure.dataset.ready = "1";
    var controls = figure.querySelector(".player-controls");
    if (!controls || typeof WaveSurfer === "undefined") return;
    var peaks = JSON.parse(figure.dataset.peaks || "[]");
    var duration = parseFloat(figure.dataset.duration);
    if (!peaks.length || !(duration > 0)) return;

    var audio = figure.querySelector("audio");
    var wave = controls.querySelector(".player-wave");
    var toggle = controls.querySelector(".player-toggle");
    var toggleLabel = controls.querySelector(".player-toggle-label");
    var current = controls.querySelector(".player-current");
    var words = JSON.parse(figure.dataset.words || "{}");
    var lufs = parseFloat(figure.dataset.loudness);
    var style = getComputedStyle(figure);
    var color = function (name) { return style.getPropertyValue(name).trim(); };

    var wavesurfer = createWaveSurfer({
      container: wave,
      media: audio,
      peaks: Array.isArray(peaks[0]) ? peaks : [peaks],
      duration: duration,
      height: 64,
      normalize: true,
      barWidth: 2,
      barGap: 1,
      barRadius: 1,
      waveColor: color("--wave-color"),
      progressColor: color("--wave-progress"),
      cursorColor: color("--wave-cursor"),
      cursorWidth: 2,
      dragToSeek: true,
    });
    var player = {
      figure: figure,
      audio: audio,
      wavesurfer: wavesurfer,
      words: words,
      lufs: isNaN(lufs) ? null : lufs,
      matchInput: controls.querySelector(".player-match-input"),
      matchNote: controls.querySelector(".player-match-note"),
    };
    players.push(player);

    audio.controls = false;
    audio.hidden = true;
    controls.hidden = false;

    var shownSecond = -1;
    function showTime(time) {
      var second = Math.floor(time);
      if (second === shownSecond) return;
      shownSecond = second;
      var now = clock(time);
      current.textContent = now;
      wave.setAttribute("aria-valuenow", String(second));
      wave.setAttribute("aria-valuetext", fill(words.position, { current: now, total: clock(duration) }));
    }

    function showPlaying(playing) {
      figure.classList.toggle("is-playing", playing);
      toggleLabel.textContent = playing ? words.pause : words.play;
    }

    function seek(time) {
      var end = wavesurfer.getDuration() || duration;
      wavesurfer.setTime(Math.min(Math.max(0, time), end));
      showTime(wavesurfer.getCurrentTime());
    }

    wavesurfer.on("timeupdate", showTime);
    wavesurfer.on("play", function () {
      showPlaying(true);
      // One recording at a time: a juror compares works, never hears two at once.
      players.forEach(function (other) {
        if (other !== player) other.wavesurfer.pause();
      });
    });
    wavesurfer.on("pause", function () { showPlaying(false); });
    wavesurfer.on("finish", function () { showPlaying(false); });
    wavesurfer.on("error", function () {
      // The browser's own controls still work where the waveform does not.
      controls.hidden = true;
      audio.hidden = false;
      audio.controls = true;
    });

    toggle.addEventListener("click", function () { wavesurfer.playPause(); });
    wave.addEventListener("keydown", function (event) {
      var time = wavesurfer.getCurrentTime();
      var moves = {
        ArrowRight: time + STEP,
        ArrowUp: time + STEP,
        ArrowLeft: time - STEP,
        ArrowDown: time - STEP,
        PageUp: time + PAGE_STEP,
        PageDown: time - PAGE_STEP,
        Home: 0,
        End: duration,
      };
      if (!(event.key in moves)) return;
      event.preventDefault();
      seek(moves[event.key]);
    });

    if (player.matchInput) {
      player.matchInput.addEventListener("change", function () {
        setMatchEverywhere(player.matchInput.checked);
      });
      applyMatch(player, storedMatch());
    }
  }

  // On a juror's assignment page (the player carries data-listening-url) the player tells the
  // server what has been played: all of the element's `played` ranges each time, which the
  // server merges, so a report sent twice or lost is harmless. Every ~10 s while playing, and
  // on pause, at the end and when the page goes away (keepalive outlives the page).
  function reportListening(figure) {
    var media = figure.querySelector("audio, video");
    var url = figure.dataset.listeningUrl;
    if (!media || !url || !window.fetch) return;
    var lastSent = "";
    var ticker = null;

    function played() {
      var ranges = [];
      for (var i = 0; i < media.played.length; i++) {
        ranges.push([media.played.start(i), media.played.end(i)]);
      }
      return ranges;
    }

    function showCoverage(answer) {
      var line = answer && document.getElementById("coverage-work-" + answer.work_id);
      if (line && answer.label) line.textContent = answer.label;
    }

    function send() {
      var ranges = played();
      var body = JSON.stringify({ media: figure.dataset.media, ranges: ranges });
      if (!ranges.length || body === lastSent) return;
      lastSent = body;
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        keepalive: true,
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": figure.dataset.csrf,
        },
        body: body,
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(showCoverage)
        .catch(function () { lastSent = ""; });
    }

    function stop() {
      clearInterval(ticker);
      ticker = null;
      send();
    }

    media.addEventListener("play", function () {
      clearInterval(ticker);
      ticker = setInterval(send, REPORT_EVERY);
    });
    media.addEventListener("pause", stop);
    media.addEventListener("ended", stop);
    window.addEventListener("pagehide", send);
  }

  function init() {
    document.querySelectorAll("[data-player]").forEach(setup);
    document.querySelectorAll("[data-listening-url]").forEach(reportListening);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

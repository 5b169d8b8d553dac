// Quiz pages: keyboard shortcuts, and the exam timer. The deadline lives on the server; the page
// only counts down the seconds the server sent, and reloads at zero so the server submits.
(function () {
  "use strict";

  function typing(target) {
    return target && (target.isContentEditable || /^(TEXTAREA|SELECT)$/.test(target.tagName) ||
      (target.tagName === "INPUT" && !/^(radio|checkbox)$/.test(target.type)));
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var key = event.key;
    if (/^[1-9]$/.test(key)) {
      var input = document.querySelector('#answer-form input[data-key="' + key + '"]');
      if (input) { event.preventDefault(); input.click(); input.focus(); }
    } else if (key === "f" || key === "F") {
      var flag = document.getElementById("flag-button");
      if (flag) { event.preventDefault(); flag.click(); }
    } else if (key === "n" || key === "N" || key === "ArrowRight") {
      var next = document.getElementById("next-link");
      if (next) { event.preventDefault(); next.click(); }
    } else if (key === "p" || key === "P" || key === "ArrowLeft") {
      var prev = document.getElementById("prev-link");
      if (prev) { event.preventDefault(); prev.click(); }
    }
  }

  function format(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  // Announce at sensible moments, not every second.
  function shouldAnnounce(seconds) {
    return (seconds % 300 === 0) || seconds === 120 || seconds === 60 || seconds === 30 || seconds === 10;
  }

  function startTimer() {
    var timer = document.getElementById("timer");
    if (!timer) return;
    var text = document.getElementById("timer-text");
    var announce = document.getElementById("timer-announce");
    var endsAt = Date.now() + Number(timer.dataset.remaining) * 1000;
    function tick() {
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      text.textContent = format(left);
      timer.classList.toggle("low", left <= 60);
      if (shouldAnnounce(left) && left > 0) announce.textContent = format(left) + " left";
      if (left <= 0) {
        announce.textContent = "Time is up. Submitting.";
        clearInterval(handle);
        window.location.assign(timer.dataset.results);
      }
    }
    var handle = setInterval(tick, 1000);
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.addEventListener("keydown", onKey);
    startTimer();
  });
})();

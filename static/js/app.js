// Progressive enhancements: theme toggle, copy buttons on code, keyboard-navigable search results.
(function () {
  "use strict";
  var root = document.documentElement;
  var darkQuery = window.matchMedia("(prefers-color-scheme: dark)");

  function effectiveTheme() {
    return root.dataset.theme || (darkQuery.matches ? "dark" : "light");
  }

  function syncToggle() {
    var button = document.getElementById("theme-toggle");
    if (!button) return;
    var dark = effectiveTheme() === "dark";
    button.setAttribute("aria-pressed", dark ? "true" : "false");
    button.title = dark ? "Switch to light mode" : "Switch to dark mode";
  }

  function toggleTheme() {
    var next = effectiveTheme() === "dark" ? "light" : "dark";
    root.dataset.theme = next;
    try { localStorage.setItem("coldstart-theme", next); } catch (e) { /* not persisted */ }
    syncToggle();
  }

  function addCopyButtons(scope) {
    scope.querySelectorAll(".highlight").forEach(function (block) {
      if (block.querySelector(".copy-button")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button";
      button.textContent = "Copy";
      button.setAttribute("aria-label", "Copy code to clipboard");
      button.addEventListener("click", function () {
        var code = block.querySelector("pre").innerText;
        copyText(code).then(function () {
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = "Copy"; }, 1500);
        }, function () { button.textContent = "Press Ctrl+C"; });
      });
      block.appendChild(button);
      addRunLink(block);
    });
  }

  // A Python handler on a topic page opens in the sandbox with its event.
  function addRunLink(block) {
    var article = block.closest("article[data-topic]");
    var code = block.querySelector("pre");
    if (!article || block.dataset.lang !== "python" || !code) return;
    if (!/^def \w+\(\s*event\s*,\s*context\s*\)/m.test(code.innerText)) return;
    var link = document.createElement("a");
    link.className = "run-in-sandbox";
    link.textContent = "Run in sandbox";
    link.href = "/sandbox/?topic=" + encodeURIComponent(article.dataset.topic) + "&block=" + block.dataset.block;
    block.appendChild(link);
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand("copy");
      document.body.removeChild(area);
      ok ? resolve() : reject();
    });
  }

  // Search: ArrowDown from the box into the results, arrows between them, Escape back.
  function onSearchKeys(event) {
    var input = document.getElementById("q");
    if (!input) return;
    var links = Array.prototype.slice.call(document.querySelectorAll("#search-results .search-hit"));
    if (!links.length) return;
    var index = links.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && (document.activeElement === input || index >= 0)) {
      event.preventDefault();
      links[Math.min(index + 1, links.length - 1)].focus();
    } else if (event.key === "ArrowUp" && index >= 0) {
      event.preventDefault();
      (index === 0 ? input : links[index - 1]).focus();
    } else if (event.key === "Escape" && index >= 0) {
      input.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    syncToggle();
    var button = document.getElementById("theme-toggle");
    if (button) button.addEventListener("click", toggleTheme);
    darkQuery.addEventListener("change", syncToggle);
    addCopyButtons(document);
    document.addEventListener("keydown", onSearchKeys);
    // A print button only where script can press it (without script: the browser's own Print).
    document.querySelectorAll("[data-print]").forEach(function (printButton) {
      printButton.hidden = false;
      printButton.addEventListener("click", function () { window.print(); });
    });
  });
  document.addEventListener("htmx:afterSwap", function (event) { addCopyButtons(event.target); });
})();

// Sandbox page: CodeMirror editors over plain textareas (which still work without JavaScript),
// Ctrl/Cmd+Enter to run, event picker, JSON checked before running, file and variable rows
// (new rows come from the formsets' empty forms).
(function () {
  "use strict";
  var editors = [];

  function isDark() {
    var theme = document.documentElement.dataset.theme;
    return theme ? theme === "dark" : window.matchMedia("(prefers-color-scheme: dark)").matches;
  }

  function runForm() {
    var button = document.getElementById("run-button");
    if (button && !button.disabled) button.click();
  }

  function makeEditor(textarea) {
    if (!window.CodeMirror || textarea.dataset.enhanced) return null;
    textarea.dataset.enhanced = "1";
    var json = textarea.dataset.mode === "json";
    var editor = CodeMirror.fromTextArea(textarea, {
      mode: json ? { name: "javascript", json: true } : { name: "python", version: 3 },
      lineNumbers: true, indentUnit: json ? 2 : 4, tabSize: 4, indentWithTabs: false,
      matchBrackets: true, autoCloseBrackets: true, viewportMargin: Infinity,
      // Long lines wrap inside the column: a sideways-scrolling box would need its own tab stop.
      lineWrapping: true,
      theme: isDark() ? "material-darker" : "default",
      extraKeys: {
        "Tab": function (cm) {
          if (cm.somethingSelected()) cm.indentSelection("add");
          else cm.replaceSelection(cm.getOption("indentWithTabs") ? "\t" : " ".repeat(cm.getOption("indentUnit")), "end");
        },
        "Shift-Tab": function (cm) { cm.indentSelection("subtract"); },
        "Ctrl-Enter": function (cm) { cm.save(); runForm(); },
        "Cmd-Enter": function (cm) { cm.save(); runForm(); },
        "Ctrl-/": "toggleComment", "Cmd-/": "toggleComment",
        // Keyboard users must be able to leave the editor: Esc, then Tab moves on.
        "Esc": function (cm) { cm.getInputField().blur(); }
      }
    });
    editor.on("change", function (cm) { cm.save(); if (json) checkEventJson(); });
    editor.getInputField().setAttribute("aria-label", textarea.labels && textarea.labels[0] ? textarea.labels[0].textContent : "Code");
    editors.push(editor);
    return editor;
  }

  function eventEditor() {
    return editors.find(function (e) { return e.getTextArea().id === "id_event_json"; });
  }

  function lineAndColumn(text, position) {
    var before = text.slice(0, position).split("\n");
    return { line: before.length, column: before[before.length - 1].length + 1 };
  }

  function checkEventJson() {
    var area = document.getElementById("id_event_json");
    var status = document.getElementById("event-json-status");
    if (!area || !status) return true;
    var text = area.value.trim() || "{}";
    try {
      JSON.parse(text);
      status.textContent = "Valid JSON.";
      status.classList.remove("field-error");
      return true;
    } catch (error) {
      var match = /position (\d+)/.exec(error.message);
      var where = /line (\d+) column (\d+)/.exec(error.message);
      var place = where ? { line: where[1], column: where[2] } : match ? lineAndColumn(text, Number(match[1])) : null;
      status.textContent = "Invalid JSON" + (place ? " at line " + place.line + ", column " + place.column : "") + ": " + error.message;
      status.classList.add("field-error");
      return false;
    }
  }

  function describeEvent() {
    var picker = document.getElementById("id_event_slug");
    var description = document.getElementById("event-description");
    if (!picker || !description) return;
    var option = picker.selectedOptions[0];
    description.textContent = "";
    if (option && option.dataset.description) {
      description.append(option.dataset.description + " ");
      var link = document.createElement("a");
      link.href = option.dataset.topic;
      link.textContent = "Read about it";
      description.append(link);
    }
  }

  function loadEvent() {
    var picker = document.getElementById("id_event_slug");
    var events = JSON.parse(document.getElementById("sample-events").textContent);
    var text = events[picker.value];
    describeEvent();
    if (!text) return;
    var pretty = JSON.stringify(JSON.parse(text), null, 2);
    var editor = eventEditor();
    if (editor) editor.setValue(pretty); else document.getElementById("id_event_json").value = pretty;
    checkEventJson();
  }

  // A new row is the formset's empty form (a <template> on the page) numbered after the last one.
  function addRow(containerId, prefix) {
    var container = document.getElementById(containerId);
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(containerId === "files" ? "file-row-template" : "env-row-template");
    var index = Number(total.value);
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index)).trim();
    var row = holder.firstElementChild;
    container.appendChild(row);
    total.value = String(index + 1);
    row.querySelectorAll("textarea.code-editor").forEach(makeEditor);
    var first = row.querySelector("input");
    if (first) { if (containerId === "files") first.value = "helpers" + (index > 1 ? index : "") + ".py"; first.focus(); }
    return row;
  }

  function updateAddFile() {
    var files = document.getElementById("files");
    var button = document.getElementById("add-file");
    button.hidden = files.querySelectorAll(".code-file").length >= Number(files.dataset.maxFiles);
  }

  function updateEnvSize() {
    var out = document.getElementById("env-size");
    if (!out) return;
    var maxBytes = Number(out.dataset.maxBytes);
    var bytes = 0;
    var encoder = new TextEncoder();
    document.querySelectorAll("#env-rows .env-row").forEach(function (row) {
      var key = row.querySelector("input[name$='-key']");
      var value = row.querySelector("input[name$='-value']");
      if (key.value.trim()) bytes += encoder.encode(key.value.trim()).length + encoder.encode(value.value).length;
    });
    out.textContent = bytes.toLocaleString("en") + " of " + maxBytes.toLocaleString("en") + " bytes used";
    out.classList.toggle("field-error", bytes > maxBytes);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("sandbox-form");
    if (!form) return;
    document.querySelectorAll("textarea.code-editor").forEach(makeEditor);
    document.getElementById("add-env").hidden = false;
    updateAddFile();
    document.getElementById("add-file").addEventListener("click", function () { addRow("files", "files"); updateAddFile(); });
    document.getElementById("add-env").addEventListener("click", function () { addRow("env-rows", "env"); updateEnvSize(); });
    document.getElementById("env-rows").addEventListener("input", updateEnvSize);
    document.getElementById("id_event_slug").addEventListener("change", loadEvent);
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); runForm(); }
    });
    // Invalid JSON is flagged before anything is sent.
    form.addEventListener("htmx:confirm", function (event) {
      editors.forEach(function (e) { e.save(); });
      if (!checkEventJson()) { event.preventDefault(); document.getElementById("event-json-status").scrollIntoView({ block: "center" }); }
    });
    form.addEventListener("submit", function (event) {
      editors.forEach(function (e) { e.save(); });
      if (!checkEventJson()) event.preventDefault();
    });
    describeEvent();
    checkEventJson();
    updateEnvSize();
    document.getElementById("theme-toggle").addEventListener("click", function () {
      editors.forEach(function (e) { e.setOption("theme", isDark() ? "material-darker" : "default"); });
    });
  });
})();

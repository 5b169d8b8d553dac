// Runs before first paint: apply the theme the learner chose last time (else follow the OS).
(function () {
  try {
    var saved = localStorage.getItem("coldstart-theme");
    if (saved === "dark" || saved === "light") document.documentElement.dataset.theme = saved;
  } catch (e) { /* storage blocked: follow the OS */ }
})();

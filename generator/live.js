// studysite serve: reloads the page after a good rebuild, shows the errors of a bad one.
(function () {
  "use strict";
  var script = document.currentScript;
  var build = Number(script.getAttribute("data-build"));
  var known = -1;
  function overlay(errors) {
    var box = document.getElementById("studysite-errors");
    if (!errors.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "studysite-errors";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;z-index:2147483647;max-height:60vh;overflow:auto;" +
        "margin:0;padding:1rem 1.25rem;background:#2b0d0d;color:#ffd7d5;border-top:4px solid #ff5f56;" +
        "font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;box-shadow:0 -6px 24px rgba(0,0,0,.4)";
      document.body.appendChild(box);
    }
    box.textContent = "studysite: the last change has errors; these pages are from the last good build.\n\n" + errors.join("\n");
  }
  function poll() {
    fetch("/__studysite/poll?build=" + build + "&errors=" + known, { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.build !== build && !state.errors.length) { location.reload(); return; }
        known = state.errors_version;
        overlay(state.errors);
        poll();
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();

/* studysite: the theme, set before the page is first painted (loaded without defer in the
   head, so it runs before the body exists). A file, not an inline script: the pages'
   Content-Security-Policy allows scripts from the site only. */
(function (d) {
  d.className += " js";
  var t = null;
  try { t = localStorage.getItem("studysite:theme"); } catch (e) { /* private mode */ }
  d.dataset.theme = t || (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
})(document.documentElement);

/* studysite: the study tools of a lesson page. Everything works on the static page;
   this script adds copying, marking, progress that lasts, search and the theme switch.
   Progress lives in localStorage, one record per lesson, keyed by the lesson's URL. */
(function () {
  "use strict";

  var body = document.body;
  var root = body.getAttribute("data-root") || "./";
  var siteKey = "studysite:" + (body.getAttribute("data-site") || "") + ":";
  var ui = {};
  try { ui = JSON.parse(body.getAttribute("data-ui") || "{}"); } catch (e) { ui = {}; }

  function storageGet(key) {
    try { return JSON.parse(localStorage.getItem(siteKey + key) || "null"); } catch (e) { return null; }
  }
  function storageSet(key, value) {
    try { localStorage.setItem(siteKey + key, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }
  function storageClear(prefix) {
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var key = localStorage.key(i);
        if (key && key.indexOf(siteKey + prefix) === 0) localStorage.removeItem(key);
      }
    } catch (e) { /* private mode */ }
  }
  function all(selector, scope) { return Array.prototype.slice.call((scope || document).querySelectorAll(selector)); }
  // The page's own lesson: its progress is shown by its score, not as an entry in the lists.
  var CURRENT_LESSON = "[data-lesson].lesson, [data-lesson].section-page";

  /* --- Theme ---------------------------------------------------------------- */
  function initTheme() {
    var html = document.documentElement;
    all("[data-theme-toggle]").forEach(function (button) {
      function show() { button.setAttribute("aria-pressed", html.dataset.theme === "dark" ? "true" : "false"); }
      show();
      button.addEventListener("click", function () {
        html.dataset.theme = html.dataset.theme === "dark" ? "light" : "dark";
        try { localStorage.setItem("studysite:theme", html.dataset.theme); } catch (e) { /* private mode */ }
        show();
      });
    });
  }

  /* --- Menu on narrow screens ------------------------------------------------- */
  function initMenu() {
    var sidebar = document.getElementById("sidebar");
    all("[data-menu-toggle]").forEach(function (button) {
      button.addEventListener("click", function () {
        var open = !body.classList.contains("menu-open");
        body.classList.toggle("menu-open", open);
        button.setAttribute("aria-expanded", open ? "true" : "false");
        if (open && sidebar) { var first = sidebar.querySelector("a"); if (first) first.focus(); }
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && body.classList.contains("menu-open")) {
        body.classList.remove("menu-open");
        all("[data-menu-toggle]").forEach(function (b) { b.setAttribute("aria-expanded", "false"); b.focus(); });
      }
    });
  }

  /* --- Copying: the Clipboard API, or the copy command where it is missing ------ */
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
      if (ok) resolve(); else reject(new Error("copy refused"));
    });
  }

  /* --- Prompt cards: copy and ask again ------------------------------------- */
  function initCopyButtons() {
    all("button[data-copy]").forEach(function (button) {
      var label = button.textContent;
      button.addEventListener("click", function () {
        var prompt = button.closest(".ask-chatgpt").querySelector(".prompt");
        copyText(prompt.textContent).then(function () {
          button.textContent = ui.copied || "Copied";
          button.classList.add("done");
          setTimeout(function () { button.textContent = label; button.classList.remove("done"); }, 2000);
        });
      });
    });
  }

  /* --- The lesson: warm-up ticks, test marks, score --------------------------- */
  function initLesson() {
    var lesson = document.querySelector(CURRENT_LESSON);
    if (!lesson) return;
    var lessonUrl = lesson.getAttribute("data-lesson");
    var record = storageGet("lesson:" + lessonUrl) || { warmup: {}, marks: {} };
    var questions = all(".qa", lesson).filter(function (qa) { return qa.querySelector("details"); });
    record.tests = questions.length;

    function save() { record.updated = Date.now(); storageSet("lesson:" + lessonUrl, record); }

    all(".warmup input[type=checkbox]", lesson).forEach(function (box) {
      var key = box.getAttribute("data-warmup");
      box.checked = !!record.warmup[key];
      box.addEventListener("change", function () {
        if (box.checked) record.warmup[key] = true; else delete record.warmup[key];
        save();
      });
    });

    var scoreValue = lesson.querySelector("[data-score-value]");
    function showScore() {
      var right = 0;
      questions.forEach(function (qa) {
        var mark = record.marks[qa.getAttribute("data-q")];
        if (mark === "right") right += 1;
        qa.classList.toggle("marked-right", mark === "right");
        qa.classList.toggle("marked-wrong", mark === "wrong");
        all("button[data-mark]", qa).forEach(function (button) {
          button.setAttribute("aria-pressed", button.getAttribute("data-mark") === mark ? "true" : "false");
        });
      });
      if (scoreValue) scoreValue.textContent = String(right);
    }
    questions.forEach(function (qa) {
      var number = qa.getAttribute("data-q");
      all("button[data-mark]", qa).forEach(function (button) {
        button.addEventListener("click", function () {
          var mark = button.getAttribute("data-mark");
          if (record.marks[number] === mark) delete record.marks[number]; else record.marks[number] = mark;
          qa.querySelector("details").open = true;
          save();
          showScore();
          showProgress();
        });
      });
    });
    showScore();

    all("[data-show-all]", lesson).forEach(function (button) {
      var showLabel = button.textContent;
      button.addEventListener("click", function () {
        var details = all(".qa details", lesson);
        var open = details.some(function (d) { return !d.open; });
        details.forEach(function (d) { d.open = open; });
        button.textContent = open ? button.getAttribute("data-hide-label") : showLabel;
      });
    });
    all("[data-reset-lesson]", lesson).forEach(function (button) {
      button.addEventListener("click", function () {
        if (!window.confirm(button.getAttribute("data-confirm") || "")) return;
        record = { warmup: {}, marks: {}, tests: questions.length };
        save();
        all(".warmup input[type=checkbox]", lesson).forEach(function (box) { box.checked = false; });
        all(".qa details", lesson).forEach(function (d) { d.open = false; });
        showScore();
        showProgress();
      });
    });
    if (record.tests && !storageGet("lesson:" + lessonUrl)) save();
  }

  /* --- Progress in lists and in the sidebar ----------------------------------- */
  function progressOf(url) {
    var saved = storageGet("lesson:" + url);
    if (!saved || !saved.marks) return null;
    var right = 0, marked = 0;
    Object.keys(saved.marks).forEach(function (key) {
      marked += 1;
      if (saved.marks[key] === "right") right += 1;
    });
    return { right: right, marked: marked, total: saved.tests || 0 };
  }
  function showProgress() {
    all("[data-lesson]").forEach(function (item) {
      if (item.matches(CURRENT_LESSON)) return;
      var progress = progressOf(item.getAttribute("data-lesson"));
      var total = parseInt(item.getAttribute("data-tests") || "", 10) || (progress && progress.total) || 0;
      var done = !!progress && total > 0 && progress.marked >= total;
      item.classList.toggle("done", done);
      var place = item.querySelector("[data-progress]");
      if (place) {
        place.textContent = progress && total ? progress.right + "/" + total + " " + (ui.correct || "") : "";
        place.title = progress && total ? (ui.progress || "") : "";
      }
    });
  }
  function initProgressListing() {
    showProgress();
    window.addEventListener("storage", showProgress);
  }

  /* --- Reset all: forget every lesson's progress ------------------------------ */
  function initResetAll() {
    all("[data-reset-all]").forEach(function (button) {
      button.addEventListener("click", function () {
        if (!window.confirm(button.getAttribute("data-confirm") || "")) return;
        storageClear("lesson:");
        showProgress();
      });
    });
  }

  /* --- Plots: a slider switches between curves the build precomputed ------------ */
  function initPlotSliders() {
    all("input[data-plot-variants]").forEach(function (slider) {
      var variants = JSON.parse(slider.getAttribute("data-plot-variants"));
      var figure = slider.closest("figure");
      var image = figure.querySelector("img");
      var output = figure.querySelector("[data-plot-value]");
      slider.addEventListener("input", function () {
        var variant = variants[parseInt(slider.value, 10)];
        image.src = variant.src;
        output.textContent = variant.value;
      });
    });
  }

  /* --- Wide formulas, code and tables scroll sideways: let the keyboard scroll them too --- */
  function initScrollers() {
    function focusableScrollers() {
      all(".math.display, pre, table").forEach(function (box) {
        var scrolls = box.scrollWidth > box.clientWidth + 1;
        if (scrolls && !box.hasAttribute("tabindex")) {
          box.setAttribute("tabindex", "0");
          box.setAttribute("data-scroll-focus", "");
        } else if (!scrolls && box.hasAttribute("data-scroll-focus")) {
          box.removeAttribute("tabindex");
          box.removeAttribute("data-scroll-focus");
        }
      });
    }
    focusableScrollers();
    window.addEventListener("resize", focusableScrollers);
    document.addEventListener("toggle", focusableScrollers, true);
  }

  /* --- Printing: answers shown ------------------------------------------------ */
  function initPrint() {
    var closedForPrint = [];
    window.addEventListener("beforeprint", function () {
      closedForPrint = all("details:not([open])");
      closedForPrint.forEach(function (d) { d.open = true; });
    });
    window.addEventListener("afterprint", function () {
      closedForPrint.forEach(function (d) { d.open = false; });
    });
  }

  /* --- Heading links: copy a link to a heading ---------------------------------
     Each heading ends in a link to itself (a plain anchor without this script). A click
     or Enter copies the heading's address and says so; where the Clipboard API is
     missing or refused (pages opened from disk, old browsers) the address is shown
     selected in a field, ready for Ctrl+C. */
  function initHeadingLinks() {
    var open = null;
    function close() {
      var shown = open;
      open = null;  // first: removing a focused field fires its blur, which closes again
      if (shown && shown.parentNode) shown.parentNode.removeChild(shown);
    }
    function say(link, text) {
      close();
      open = document.createElement("span");
      open.className = "heading-link-status";
      open.setAttribute("role", "status");
      link.parentNode.insertBefore(open, link.nextSibling);
      var shown = open;
      // Filled after it is in the page, so that screen readers announce the change.
      setTimeout(function () { shown.textContent = text; }, 0);
      setTimeout(function () { if (open === shown) close(); }, 2500);
    }
    function offerToCopy(link, address) {
      close();
      open = document.createElement("span");
      open.className = "heading-link-status manual";
      var field = document.createElement("input");
      field.type = "text";
      field.readOnly = true;
      field.value = address;
      field.setAttribute("aria-label", ui.copy_link_manual || "Copy the link");
      var hint = document.createElement("span");
      hint.textContent = ui.copy_link_manual || "";
      open.appendChild(hint);
      open.appendChild(field);
      link.parentNode.insertBefore(open, link.nextSibling);
      field.addEventListener("keydown", function (event) {
        if (event.key === "Escape") { link.focus(); close(); }
      });
      field.addEventListener("blur", close);
      field.focus();
      field.select();
    }
    all("a[data-heading-link]").forEach(function (link) {
      var heading = link.parentNode;
      var words = Array.prototype.filter.call(heading.childNodes, function (node) { return node !== link; })
        .map(function (node) { return node.textContent; }).join("").trim();
      link.setAttribute("aria-label", (ui.copy_link || "Copy link") + ": " + words);
      link.setAttribute("title", ui.copy_link || "");
      link.addEventListener("click", function (event) {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        var hash = link.getAttribute("href");
        try { history.replaceState(history.state, "", hash); } catch (e) { /* some file:// pages */ }
        var address = location.href.split("#")[0] + encodeURI(hash);  // as the address bar has it
        var clipboard = navigator.clipboard;
        if (!clipboard || !clipboard.writeText) { offerToCopy(link, address); return; }
        clipboard.writeText(address).then(function () { say(link, ui.link_copied || "Link copied"); },
          function () { offerToCopy(link, address); });
      });
    });
  }

  /* --- Pages opened from disk: folder links go to their index.html ----------- */
  function fileHref(href) {
    if (location.protocol !== "file:" || !/^[^:?#]*\/(#.*)?$/.test(href) || /^\/\//.test(href)) return href;
    return href.replace(/\/(#.*)?$/, "/index.html$1");
  }
  function initFileLinks() {
    if (location.protocol !== "file:") return;
    all("a[href]").forEach(function (link) { link.setAttribute("href", fileHref(link.getAttribute("href"))); });
  }

  /* --- Search: a substring scan over every section, loaded on first use ------- */
  function initSearch() {
    // The files' schema is documented in generator/render/script_data.py.
    var form = document.querySelector("form[data-search]");
    if (!form) return;
    var input = form.querySelector("input[type=search]");
    var pageResults = document.querySelector("[data-search-page]");
    var results = pageResults || form.querySelector(".search-results");
    var index = null, loading = null, entries = [], normals = [], fold = {}, normalChars = {};

    function addFolds(more) { Object.keys(more || {}).forEach(function (c) { fold[c] = more[c]; }); }
    window.studysiteSearch = {
      init: function (data) { index = data; addFolds(data.fold); },
      add: function (data) { entries = entries.concat(data.entries); addFolds(data.fold); }
    };
    function loadScript(src) {
      return new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    function load() {
      if (!loading) {
        loading = loadScript(root + "search/index.js").then(function () {
          return Promise.all(index.shards.map(function (name) { return loadScript(root + name); }));
        });
      }
      return loading;
    }
    // One character as search compares it: NFKC, lower case, one Chinese script, separators as a space.
    function normalChar(c) {
      var n = normalChars[c];
      if (n === undefined) {
        n = Array.from((c.normalize ? c.normalize("NFKC") : c).toLowerCase(), function (d) { return fold[d] || d; }).join("");
        if (/^[\s\-_‐–—·・]+$/.test(n)) n = " ";
        normalChars[c] = n;
      }
      return n;
    }
    // The text as search compares it; with offsets, also where each of its characters came from
    // in the text (so that a match found here is marked on exactly the characters shown).
    function normalize(text, offsets) {
      var out = "", starts = [], ends = [];
      for (var i = 0; i < text.length;) {
        var code = text.charCodeAt(i);
        var size = code >= 0xd800 && code < 0xdc00 && i + 1 < text.length ? 2 : 1;
        var n = normalChar(text.substr(i, size));
        if (n !== " " || (out && out[out.length - 1] !== " ")) {
          out += n;
          if (offsets) for (var k = 0; k < n.length; k++) { starts.push(i); ends.push(i + size); }
        }
        i += size;
      }
      return offsets ? { text: out, starts: starts, ends: ends } : out;
    }
    function escapeHtml(text) {
      return text.replace(/[&<>"']/g, function (c) {
        return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
      });
    }
    // *text* escaped, the first match of *needle* marked; cut to about *width* characters around it.
    function marked(text, needle, width) {
      var norm = normalize(text, true);
      var at = needle ? norm.text.indexOf(needle) : -1;
      if (at < 0) return escapeHtml(text.slice(0, width)) + (text.length > width ? "…" : "");
      var from = norm.starts[at], to = norm.ends[at + needle.length - 1];
      var start = Math.max(0, Math.min(from - 30, text.length - width));
      if (/[\udc00-\udfff]/.test(text.charAt(start))) start -= 1;
      var end = Math.max(to, start + width);
      return (start > 0 ? "…" : "") + escapeHtml(text.slice(start, from)) + "<mark>" + escapeHtml(text.slice(from, to)) +
        "</mark>" + escapeHtml(text.slice(to, end)) + (end < text.length ? "…" : "");
    }
    // Entry number *order* as search compares it, made on its first search (all files are in by then).
    function normalized(order) {
      var entry = entries[order];
      if (!normals[order]) {
        normals[order] = {
          title: normalize(index.titles[entry.u] || ""), heading: normalize(entry.h), body: normalize(entry.t),
          questions: entry.q.map(function (question) { return normalize(question.t); }),
          answers: entry.q.map(function (question) { return normalize(question.s); })
        };
      }
      return normals[order];
    }
    // Where in a section *needle* is first found, best place first: heading, a question, the prose, an answer.
    function placeOf(normal, needle) {
      function has(text) { return text.indexOf(needle) >= 0; }
      if (has(normal.heading)) return { rank: 1 };
      var asked = normal.questions.findIndex(has);
      if (asked >= 0) return { rank: 2, asked: asked };
      if (has(normal.body)) return { rank: 3 };
      asked = normal.answers.findIndex(has);
      return asked >= 0 ? { rank: 4, asked: asked } : null;
    }
    function count(text, needle) {
      var n = 0;
      for (var at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) n++;
      return n;
    }
    // Sections that hold every word of the query (their page's title counts), ranked by where the
    // phrase is (or else the first word); a page whose title holds it is listed once more, first.
    function search(query) {
      var terms = normalize(query).trim().split(" ").filter(Boolean);
      if (!terms.length) return [];
      var phrase = terms.join(" ");
      var found = [], titled = {};
      entries.forEach(function (entry, order) {
        var normal = normalized(order);
        var texts = [normal.title, normal.heading, normal.body].concat(normal.questions, normal.answers);
        var matches = 0;
        for (var i = 0; i < terms.length; i++) {
          var n = texts.reduce(function (sum, text) { return sum + count(text, terms[i]); }, 0);
          if (!n) return;
          matches += n;
        }
        var needle = normal.title.indexOf(phrase) >= 0 || placeOf(normal, phrase) ? phrase : terms[0];
        if (normal.title.indexOf(needle) >= 0 && !titled[entry.u]) {
          titled[entry.u] = true;
          found.push({ entry: entry, place: { rank: 0 }, needle: needle, matches: count(normal.title, needle), order: order });
        }
        var place = placeOf(normal, needle);
        if (place) found.push({ entry: entry, place: place, needle: needle, matches: matches, order: order });
      });
      found.sort(function (a, b) { return a.place.rank - b.place.rank || b.matches - a.matches || a.order - b.order; });
      return found.slice(0, 20).map(describe);
    }
    // A result as shown: a match in an answer shows its question, never the answer.
    function describe(hit) {
      var entry = hit.entry, place = hit.place, text = entry.t, page = place.rank === 0;
      if (place.asked !== undefined) text = entry.q[place.asked].t;
      var href = root + entry.u + (location.protocol === "file:" ? "index.html" : "") + (entry.a && !page ? "#" + entry.a : "");
      return { href: href, title: marked(index.titles[entry.u] || "", hit.needle, Infinity),
               section: entry.h && !page ? marked(entry.h, hit.needle, Infinity) : "",
               snippet: marked(text, hit.needle, 110), inAnswer: place.rank === 4 };
    }
    function show() {
      var query = input.value;
      if (!query.trim()) { results.hidden = true; results.innerHTML = ""; return; }
      load().then(function () {
        if (input.value !== query) return;
        var hits = search(query);
        results.innerHTML = hits.length ? "<ul>" + hits.map(function (hit) {
          return '<li><a href="' + escapeHtml(hit.href) + '"><span class="search-title">' + hit.title + "</span>" +
            (hit.section ? ' <span class="search-section">› ' + hit.section + "</span>" : "") +
            (hit.inAnswer ? ' <span class="search-label">' + escapeHtml(ui.search_in_answer || "") + "</span>" : "") +
            '<span class="search-snippet">' + hit.snippet + "</span></a></li>";
        }).join("") + "</ul>" : '<p class="search-empty">' + escapeHtml(ui.search_no_results || "") + "</p>";
        results.hidden = false;
      });
    }
    // "/" goes to the search box, as on GitHub and MkDocs, unless the reader is typing somewhere.
    document.addEventListener("keydown", function (event) {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      var target = event.target;
      if (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
      event.preventDefault();
      input.focus();
    });
    input.addEventListener("focus", function () { load(); });
    input.addEventListener("input", show);
    form.addEventListener("submit", function (event) { event.preventDefault(); show(); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { input.value = ""; show(); }
      if (event.key === "ArrowDown") {
        var first = results.querySelector("a");
        if (first) { event.preventDefault(); first.focus(); }
      }
    });
    results.addEventListener("keydown", function (event) {
      var links = all("a", results);
      var at = links.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && at < links.length - 1) { event.preventDefault(); links[at + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); (at > 0 ? links[at - 1] : input).focus(); }
      if (event.key === "Escape") { input.focus(); }
    });
    document.addEventListener("click", function (event) {
      if (!pageResults && !form.contains(event.target)) results.hidden = true;
    });
    if (pageResults) {
      var query = new URLSearchParams(location.search).get("q");
      if (query) { input.value = query; show(); }
    }
  }

  /* --- Mermaid diagrams: drawn in the page's theme, drawn again when it changes ----
     Only pages with a diagram load Mermaid, without holding up this script (it is 5 MB).
     Each diagram keeps its source, so a theme switch redraws it; a diagram Mermaid
     cannot read stays as text. */
  function initDiagrams() {
    var loader = document.querySelector("script[data-mermaid]");
    if (!loader) return;
    if (window.mermaid) drawDiagrams(); else loader.addEventListener("load", drawDiagrams);
  }
  function drawDiagrams() {
    var boxes = all("pre.mermaid");
    var sources = boxes.map(function (box) { return box.textContent; });
    var drawing = Promise.resolve(), drawn = 0;
    var html = document.documentElement;
    function drawAll() {
      var theme = html.dataset.theme === "dark" ? "dark" : "default";
      drawing = drawing.then(function () {
        window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: theme });
        return boxes.reduce(function (previous, box, index) {
          return previous.then(function () {
            drawn += 1;  // Mermaid wants a fresh id for every drawing
            return window.mermaid.render("diagram-" + drawn, sources[index]).then(function (result) {
              box.innerHTML = result.svg;
              box.setAttribute("data-diagram-theme", theme);
            }, function () { box.textContent = sources[index]; });
          });
        }, Promise.resolve());
      });
    }
    drawAll();
    new MutationObserver(drawAll).observe(html, { attributes: true, attributeFilter: ["data-theme"] });
  }

  /* --- Code blocks: a copy button on each --------------------------------------------
     The copied code is left selected, so the reader sees what was copied; where the
     clipboard refuses (pages opened from disk, old browsers) the note says to press Ctrl+C. */
  function initCodeCopy() {
    all("pre > code").forEach(function (code) {
      var pre = code.parentNode;
      var block = document.createElement("div");
      block.className = "code-block";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "code-copy";
      button.textContent = ui.copy_code || "Copy";
      var note = document.createElement("span");
      note.className = "code-copy-note";
      note.setAttribute("role", "status");
      pre.parentNode.insertBefore(block, pre);
      block.appendChild(pre);
      block.appendChild(button);
      block.appendChild(note);
      var timer = null;
      function say(text) {
        clearTimeout(timer);
        note.textContent = text;
        button.classList.add("done");
        timer = setTimeout(function () { note.textContent = ""; button.classList.remove("done"); }, 2500);
      }
      button.addEventListener("click", function () {
        function select() { window.getSelection().selectAllChildren(code); }
        copyText(code.textContent).then(function () { select(); say(ui.copied || "Copied"); },
          function () { select(); say(ui.copy_code_manual || ""); });
      });
    });
  }

  /* --- Contents: the section being read is marked while scrolling ------------------ */
  function initContents() {
    var toc = document.querySelector("[data-toc]");
    if (!toc) return;
    if (window.matchMedia("(max-width: 75rem)").matches) toc.open = false;  // folded above the lesson on phones
    if (!("IntersectionObserver" in window)) return;
    var links = all("a[href^='#']", toc);
    var targets = links.map(function (link) { return document.getElementById(link.getAttribute("href").slice(1)); });
    var shown = null;
    function mark() {
      // The last heading or section that has reached the top fifth of the window.
      var line = window.innerHeight / 5, at = 0;
      targets.forEach(function (target, index) {
        if (target && target.getBoundingClientRect().top <= line) at = index;
      });
      if (shown === links[at]) return;
      if (shown) shown.removeAttribute("aria-current");
      shown = links[at];
      shown.setAttribute("aria-current", "location");
    }
    var observer = new IntersectionObserver(mark, { rootMargin: "0px 0px -80% 0px" });
    targets.forEach(function (target) { if (target) observer.observe(target); });
    mark();
  }

  /* --- ← and → go to the previous and next lesson ------------------------------------
     Not while the focus is on something that uses those keys itself. */
  var OWN_ARROWS = "textarea, select, audio, video, [contenteditable], [data-scroll-focus], [role=tree], [role=slider], " +
    "[role=listbox], [role=menu], [role=menubar], [role=tablist], [role=radiogroup], [role=grid], [role=treegrid], " +
    "[role=combobox], [role=spinbutton], [role=scrollbar]";
  var ARROWLESS_INPUTS = ["checkbox", "button", "submit", "reset", "image", "file", "color"];
  function usesArrows(element) {
    if (!element || !element.closest) return false;
    if (element.isContentEditable || element.closest(OWN_ARROWS)) return true;
    return element.tagName === "INPUT" && ARROWLESS_INPUTS.indexOf(element.type) < 0;
  }
  function initLessonKeys() {
    var previous = document.querySelector(".pager a[rel=prev]"), next = document.querySelector(".pager a[rel=next]");
    if (!previous && !next) return;
    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      var link = event.key === "ArrowLeft" ? previous : event.key === "ArrowRight" ? next : null;
      if (!link || usesArrows(event.target)) return;
      event.preventDefault();
      location.href = link.href;
    });
  }

  /* --- The navigation tree: every folder and lesson, by mouse and keyboard -----------
     The page carries its own branch, a working sidebar until the whole tree (one file per
     language) arrives; that file is loaded on the sidebar's first use (the pointer or
     the focus entering it, a touch, the menu opening on phones), not with the page, so
     that a reader who never uses the sidebar never loads it. Once a reader has used it,
     later pages load it at once where the sidebar is shown (from the browser's cache), so
     that the sidebar does not change under the pointer after a click in the tree (ARIA
     tree pattern: arrows, Home, End, Enter). */
  function initTree() {
    var sidebar = document.getElementById("sidebar");
    var branch = sidebar && sidebar.querySelector(":scope > ul");
    var source = sidebar && sidebar.getAttribute("data-tree");
    if (!branch || !source) return;
    var uses = ["pointerenter", "focusin", "touchstart"];
    var loading = false;
    function load() {
      if (loading) return;
      loading = true;
      storageSet("tree-used", true);
      uses.forEach(function (use) { sidebar.removeEventListener(use, load); });
      var script = document.createElement("script");
      script.src = source;
      script.onload = function () {
        if (!window.studysiteTree) return;
        buildTree(window.studysiteTree, branch);
        showProgress();
      };
      document.head.appendChild(script);
    }
    if (storageGet("tree-used") && getComputedStyle(sidebar).visibility !== "hidden") { load(); return; }
    uses.forEach(function (use) { sidebar.addEventListener(use, load, { passive: true }); });
    all("[data-menu-toggle]").forEach(function (button) { button.addEventListener("click", load); });
  }

  /* The tree in place of *branch*, the page's own branch. */
  function buildTree(nodes, branch) {
    var tree = document.createElement("ul");
    tree.className = "nav-tree";
    tree.setAttribute("role", "tree");
    tree.setAttribute("aria-label", ui.menu || "");
    var sidebar = document.getElementById("sidebar");
    var siteRoot = sidebar.getAttribute("data-tree-root");
    function here(href) { return href.split("#")[0].split("?")[0].replace(/index\.html$/, ""); }
    var page = here(location.href), groups = 0, current = null;
    function pathTo(list) {  // the nodes from the top down to this page's, or null
      for (var i = 0; i < list.length; i++) {
        var node = list[i];
        if (here(new URL(siteRoot + node[1], location.href).href) === page) return [node];
        if (Array.isArray(node[2])) { var below = pathTo(node[2]); if (below) return [node].concat(below); }
      }
      return null;
    }
    var path = pathTo(nodes) || [];

    function fill(list, level, into) {
      list.forEach(function (node, index) {
        var li = document.createElement("li");
        li.setAttribute("role", "none");
        var item = document.createElement("a");
        item.setAttribute("role", "treeitem");
        item.href = fileHref(siteRoot + node[1]);
        item.tabIndex = -1;
        item.setAttribute("aria-level", String(level));
        item.setAttribute("aria-setsize", String(list.length));
        item.setAttribute("aria-posinset", String(index + 1));
        var folder = Array.isArray(node[2]);
        if (folder) {
          var toggle = document.createElement("span");
          toggle.className = "tree-toggle";
          toggle.setAttribute("aria-hidden", "true");
          item.appendChild(toggle);
          item.setAttribute("aria-expanded", "false");
          li.className = "nav-folder";
        } else {
          li.className = "nav-lesson";
          li.setAttribute("data-lesson", node[1]);
          li.setAttribute("data-tests", String(node[2]));
        }
        var label = document.createElement("span");
        label.textContent = node[0];
        item.appendChild(label);
        if (!folder) {
          var progress = document.createElement("span");
          progress.className = "lesson-progress";
          progress.setAttribute("data-progress", "");
          item.appendChild(progress);
        }
        item.treeNode = node;
        li.appendChild(item);
        into.appendChild(li);
        if (path[level - 1] === node) {  // on the way to this page, or this page: open
          if (level === path.length) { current = item; item.setAttribute("aria-current", "page"); }
          if (folder) setOpen(item, true);
        }
      });
    }
    function groupOf(item) { return item.parentNode.querySelector(":scope > ul"); }
    function setOpen(item, open) {
      var group = groupOf(item);
      if (open && !group) {
        group = document.createElement("ul");
        group.setAttribute("role", "group");
        group.id = "tree-group-" + (++groups);
        item.setAttribute("aria-owns", group.id);
        fill(item.treeNode[2], parseInt(item.getAttribute("aria-level"), 10) + 1, group);
        item.parentNode.appendChild(group);
        showProgress();
      }
      if (group) group.hidden = !open;
      item.setAttribute("aria-expanded", open ? "true" : "false");
    }
    function visible() {
      return all("[role=treeitem]", tree).filter(function (item) { return !item.parentNode.parentNode.closest("[hidden]"); });
    }
    function focus(item) {
      all("[role=treeitem][tabindex='0']", tree).forEach(function (other) { other.tabIndex = -1; });
      item.tabIndex = 0;
      item.focus();
    }
    function parentItem(item) {
      var group = item.parentNode.parentNode;
      return group.getAttribute("role") === "group" ? group.parentNode.querySelector(":scope > [role=treeitem]") : null;
    }
    tree.addEventListener("click", function (event) {
      var toggle = event.target.closest(".tree-toggle");
      if (!toggle) return;
      event.preventDefault();  // the arrow opens or closes the folder; its name goes to its page
      var item = toggle.parentNode;
      setOpen(item, item.getAttribute("aria-expanded") !== "true");
      focus(item);
    });
    tree.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      var item = event.target.closest("[role=treeitem]");
      if (!item) return;
      var items = visible(), at = items.indexOf(item), expanded = item.getAttribute("aria-expanded");
      var target = null;
      switch (event.key) {
        case "ArrowDown": target = items[at + 1]; break;
        case "ArrowUp": target = items[at - 1]; break;
        case "Home": target = items[0]; break;
        case "End": target = items[items.length - 1]; break;
        case "ArrowRight":
          if (expanded === "false") setOpen(item, true);
          else if (expanded === "true") target = groupOf(item).querySelector("[role=treeitem]");
          break;
        case "ArrowLeft":
          if (expanded === "true") setOpen(item, false); else target = parentItem(item);
          break;
        default: return;  // Enter follows the link, as links do
      }
      event.preventDefault();
      if (target) focus(target);
    });

    fill(nodes, 1, tree);
    var first = current || tree.querySelector("[role=treeitem]");
    if (first) first.tabIndex = 0;
    // A keyboard reader may be on one of the branch's links: the tree item with the same
    // address takes over the focus (else the tree's own tab stop), so Tab goes on from there.
    var focused = branch.contains(document.activeElement) ? document.activeElement.href : null;
    branch.parentNode.replaceChild(tree, branch);
    if (focused !== null) {
      var same = visible().filter(function (item) { return item.href === focused; })[0] || first;
      if (same) focus(same);
    }
    if (current) {
      setTimeout(function () { sidebar.scrollTop = Math.max(0, current.offsetTop - sidebar.clientHeight / 3); }, 0);
    }
  }

  [initTheme, initMenu, initSearch, initCopyButtons, initLesson, initProgressListing, initResetAll,
   initPlotSliders, initScrollers, initPrint, initHeadingLinks, initFileLinks, initDiagrams, initCodeCopy,
   initContents, initLessonKeys, initTree].forEach(function (init) { init(); });
})();

/* The Economics of Generative AI: the site's one script of its own.
 *
 * A classic script (no modules, nothing fetched), so it runs from file:// as well as over HTTP.
 * It draws each chart live over its static SVG, marks tables that scroll sideways so their hint
 * shows, and copies a cite text to the clipboard. Without JavaScript the static SVGs remain.
 */
(function () {
  "use strict";

  function drawCharts() {
    var charts = document.querySelectorAll(".vega-chart");
    if (!charts.length) return;
    if (typeof window.vegaEmbed !== "function") {
      console.error("vega-bundle.js did not load: the charts stay static");
      return;
    }
    charts.forEach(function (chart) {
      var source = chart.querySelector("script.vega-spec");
      var live = chart.querySelector(".vega-live");
      if (!source || !live) return;
      window
        .vegaEmbed(live, JSON.parse(source.textContent), { actions: false, renderer: "svg" })
        .then(function () {
          chart.classList.add("vega-rendered");
          followContainer(live);
        })
        .catch(function (error) {
          live.textContent = "";
          console.error("Chart " + chart.id + " could not be drawn: " + error);
        });
    });
  }

  // A chart sized to its container recomputes its width on the window's resize events only. When its
  // box changes without one (the sidebar hidden, a tab shown, the page laid out again), tell it.
  var widths = new WeakMap();
  var pending = false;
  var observer = window.ResizeObserver ? new ResizeObserver(function (entries) {
    var changed = entries.some(function (entry) {
      var width = Math.round(entry.contentRect.width);
      var before = widths.get(entry.target);
      widths.set(entry.target, width);
      return before !== undefined && Math.abs(width - before) > 1;
    });
    if (changed && !pending) {
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        window.dispatchEvent(new Event("resize"));
      });
    }
  }) : null;

  function followContainer(live) {
    if (observer) observer.observe(live);
  }

  function markScrollingTables() {
    document.querySelectorAll(".pst-scrollable-table-container, .table-scroll").forEach(function (box) {
      var update = function () {
        box.classList.toggle("is-scrolling", box.scrollWidth > box.clientWidth + 1);
      };
      update();
      if (window.ResizeObserver) new ResizeObserver(update).observe(box);
    });
  }

  function copyButtons() {
    document.querySelectorAll("button.copy-cite").forEach(function (button) {
      button.addEventListener("click", function () {
        var text = document.getElementById(button.getAttribute("data-target"));
        if (!text) return;
        var done = function () {
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = "Copy"; }, 1500);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text.textContent.trim()).then(done, function () { selectText(text); });
        } else {
          selectText(text);
          try { document.execCommand("copy"); done(); } catch (e) { /* the text stays selected */ }
        }
      });
    });
  }

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  // Paper is white: a reader in dark mode (the switch, or the system's preference) prints the light page, whose
  // text keeps its contrast with or without the browser's "background graphics"; the dark page comes back after.
  function printInLight() {
    var root = document.documentElement;
    var shown = null;
    window.addEventListener("beforeprint", function () {
      if (shown === null) shown = root.dataset.theme; // a second beforeprint before afterprint keeps the first
      if (shown === "dark") root.dataset.theme = "light";
    });
    window.addEventListener("afterprint", function () {
      if (shown === "dark") root.dataset.theme = "dark";
      shown = null;
    });
  }

  function start() {
    drawCharts();
    markScrollingTables();
    copyButtons();
    printInLight();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

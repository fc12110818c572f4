// Loaded by every exported lesson (lessons export), right after require.js.
//
// 1. The widget bundle (embed-amd.js) asks for its icon fonts beside the AMD module that
//    asked, i.e. in "@jupyter-widgets/" and "@jupyter-widgets/html-manager/dist/" below the
//    page. Mapping those module names to "." makes them ask beside the page, where the
//    export puts the fonts.
// 2. Widgets render without names on some parts; once they are drawn, this gives them:
//    slider handles get their slider's label, toggle buttons say which one is pressed
//    (aria-pressed), and each chart's actions menu says what it is. Vega draws the brush
//    of an interval selection as an unlabelled graphic: it is hidden from screen readers
//    (it holds no data; the chart's description says what the chart shows).
(function () {
  "use strict";
  if (window.require && window.require.config) {
    window.require.config({
      paths: {
        "@jupyter-widgets": ".",
        "@jupyter-widgets/html-manager/dist": ".",
      },
    });
  }

  var CHART_MENU = "Chart menu: save this chart as a picture (SVG or PNG)";

  function labelOf(widget) {
    var label = widget && widget.querySelector(".widget-label");
    var text = label ? label.textContent.trim() : "";
    return text || "Value";
  }

  function nameSliders(root) {
    root.querySelectorAll(".noUi-handle[role='slider']").forEach(function (handle) {
      var widget = handle.closest(".jupyter-widgets, .widget-inline-hbox, .widget-slider");
      var name = labelOf(handle.closest(".widget-inline-hbox") || widget);
      var handles = handle.parentElement
        ? handle.closest(".noUi-base").querySelectorAll(".noUi-handle[role='slider']")
        : [];
      if (handles.length === 2) {
        name += handle.classList.contains("noUi-handle-lower") ? ": from" : ": to";
      }
      if (handle.getAttribute("aria-label") !== name) handle.setAttribute("aria-label", name);
      var slider = handle.closest("[disabled]");
      if (slider && handle.getAttribute("aria-disabled") !== "true") {
        handle.setAttribute("aria-disabled", "true");
        handle.setAttribute("tabindex", "-1");
      }
    });
  }

  function pressToggles(root) {
    root
      .querySelectorAll(".widget-toggle-buttons button, button.widget-toggle-button")
      .forEach(function (button) {
        var pressed = button.classList.contains("mod-active") ? "true" : "false";
        if (button.getAttribute("aria-pressed") !== pressed) {
          button.setAttribute("aria-pressed", pressed);
        }
      });
  }

  function nameChartMenus(root) {
    root.querySelectorAll(".vega-embed details > summary").forEach(function (summary) {
      if (summary.getAttribute("aria-label") !== CHART_MENU) {
        summary.setAttribute("aria-label", CHART_MENU);
      }
    });
  }

  function hideBrushes(root) {
    root.querySelectorAll(".vega-embed g.role-mark[role='graphics-symbol']").forEach(function (g) {
      var name = g.getAttribute("class") || "";
      if (/_brush(_bg)?\b/.test(name) && !g.hasAttribute("aria-label")) {
        if (g.getAttribute("aria-hidden") !== "true") g.setAttribute("aria-hidden", "true");
      }
    });
  }

  var pending = false;
  function fix() {
    pending = false;
    nameSliders(document);
    pressToggles(document);
    nameChartMenus(document);
    hideBrushes(document);
  }
  function schedule() {
    if (!pending) {
      pending = true;
      window.setTimeout(fix, 50);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    new MutationObserver(schedule).observe(document.body, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["class", "disabled"],
    });
    schedule();
  });
})();

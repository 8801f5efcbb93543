/* Searchable multiple choices: a filter box above every element of class "js-multiselect" (a <select multiple> or
   Django's list of check boxes). Progressive enhancement: without this file the plain list still works. No inline
   code (CSP); the box's label comes from the element's data-filter-label attribute (translated on the server). */
(function () {
  "use strict";

  function normalise(text) {
    return (text || "").replace(/\s+/g, "").toLowerCase();
  }

  function entries(element) {
    if (element.tagName === "SELECT") {
      return Array.prototype.map.call(element.options, function (option) {
        return { node: option, text: option.textContent, selected: function () { return option.selected; } };
      });
    }
    return Array.prototype.map.call(element.querySelectorAll("input[type=checkbox]"), function (box) {
      var label = box.closest("label");
      var row = (label && label.parentElement !== element) ? label.parentElement : (label || box);
      return { node: row, text: label ? label.textContent : box.value, selected: function () { return box.checked; } };
    });
  }

  function enhance(element) {
    if (element.dataset.multiselectReady) { return; }
    element.dataset.multiselectReady = "1";
    var box = document.createElement("input");
    box.type = "search";
    box.className = "multiselect-filter";
    box.setAttribute("autocomplete", "off");
    var label = element.getAttribute("data-filter-label") || "";
    box.placeholder = label;
    box.setAttribute("aria-label", label);
    if (element.id) { box.setAttribute("aria-controls", element.id); box.id = element.id + "-filter"; }
    element.parentNode.insertBefore(box, element);
    var items = entries(element);
    function apply() {
      var words = box.value.split(/\s+/).map(normalise).filter(Boolean);
      items.forEach(function (item) {
        var text = normalise(item.text);
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        item.node.hidden = !(match || item.selected());  // a chosen entry stays in sight
      });
    }
    box.addEventListener("input", apply);
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }  // the filter never submits the form
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("select.js-multiselect, div.js-multiselect"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

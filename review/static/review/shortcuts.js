// Review keyboard shortcuts. A key clicks the element whose data-shortcut lists it
// (a, 1-3 accept, n no match, s skip, j next) or focuses the field whose data-focus-key is it (/).
// Keys typed into a form field are left alone; Escape leaves the field.
(function () {
  "use strict";
  var busy = false;

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.repeat) {
      return;
    }
    if (typing(event.target)) {
      if (event.key === "Escape") {
        event.target.blur();
      }
      return;
    }
    var key = event.key;
    var focusable = document.querySelector('[data-focus-key="' + CSS.escape(key) + '"]');
    if (focusable) {
      event.preventDefault();
      focusable.focus();
      return;
    }
    var target = document.querySelector('[data-shortcut~="' + CSS.escape(key) + '"]');
    if (!target || busy) {
      return;
    }
    event.preventDefault();
    busy = true; // one decision per page: a held or repeated key must not post twice
    target.classList.add("shortcut-pressed");
    target.click();
  });
})();

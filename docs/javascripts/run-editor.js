// The editor of one block: a textarea over the block's code (the code
// itself is hidden while it is open), with Ctrl+Enter to run, Tab to
// indent and Escape to leave it for the block's Run button.

(() => {
  let editors = 0;

  class Editor {
    // `element` is the block; `onRun` runs it, `onLeave` is called on Escape.
    constructor(element, code, { label, onRun, onLeave }) {
      this.element = element;
      const area = document.createElement("textarea");
      area.className = "mg-editor";
      area.value = code;
      area.spellcheck = false;
      area.setAttribute("autocapitalize", "off");
      area.setAttribute("autocomplete", "off");
      area.setAttribute("aria-label", label);
      area.id = `mg-editor-${++editors}`;
      area.rows = Math.min(30, code.split("\n").length + 1);
      area.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          onRun();
        } else if (event.key === "Escape") {
          event.preventDefault();
          onLeave();
        } else if (event.key === "Tab" && !event.shiftKey && !event.altKey) {
          event.preventDefault();
          area.setRangeText("    ", area.selectionStart, area.selectionEnd, "end");
        }
      });
      const hint = document.createElement("p");
      hint.className = "mg-editor-hint";
      hint.textContent = "Ctrl+Enter runs · Tab indents · Esc leaves the editor";
      this.area = area;
      this.hint = hint;
      element.classList.add("mg-editing");
      element.append(area, hint);
    }

    get value() {
      return this.area.value;
    }

    focus() {
      this.area.focus();
    }

    remove() {
      this.area.remove();
      this.hint.remove();
      this.element.classList.remove("mg-editing");
    }
  }

  window.mgRun = window.mgRun || {};
  window.mgRun.Editor = Editor;
})();

// The editor of one block: the book's code editor (CodeMirror 6, bundled by
// bookbuild/editor_assets.py into assets/run/editor.js, an ES module loaded
// the first time the reader edits a block), shown in place of the block's
// code. Ctrl+Enter runs; Tab indents; Escape then Tab leaves the editor.

(() => {
  const BUNDLE_URL = new URL("../assets/run/editor.js", document.currentScript.src);
  let bundle = null;
  // One import for the page; a failed one is forgotten, so the next Edit
  // tries again.
  const load = () => {
    bundle ??= import(BUNDLE_URL.href).catch((error) => {
      bundle = null;
      throw error;
    });
    return bundle;
  };
  let editors = 0;

  class Editor {
    // The bundle's module (create, editorOf), for a page that builds its
    // own editor; it loads on the first call.
    static load() {
      return load();
    }

    // `element` is the block; `onRun` runs it. Resolves once the editor is
    // on the page; rejects if the bundle could not load.
    static async open(element, code, { label, onRun }) {
      const { create } = await load();
      return new Editor(element, code, { label, onRun, create });
    }

    constructor(element, code, { label, onRun, create }) {
      this.element = element;
      const hint = document.createElement("p");
      hint.className = "mg-editor-hint";
      hint.id = `mg-editor-hint-${++editors}`;
      hint.textContent = "Ctrl+Enter runs · Tab indents · Esc then Tab leaves the editor";
      this.host = document.createElement("div");
      this.hint = hint;
      element.classList.add("mg-editing");
      element.append(this.host, hint);
      // Line numbers: an error names the line of the block it happened on.
      this.code = create(this.host, {
        doc: code,
        label,
        onRun: () => onRun(),
        describedBy: hint.id,
        lineNumbers: true,
      });
    }

    get value() {
      return this.code.getValue();
    }

    focus() {
      this.code.focus();
    }

    remove() {
      this.code.destroy();
      this.host.remove();
      this.hint.remove();
      this.element.classList.remove("mg-editing");
    }
  }

  window.mgRun = window.mgRun || {};
  window.mgRun.Editor = Editor;
})();

// The code editor of the book's pages: CodeMirror 6 with Python, painted in
// Material's code colours, bundled by bookbuild/editor_assets.py into
// site/assets/run/editor.js (an ES module, loaded with import() the first
// time a reader edits a block).
//
// API (module exports):
//
//   create(parent, { doc, label, onRun, onChange, lineNumbers, describedBy })
//     parent       the element the editor is appended to
//     doc          the starting text (string, default "")
//     label        the editor's accessible name (non-empty string, required)
//     onRun        called with the text on Ctrl+Enter (Cmd+Enter on a Mac)
//     onChange     called with the text after each change the reader makes
//                  (not after setValue)
//     lineNumbers  show line numbers (default false)
//     describedBy  id of an element that describes the editor (the page's
//                  hint about its keys), set as aria-describedby
//   returns { getValue(), setValue(text), focus(), destroy(), view }, where
//   view is CodeMirror's EditorView, for anything this API leaves out. The
//   editor's outer element has the class mg-code-editor, for the page's CSS.
//
// editorOf(element)
//   the object create() returned for the editor that holds `element` (any
//   element inside it), or null: how a test or another script reaches the
//   text of an editor it did not create.
//
// Keys: Enter keeps the indentation and indents after a line ending in ":";
// Tab and Shift+Tab indent and dedent; Ctrl+Z undoes, Ctrl+Y redoes (also
// Ctrl+Shift+Z on Linux; Cmd+Z and Cmd+Shift+Z on a Mac); Ctrl+/ comments
// lines in and out. Tab never traps the keyboard: Escape then Tab (within two
// seconds) moves the focus out of the editor, and Ctrl+M (Shift+Alt+M on a
// Mac) switches Tab to moving the focus until pressed again; both are
// CodeMirror's own.
//
// Colours come from Material's CSS custom properties (--md-code-*), so the
// editor follows the page's light or dark scheme, including a switch made
// while it is open. Nothing here fetches anything.

import {
  defaultKeymap,
  history,
  historyKeymap,
  indentWithTab,
} from "@codemirror/commands";
import { pythonLanguage } from "@codemirror/lang-python";
import {
  HighlightStyle,
  LanguageSupport,
  bracketMatching,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from "@codemirror/language";
import { Annotation, EditorState, Prec } from "@codemirror/state";
import { EditorView, keymap, lineNumbers as lineNumberGutter } from "@codemirror/view";
import { tags } from "@lezer/highlight";

const code = (name) => `var(--md-code-hl-${name}-color)`;

// The same token classes as Material's Pygments colours (.k, .s, .nf, ...).
const materialHighlight = HighlightStyle.define([
  {
    tag: [tags.keyword, tags.controlKeyword, tags.definitionKeyword, tags.moduleKeyword],
    color: code("keyword"),
  },
  { tag: tags.meta, color: code("keyword") },
  { tag: [tags.bool, tags.null, tags.variableName, tags.propertyName], color: code("name") },
  {
    tag: [tags.function(tags.definition(tags.variableName)), tags.definition(tags.className)],
    color: code("function"),
  },
  { tag: [tags.string, tags.special(tags.string)], color: code("string") },
  { tag: tags.escape, color: code("special") },
  { tag: tags.number, color: code("number") },
  { tag: [tags.comment, tags.lineComment], color: code("comment") },
  {
    tag: [
      tags.operator,
      tags.operatorKeyword,
      tags.modifier,
      tags.arithmeticOperator,
      tags.bitwiseOperator,
      tags.compareOperator,
      tags.definitionOperator,
      tags.updateOperator,
      tags.derefOperator,
    ],
    color: code("operator"),
  },
  {
    tag: [tags.punctuation, tags.separator, tags.paren, tags.squareBracket, tags.brace],
    color: code("punctuation"),
  },
]);

const materialTheme = EditorView.theme({
  "&": {
    color: "var(--md-code-fg-color)",
    backgroundColor: "var(--md-code-bg-color)",
    border: "0.1em solid var(--md-accent-fg-color)",
    borderRadius: "0.1rem",
    fontSize: "0.85em",
  },
  "&.cm-focused": {
    outline: "0.1em solid var(--md-accent-fg-color)",
  },
  ".cm-scroller": {
    fontFamily: "var(--md-code-font-family)",
    lineHeight: "1.4",
  },
  ".cm-content": {
    caretColor: "var(--md-code-fg-color)",
    padding: "0.8em 0",
  },
  ".cm-line": { padding: "0 1.2em" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--md-code-fg-color)" },
  ".cm-gutters": {
    color: code("comment"),
    backgroundColor: "var(--md-code-bg-color)",
    border: "none",
  },
  // An outline, not a background: the bracket keeps the contrast of its text.
  "&.cm-focused .cm-matchingBracket": {
    backgroundColor: "transparent",
    outline: "0.1em solid var(--md-code-hl-color)",
  },
  "&.cm-focused .cm-nonmatchingBracket": {
    backgroundColor: "transparent",
    outline: `0.1em dashed ${code("special")}`,
  },
});

const python = new LanguageSupport(pythonLanguage);

// Marks the transaction of setValue, which onChange leaves out.
const replacedByPage = Annotation.define();

// Each live editor's object, by its outermost element.
const editors = new WeakMap();

export function editorOf(element) {
  check(
    typeof Element !== "undefined" && element instanceof Element,
    `editorOf(element): element must be a DOM element, got ${describe(element)}`,
  );
  const outer = element.closest(".cm-editor");
  return (outer && editors.get(outer)) || null;
}

function describe(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? `a ${value.constructor?.name ?? "object"}` : typeof value;
}

function check(condition, message) {
  if (!condition) throw new TypeError(message);
}

export function create(parent, options = {}) {
  check(
    typeof Element !== "undefined" && parent instanceof Element,
    `create(parent, options): parent must be a DOM element, got ${describe(parent)}`,
  );
  check(
    options !== null && typeof options === "object",
    `create(parent, options): options must be an object, got ${describe(options)}`,
  );
  const {
    doc = "",
    label,
    onRun,
    onChange,
    lineNumbers = false,
    describedBy,
  } = options;
  check(typeof doc === "string", `create: doc must be a string, got ${describe(doc)}`);
  check(
    typeof label === "string" && label.trim() !== "",
    `create: label (the editor's accessible name) must be a non-empty string, got ${describe(label)}`,
  );
  for (const [name, value] of [["onRun", onRun], ["onChange", onChange]]) {
    check(
      value === undefined || typeof value === "function",
      `create: ${name} must be a function, got ${describe(value)}`,
    );
  }
  check(
    describedBy === undefined || typeof describedBy === "string",
    `create: describedBy must be an element id (a string), got ${describe(describedBy)}`,
  );

  const run = (view) => {
    if (!onRun) return false;
    onRun(view.state.doc.toString());
    return true;
  };
  const contentAttributes = { "aria-label": label };
  if (describedBy) contentAttributes["aria-describedby"] = describedBy;

  const extensions = [
    // Above the default keys, where Mod-Enter inserts a blank line.
    Prec.highest(keymap.of([
      { key: "Mod-Enter", run },
      { key: "Ctrl-Enter", run },
    ])),
    history(),
    indentOnInput(),
    bracketMatching(),
    indentUnit.of("    "),
    EditorState.tabSize.of(4),
    python,
    syntaxHighlighting(materialHighlight),
    materialTheme,
    keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
    EditorView.contentAttributes.of(contentAttributes),
    EditorView.editorAttributes.of({ class: "mg-code-editor" }),
  ];
  if (lineNumbers) extensions.push(lineNumberGutter());
  if (onChange) {
    extensions.push(EditorView.updateListener.of((update) => {
      if (!update.docChanged) return;
      if (update.transactions.every((tr) => tr.annotation(replacedByPage))) return;
      onChange(update.state.doc.toString());
    }));
  }

  const view = new EditorView({
    parent,
    state: EditorState.create({ doc, extensions }),
  });
  // CodeMirror lets Tab leave after Escape only when Escape had nothing else
  // to do: with text selected (the line of an error, say) Escape collapses
  // the selection, and the Tab after it would indent. Escape then Tab is the
  // way out every editor of the book promises, so Escape always opens it,
  // for CodeMirror's own two seconds.
  view.contentDOM.addEventListener("keydown", (event) => {
    if (event.key === "Escape") view.setTabFocusMode(2000);
  });
  const editor = {
    view,
    getValue: () => view.state.doc.toString(),
    setValue(text) {
      check(typeof text === "string", `setValue: text must be a string, got ${describe(text)}`);
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: text },
        annotations: replacedByPage.of(true),
      });
    },
    focus: () => view.focus(),
    destroy() {
      editors.delete(view.dom);
      view.destroy();
    },
  };
  editors.set(view.dom, editor);
  return editor;
}

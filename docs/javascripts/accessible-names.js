// Names for parts of the theme that a screen reader would otherwise
// announce without one: the search dialog, a table that scrolls sideways,
// and the toolbar that the theme adds to every code block. That toolbar is a
// <nav>, a navigation landmark, so a page had one unnamed landmark per code
// block, none told apart from the others; each now says which block it
// belongs to.
(function () {
  function name() {
    const search = document.querySelector('.md-search[role="dialog"]');
    if (search && !search.hasAttribute("aria-label")) {
      search.setAttribute("aria-label", "Search");
    }
    // A table wider than the column scrolls sideways in the theme's wrapper;
    // a keyboard can scroll it only once the wrapper takes focus.
    document.querySelectorAll(".md-typeset__scrollwrap").forEach((wrap) => {
      if (wrap.hasAttribute("tabindex") || wrap.scrollWidth <= wrap.clientWidth) return;
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", "Table, scrolls sideways");
    });
    const toolbars = document.querySelectorAll("nav.md-code__nav");
    toolbars.forEach((nav, index) => {
      const label = `Code block ${index + 1} tools`;
      if (nav.getAttribute("aria-label") !== label) {
        nav.setAttribute("aria-label", label);
      }
    });
  }
  name();
  // The toolbars are added after load, and again on every page that the
  // theme's instant navigation swaps in.
  let pending = false;
  new MutationObserver(() => {
    if (!pending) {
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        name();
      });
    }
  }).observe(document.body, { childList: true, subtree: true });
})();

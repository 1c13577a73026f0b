// Names for two parts of the theme that a screen reader would otherwise
// announce without one: the search dialog, and the toolbar that the theme
// adds to every code block. That toolbar is a <nav>, a navigation landmark,
// so a page had one unnamed landmark per code block, none told apart from
// the others; each now says which block it belongs to.
(function () {
  function name() {
    const search = document.querySelector('.md-search[role="dialog"]');
    if (search && !search.hasAttribute("aria-label")) {
      search.setAttribute("aria-label", "Search");
    }
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

// A doctest block shows prompts and outputs, but a reader pasting it wants
// only the code. Material copies the `data-copy` attribute of a block when it
// has one, so give each doctest block the code without prompts or outputs.
document$.subscribe(({ body }) => {
  for (const code of body.querySelectorAll("pre > code")) {
    const lines = code.textContent.split("\n");
    if (!lines[0].startsWith(">>>")) continue;
    const source = lines
      .filter((line) => line.startsWith(">>>") || line.startsWith("..."))
      .map((line) => line.slice(4));
    code.setAttribute("data-copy", source.join("\n"));
  }
});

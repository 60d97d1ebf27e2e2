// The article form: a headline that stays one line, boxes that grow with their text, and a
// live word count and reading time under the body editor.
"use strict";

(function () {
  const WORDS_PER_MINUTE = 230;

  function grow(box) {
    // Browsers with CSS field-sizing do this themselves; this is for the others.
    if (CSS.supports && CSS.supports("field-sizing", "content")) return;
    box.style.height = "auto";
    box.style.height = box.scrollHeight + 2 + "px";
  }

  function countWords(text) {
    const words = text.trim().split(/\s+/u).filter(Boolean);
    return words.length;
  }

  function describe(words) {
    const minutes = Math.max(1, Math.round(words / WORDS_PER_MINUTE));
    const wordsText = words === 1 ? "1 word" : words.toLocaleString() + " words";
    return words ? wordsText + " · " + minutes + " min read" : "0 words";
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const box of document.querySelectorAll("#article_form textarea.grows")) {
      grow(box);
      box.addEventListener("input", () => grow(box));
    }
    const headline = document.querySelector("#article_form #id_title");
    if (headline) {
      headline.addEventListener("keydown", (event) => {
        if (event.key === "Enter") event.preventDefault(); // a headline is one line
      });
    }
  });

  document.addEventListener("prose-editor:ready", (event) => {
    const { editor, textarea } = event.detail;
    if (!textarea || textarea.id !== "id_body") return;
    const stats = document.createElement("p");
    stats.className = "help body-stats";
    stats.id = "body-stats";
    stats.setAttribute("aria-live", "polite");
    const update = () => {
      stats.textContent = describe(countWords(editor.getText({ blockSeparator: " " })));
    };
    const container = textarea.closest(".prose-editor") || textarea.parentElement;
    container.insertAdjacentElement("afterend", stats);
    update();
    editor.on("update", update);
  });
})();

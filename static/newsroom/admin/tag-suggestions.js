// Suggest existing tags while an editor types in the comma-separated tag field.
// The browser's <datalist> shows the suggestions; picking one completes the last tag.
(() => {
  "use strict";

  function attach(input) {
    const list = document.createElement("datalist");
    list.id = `${input.id}-suggestions`;
    input.after(list);
    input.setAttribute("list", list.id);
    let pending = null;

    input.addEventListener("input", () => {
      const parts = input.value.split(",");
      const term = parts.pop().trim();
      const prefix = parts.map((part) => part.trim()).filter(Boolean);
      clearTimeout(pending);
      if (!term) {
        list.replaceChildren();
        return;
      }
      pending = setTimeout(async () => {
        const url = `${input.dataset.tagSuggestions}?q=${encodeURIComponent(term)}`;
        const response = await fetch(url, { credentials: "same-origin" });
        if (!response.ok) return;
        const { results } = await response.json();
        list.replaceChildren(
          ...results.map((name) => {
            const option = document.createElement("option");
            option.value = [...prefix, name].join(", ");
            option.label = name;
            return option;
          }),
        );
      }, 150);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("input[data-tag-suggestions]").forEach(attach);
  });
})();

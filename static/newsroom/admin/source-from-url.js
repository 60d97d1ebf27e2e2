// Choose the article's source from its original-article URL: when an editor types or pastes
// the URL, ask the admin which known source owns its domain and select that source in the
// Source autocomplete (select2). The server makes the same choice on save without JavaScript.
(() => {
  "use strict";

  function select(field, source) {
    const value = String(source.id);
    if (field.value === value) return;
    let option = [...field.options].find((candidate) => candidate.value === value);
    if (!option) {
      // The autocomplete only holds the options picked so far.
      option = new Option(source.name, value);
      field.append(option);
    }
    field.value = value;
    const jQuery = window.django && window.django.jQuery;
    if (jQuery) {
      jQuery(field).trigger("change"); // select2 redraws its box on jQuery's change
    } else {
      field.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function attach(input) {
    const field = document.getElementById(input.dataset.sourceSelect);
    if (!field) return;
    let pending = null;
    let asked = "";

    async function lookUp() {
      const url = input.value.trim();
      if (!url || url === asked) return;
      asked = url;
      const address = `${input.dataset.sourceForUrl}?url=${encodeURIComponent(url)}`;
      const response = await fetch(address, { credentials: "same-origin" });
      if (!response.ok || input.value.trim() !== url) return; // typed on meanwhile
      const { source } = await response.json();
      if (source) select(field, source);
    }

    input.addEventListener("input", () => {
      clearTimeout(pending);
      pending = setTimeout(lookUp, 250);
    });
    input.addEventListener("change", () => {
      clearTimeout(pending);
      lookUp();
    });
    // A form shown again after an error: the URL is there, the source the server chose is not.
    if (input.value && !field.value) lookUp();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("input[data-source-for-url]").forEach(attach);
  });
})();

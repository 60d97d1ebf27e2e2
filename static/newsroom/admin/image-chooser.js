// Shows the library image chosen in the lookup popup (or typed as an id) next to the field,
// from the library's summary endpoint. Without this script the id and its saved preview remain.
(() => {
  const update = async (chooser, input) => {
    const preview = chooser.querySelector(".image-chooser__preview");
    const id = input.value.trim();
    preview.replaceChildren();
    if (!/^\d+$/.test(id)) return;
    const url = chooser.dataset.summaryUrl.replace(/\/0\/summary\/$/, `/${id}/summary/`);
    let response;
    try {
      response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    } catch {
      return;
    }
    if (input.value.trim() !== id) return; // another image was chosen meanwhile
    const note = document.createElement("span");
    note.className = "image-chooser__alt";
    if (!response.ok) {
      note.textContent = response.status === 404 ? "No image has this id." : "This image cannot be shown.";
      preview.append(note);
      return;
    }
    const image = await response.json();
    if (input.value.trim() !== id) return;
    preview.replaceChildren();
    const img = document.createElement("img");
    img.src = image.url;
    img.alt = image.alt;
    note.textContent = `${image.title} — alt text: ${image.alt || "(none)"}`;
    preview.append(img, note);
  };

  document.addEventListener("DOMContentLoaded", () => {
    for (const chooser of document.querySelectorAll(".image-chooser")) {
      const input = document.getElementById(chooser.dataset.input);
      if (!input) continue;
      const onChange = () => update(chooser, input);
      // The admin's popups announce a choice through jQuery, which native listeners miss;
      // a jQuery listener also hears a typed change.
      if (window.django && window.django.jQuery) window.django.jQuery(input).on("change", onChange);
      else input.addEventListener("change", onChange);
    }
  });
})();

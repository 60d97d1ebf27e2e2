// Trix settings for the article body. Runs before Trix initialises its editors.
document.addEventListener("trix-before-initialize", () => {
  // The article title is the page's only <h1>; the editor's heading becomes an <h2>.
  Trix.config.blockAttributes.heading1.tagName = "h2";
});

// Images belong in the featured-image field, which validates them; no inline uploads.
document.addEventListener("trix-file-accept", (event) => event.preventDefault());

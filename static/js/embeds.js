// Embedded posts and videos load nothing from their provider until the reader asks: the
// "Load" button (shown only with JavaScript) replaces the placeholder with the provider's
// frame. Without JavaScript the placeholder's link opens the original.
(() => {
  "use strict";
  for (const placeholder of document.querySelectorAll(".embed__placeholder[data-embed-src]")) {
    const button = placeholder.querySelector(".embed__load");
    if (!button) continue;
    button.hidden = false;
    button.addEventListener("click", () => {
      const frame = document.createElement("iframe");
      frame.className = "embed__frame";
      frame.src = placeholder.dataset.embedSrc;
      frame.title = placeholder.dataset.embedTitle || "Embedded content";
      frame.allow = "fullscreen; encrypted-media; picture-in-picture";
      frame.referrerPolicy = "strict-origin-when-cross-origin";
      frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-popups allow-presentation");
      placeholder.replaceWith(frame);
      frame.focus();
    });
  }
})();

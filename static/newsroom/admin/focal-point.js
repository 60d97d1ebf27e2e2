// Clicking the preview of a library image sets its focal point. The two number fields stay
// the source of truth, so the form works the same without this script.
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll(".focal-point")) {
    const xInput = document.getElementById(box.dataset.xInput);
    const yInput = document.getElementById(box.dataset.yInput);
    const marker = box.querySelector(".focal-point__marker");
    const picture = box.querySelector("img");
    if (!xInput || !yInput || !picture) continue;
    const show = () => {
      marker.style.left = `${Math.min(100, Math.max(0, Number(xInput.value) || 0))}%`;
      marker.style.top = `${Math.min(100, Math.max(0, Number(yInput.value) || 0))}%`;
    };
    box.classList.add("focal-point--active");
    box.title = "Click the part of the picture that must stay in view";
    picture.addEventListener("click", (event) => {
      const area = picture.getBoundingClientRect();
      xInput.value = Math.round(((event.clientX - area.left) / area.width) * 100);
      yInput.value = Math.round(((event.clientY - area.top) / area.height) * 100);
      show();
    });
    xInput.addEventListener("input", show);
    yInput.addEventListener("input", show);
  }
});

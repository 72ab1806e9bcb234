// The picture of a widget in the browser (helpers/app.py, FigureView): an <img> with its text alternative,
// a polite live region that announces each new description, and a "describe" button that shows the numbers.
function render({ model, el }) {
  const figure = document.createElement("figure");
  figure.className = "sa-figure";
  const img = document.createElement("img");
  img.className = "sa-picture";
  const live = document.createElement("p");
  live.className = "sa-live";
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "sa-describe-button";
  const panel = document.createElement("div");
  panel.className = "sa-describe";
  panel.id = "sa-describe-" + Math.random().toString(36).slice(2);
  panel.hidden = true;
  button.setAttribute("aria-controls", panel.id);
  const toggle = () => {
    button.textContent = panel.hidden ? "describe the picture" : "hide the description";
    button.setAttribute("aria-expanded", String(!panel.hidden));
  };
  button.addEventListener("click", () => { panel.hidden = !panel.hidden; toggle(); });
  let url = null;
  const picture = () => {
    const value = model.get("value");
    if (!value || value.byteLength === 0) return;
    const next = URL.createObjectURL(new Blob([value], { type: "image/png" }));
    img.src = next;
    if (url) URL.revokeObjectURL(url);
    url = next;
  };
  const size = () => {  // the PNG has twice the pixels: show it at its CSS size, smaller if the cell is narrower
    const width = model.get("width");
    img.style.width = width > 0 ? width + "px" : "";
    img.style.maxWidth = "100%";
    img.style.height = "auto";
  };
  const words = () => {
    const alt = model.get("alt");
    img.alt = alt;
    live.textContent = alt;
    const text = document.createElement("p");
    text.textContent = alt;
    panel.replaceChildren(text);
    panel.insertAdjacentHTML("beforeend", model.get("table"));  // made and escaped by helpers.describe.table_html
  };
  // ipywidgets' sliders leave their handle (role="slider") without an accessible name: the noUiSlider option
  // that would name it (handleAttributes) is not exposed. Name each handle of this widget after its slider's label.
  const nameControls = () => {
    const app = el.closest(".widget-vbox");
    if (!app) return;
    for (const slider of app.querySelectorAll(".widget-slider")) {
      const label = slider.querySelector(".widget-label");
      const handle = slider.querySelector(".noUi-handle");
      if (label && handle && label.textContent.trim() && handle.getAttribute("aria-label") !== label.textContent.trim()) {
        handle.setAttribute("aria-label", label.textContent.trim());
      }
    }
  };
  const observer = new MutationObserver(nameControls);
  const watch = () => {
    const app = el.closest(".widget-vbox");
    if (app) {
      nameControls();
      observer.observe(app, { childList: true, subtree: true });
    } else {
      requestAnimationFrame(watch);
    }
  };
  model.on("change:value", picture);
  model.on("change:width", size);
  model.on("change:alt", words);
  model.on("change:table", words);
  size();
  picture();
  words();
  toggle();
  figure.append(img, live, button, panel);
  el.append(figure);
  requestAnimationFrame(watch);
  return () => { observer.disconnect(); if (url) URL.revokeObjectURL(url); };
}
export default { render };

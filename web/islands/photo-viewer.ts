/**
 * Punch photo thumbnails (`a[data-photo]`) open the full image in a native <dialog> instead of a
 * new tab; Escape or a click closes it. Without JavaScript the link opens the image itself.
 */
export function installPhotoViewer(doc: Document) {
  const dialog = doc.createElement("dialog");
  dialog.className = "photo-dialog";
  dialog.setAttribute("aria-label", "Punch photo");
  const img = doc.createElement("img");
  img.alt = "";
  const close = doc.createElement("button");
  close.type = "button";
  close.className = "btn btn-plain";
  close.textContent = "Close";
  dialog.append(img, close);
  doc.body.append(dialog);
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (ev) => {
    if (ev.target === dialog || ev.target === img) dialog.close();
  });
  doc.addEventListener("click", (ev) => {
    const link = ev.target instanceof Element ? ev.target.closest<HTMLAnchorElement>("a[data-photo]") : null;
    if (!link || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
    ev.preventDefault();
    img.src = link.dataset.photo ?? link.href;
    img.alt = link.querySelector("img")?.alt ?? "Punch photo";
    dialog.showModal();
    close.focus();
  });
}

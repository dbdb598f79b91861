/** Buttons marked `data-print` open the browser's print dialog (no inline script: the CSP forbids it). */
export function installPrintButtons(doc: Document) {
  doc.addEventListener("click", (ev) => {
    if (ev.target instanceof Element && ev.target.closest("[data-print]")) window.print();
  });
}

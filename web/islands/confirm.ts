/**
 * Forms marked `data-confirm="question"` ask before they submit, in a native <dialog> (focus is
 * trapped and Escape cancels, so it is keyboard accessible). Without JavaScript they submit
 * directly; the server still requires the CSRF token and the admin role.
 */
export function installConfirmations(doc: Document) {
  const dialog = doc.createElement("dialog");
  dialog.className = "confirm-dialog";
  dialog.setAttribute("aria-labelledby", "confirm-text");
  const text = doc.createElement("p");
  text.id = "confirm-text";
  const buttons = doc.createElement("form");
  buttons.method = "dialog";
  buttons.className = "confirm-buttons";
  const cancel = doc.createElement("button");
  cancel.value = "cancel";
  cancel.className = "btn btn-plain";
  cancel.textContent = "Cancel";
  const ok = doc.createElement("button");
  ok.value = "ok";
  ok.className = "btn btn-danger";
  ok.textContent = "Confirm";
  buttons.append(cancel, ok);
  dialog.append(text, buttons);
  doc.body.append(dialog);

  let pending: HTMLFormElement | null = null;
  dialog.addEventListener("close", () => {
    const form = pending;
    pending = null;
    if (form && dialog.returnValue === "ok") form.submit();
  });
  doc.addEventListener("submit", (ev) => {
    const form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    ev.preventDefault();
    pending = form;
    text.textContent = form.dataset.confirm;
    dialog.returnValue = "";
    dialog.showModal();
    cancel.focus();
  });
}

/**
 * A refused form keeps what was typed: the error flash carries the fields (`data-refill`, written
 * by src/ui/flash.ts) and this puts them back into the form they came from, found by its action.
 * Hidden, password and file inputs are left as the page made them.
 */
interface Refill {
  action: string;
  values: Record<string, string | string[]>;
}

export function installRefill(doc: Document) {
  const flash = doc.querySelector<HTMLElement>("[data-refill]");
  if (!flash?.dataset.refill) return;
  const refill = JSON.parse(flash.dataset.refill) as Refill;
  const form = [...doc.querySelectorAll<HTMLFormElement>("form[method=post]")].find((f) => new URL(f.action, location.href).pathname === refill.action);
  if (!form) return;
  const wanted = (name: string) => {
    const v = refill.values[name];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  };
  for (const el of form.elements) {
    if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement) || !el.name) continue;
    if (el instanceof HTMLInputElement && ["hidden", "password", "file", "submit", "button"].includes(el.type)) continue;
    const values = wanted(el.name);
    if (el instanceof HTMLInputElement && (el.type === "checkbox" || el.type === "radio")) {
      // An unticked box is not sent: absent means unticked.
      el.checked = values.includes(el.value);
    } else if (el instanceof HTMLSelectElement && el.multiple) {
      for (const o of el.options) o.selected = values.includes(o.value);
    } else if (values[0] !== undefined) {
      el.value = values[0];
    }
  }
}

/**
 * Search as you type for filter boxes marked `data-suggest` (issue 13): a site of 20,000 terminals
 * cannot send them all as a `<select>`, so the box asks the server for the few that match what is
 * typed and offers them in its `<datalist>`. Without this script the box still takes a value typed in full.
 */
const WAIT_MS = 150;

interface Suggestion {
  value: string;
  label: string;
}

function isSuggestions(x: unknown): x is { items: Suggestion[] } {
  return typeof x === "object" && x !== null && Array.isArray((x as { items?: unknown }).items);
}

export function installSearchSuggest(doc: Document) {
  for (const input of doc.querySelectorAll<HTMLInputElement>("input[data-suggest]")) {
    const list = input.list;
    const url = input.dataset.suggest;
    if (!list || !url) continue;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let asked = 0;
    const ask = async () => {
      const mine = ++asked;
      const res = await fetch(`${url}?q=${encodeURIComponent(input.value.trim())}`, { headers: { accept: "application/json" } });
      if (!res.ok || mine !== asked) return;
      const body: unknown = await res.json();
      if (!isSuggestions(body) || mine !== asked) return;
      list.replaceChildren(
        ...body.items.map((s) => {
          const option = doc.createElement("option");
          option.value = String(s.value);
          option.label = String(s.label);
          option.textContent = String(s.label);
          return option;
        }),
      );
    };
    const later = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void ask().catch(() => undefined), WAIT_MS);
    };
    input.addEventListener("input", later);
    input.addEventListener("focus", later, { once: true });
  }
}

/**
 * Keeps /presence current: a punch on the dashboard's live feed (/live/events) fetches the list
 * again (once per burst) and swaps it in.
 */
const SETTLE_MS = 1000;

export function installLivePresence(doc: Document) {
  const list = doc.querySelector<HTMLElement>("[data-presence]");
  if (!list) return;
  let current = list;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const refresh = async () => {
    timer = null;
    const res = await fetch("/presence?part=list", { headers: { accept: "text/html" } });
    if (!res.ok) return;
    const next = new DOMParser().parseFromString(await res.text(), "text/html").querySelector<HTMLElement>("[data-presence]");
    if (!next) return;
    const adopted = doc.importNode(next, true);
    current.replaceWith(adopted);
    current = adopted;
  };
  const source = new EventSource("/live/events");
  source.onopen = () => doc.body.setAttribute("data-live", "live");
  source.addEventListener("punch", () => {
    if (timer === null) timer = setTimeout(() => void refresh().catch(() => undefined), SETTLE_MS);
  });
}

/**
 * Keeps the door board (/doors) live: the doors of the page shown are followed on /doors/events,
 * and each `door` event rewrites that door's online state, door state and since in place.
 */
interface DoorView {
  sn: string;
  onlineText: string;
  onlineTone: string;
  state: string;
  stateText: string;
  stateTone: string;
  sinceText: string;
}

function badge(cell: Element | null, tone: string, text: string) {
  const b = cell?.querySelector(".badge");
  if (!b) return;
  b.className = `badge badge-${tone}`;
  b.textContent = text;
}

export function installLiveDoors(doc: Document) {
  const table = doc.querySelector<HTMLElement>("[data-door-board]");
  if (!table) return;
  const sns = JSON.parse(table.dataset.sns ?? "[]") as string[];
  if (sns.length === 0) return;
  const rows = new Map<string, HTMLElement>();
  for (const tr of table.querySelectorAll<HTMLElement>("tr[data-sn]")) rows.set(tr.dataset.sn ?? "", tr);
  const source = new EventSource(`/doors/events?${new URLSearchParams(sns.map((sn) => ["sn", sn])).toString()}`);
  source.onopen = () => table.setAttribute("data-live", "live");
  source.onerror = () => table.setAttribute("data-live", "reconnecting");
  source.addEventListener("door", (ev) => {
    const v = JSON.parse((ev as MessageEvent<string>).data) as DoorView;
    const tr = rows.get(v.sn);
    if (!tr) return;
    badge(tr.querySelector('[data-cell="online"]'), v.onlineTone, v.onlineText);
    const state = tr.querySelector<HTMLElement>('[data-cell="state"]');
    badge(state, v.stateTone, v.stateText);
    state?.setAttribute("data-state", v.state);
    const since = tr.querySelector('[data-cell="since"]');
    if (since) since.textContent = v.sinceText;
  });
}

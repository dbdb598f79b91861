/**
 * Keeps the door board (/doors) live: the doors of the page shown are followed on /doors/events,
 * and each `door` event rewrites that door's online state, door state and since in place. A
 * `new-terminal` event (a terminal first seen since the page was read) is listed in the board's
 * notice, each linking to the board searched for it: a new row would not fit the page's order.
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
  const board = doc.querySelector<HTMLElement>("[data-door-board]");
  if (!board) return;
  const sns = JSON.parse(board.dataset.sns ?? "[]") as string[];
  const rows = new Map<string, HTMLElement>();
  for (const tr of board.querySelectorAll<HTMLElement>("tr[data-sn]")) rows.set(tr.dataset.sn ?? "", tr);
  const query = new URLSearchParams(sns.map((sn) => ["sn", sn]));
  query.set("since", board.dataset.since ?? "");
  const source = new EventSource(`/doors/events?${query.toString()}`);
  source.onopen = () => board.setAttribute("data-live", "live");
  source.onerror = () => board.setAttribute("data-live", "reconnecting");
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
  const notice = board.querySelector<HTMLElement>("[data-new-terminals]");
  const list = notice?.querySelector<HTMLElement>("[data-new-sns]");
  const told = new Set<string>();
  source.addEventListener("new-terminal", (ev) => {
    const t = JSON.parse((ev as MessageEvent<string>).data) as { sn: string; name: string | null };
    if (!notice || !list || told.has(t.sn)) return;
    told.add(t.sn);
    if (list.childElementCount > 0) list.append(", ");
    const a = doc.createElement("a");
    a.href = `/doors?${new URLSearchParams({ q: t.sn }).toString()}`;
    a.textContent = t.name ? `${t.name} (${t.sn})` : t.sn;
    a.setAttribute("data-new-sn", t.sn);
    list.append(a);
    notice.hidden = false;
  });
}

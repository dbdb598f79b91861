/**
 * The record filters' quick ranges (today, yesterday, this week, last month) as inclusive
 * "YYYY-MM-DD" bounds. They are calendar arithmetic on the site's date today (the site clock
 * gives it), so a DST change inside a range moves nothing; weeks start on Monday (ISO 8601).
 */
export interface DatePreset {
  label: string;
  from: string;
  to: string;
}

const iso = (t: Date) => t.toISOString().slice(0, 10);
const day = (date: string) => new Date(`${date}T00:00:00Z`);
const plusDays = (date: string, n: number) => {
  const t = day(date);
  t.setUTCDate(t.getUTCDate() + n);
  return iso(t);
};

/** `today`: the site's date, "YYYY-MM-DD". */
export function datePresets(today: string): DatePreset[] {
  const monday = plusDays(today, -((day(today).getUTCDay() + 6) % 7));
  const t = day(today);
  const lastMonthStart = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() - 1, 1));
  const lastMonthEnd = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 0));
  return [
    { label: "Today", from: today, to: today },
    { label: "Yesterday", from: plusDays(today, -1), to: plusDays(today, -1) },
    { label: "This week", from: monday, to: today },
    { label: "Last month", from: iso(lastMonthStart), to: iso(lastMonthEnd) },
  ];
}

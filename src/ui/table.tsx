/**
 * The one table every list page draws: a scrolling wrapper, column headers with `scope="col"`, one
 * row per item, and an empty state instead of a header-only table. A row edited in place puts its
 * form in one cell and ties the other cells' inputs and button to it by HTML's `form` attribute
 * (timesheets/list-views.tsx `LeaveTypeRows`).
 */
import type { Child } from "hono/jsx";

/** Attributes of a row, a cell or the table: ids and data-* hooks the tests and islands find them by. */
export type Attrs = Record<string, string | number | undefined>;

export type Column<R> = {
  /** Header text; none gives an empty header cell (the row-actions column). */
  head?: Child;
  /** Class of the header cell (`num`: a number column's head aligned with its figures). */
  headClass?: string;
  cell: (row: R) => Child;
  /** Class of each of the column's cells (mono, nowrap, row-actions…), or one per row (a tone by value). */
  class?: string | ((row: R) => string);
  /** Attributes of each of the column's cells (`data-cell`, `data-backlog`: what a live island updates). */
  attrs?: Attrs | ((row: R) => Attrs);
};

/** A column of figures, its head aligned with them. */
export function numColumn<R>(head: string, cell: (row: R) => Child): Column<R> {
  return { head, headClass: "num", class: "num", cell };
}

export function Table<R>(props: {
  /** `false`/`null` entries are columns this viewer does not get (admin-only actions). */
  columns: ReadonlyArray<Column<R> | false | null>;
  rows: readonly R[];
  /** Shown instead of the table when there are no rows; without it an empty table is drawn. */
  empty?: Child;
  /** Names the table for screen readers (aria-label) when no heading does. */
  label?: string;
  caption?: Child;
  attrs?: Attrs;
  row?: (row: R) => Attrs;
  /** Rows after the items that do not fit the columns (a summary spanning several), drawn as given. */
  tail?: Child;
  /** A printed sheet's table (a muster list, a timesheet): its own style, no scrolling wrapper. */
  sheet?: boolean;
  /**
   * At phone width each row becomes a card, its cells stacked and labelled by their column's head
   * (`data-label`), so a row's action is on screen without scrolling sideways (the door board).
   */
  cards?: boolean;
}) {
  if (props.rows.length === 0 && props.empty !== undefined) return <>{props.empty}</>;
  const columns = props.columns.filter((c): c is Column<R> => Boolean(c));
  const table = (
    <table class={props.sheet ? "sheet-table" : "table"} aria-label={props.label} {...props.attrs}>
      {props.caption ? <caption>{props.caption}</caption> : null}
      <thead>
        <tr>{columns.map((c) => (c.head === undefined ? <th scope="col" class={c.headClass} /> : <th scope="col" class={c.headClass}>{c.head}</th>))}</tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr {...props.row?.(r)}>
            {columns.map((c) => (
              <td
                class={typeof c.class === "function" ? c.class(r) : c.class}
                data-label={props.cards && typeof c.head === "string" ? c.head : undefined}
                {...(typeof c.attrs === "function" ? c.attrs(r) : c.attrs)}
              >
                {c.cell(r)}
              </td>
            ))}
          </tr>
        ))}
        {props.tail}
      </tbody>
    </table>
  );
  return props.sheet ? table : <div class={props.cards ? "table-wrap table-cards" : "table-wrap"}>{table}</div>;
}

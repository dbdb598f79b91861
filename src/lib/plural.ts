/** The noun a count takes: "record" for 1, "records" (or `many`) otherwise. */
export const nounFor = (n: number, one: string, many = `${one}s`) => (n === 1 ? one : many);

/** A count with its noun: "1 record", "2 records", "1 person", "3 people" (the page and the browser's islands share it). */
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${nounFor(n, one, many)}`;

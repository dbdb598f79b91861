/** A count with its noun: "1 record", "2 records", "1 person", "3 people" (the page and the browser's islands share it). */
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Cuts text longer than `max` characters, saying how much was cut (for what clients send: logs, stored reasons). */
export function truncateText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…[${text.length - max} more chars]`;
}

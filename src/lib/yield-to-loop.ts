/**
 * Lets timers, sockets and signals run before a loop goes on. A loop whose every await resolves
 * at once (bun:sqlite answers synchronously) otherwise never leaves the microtask queue.
 */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

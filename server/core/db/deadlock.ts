/**
 * InnoDB may roll back one of two statements or transactions that lock the same rows in
 * different orders (ER_LOCK_DEADLOCK); its manual's answer is to run it again. The victim
 * changed nothing, so running `fn` again is safe — as long as `fn` is a whole statement or a
 * whole transaction, never a statement inside a transaction someone else opened.
 * SQLite has one writer and never answers this.
 */
export async function againOnDeadlock<T>(fn: () => PromiseLike<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !isDeadlock(err)) throw err;
      // A short, jittered pause so that the winners finish before the victim tries again.
      await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
    }
  }
}

export function isDeadlock(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === "ER_LOCK_DEADLOCK";
}

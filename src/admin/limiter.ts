/**
 * Failed sign-ins, counted per key (an account and the address it is tried from, together; or one
 * address). The first `free` failures cost nothing; each one after them makes the next try wait,
 * the wait doubling from `baseMs` up to `maxMs`. A wait, never a lock: whoever knows the password gets
 * in once it is over, and nobody elsewhere can make anyone else wait. A key is forgotten `forgetMs`
 * after its last failure, or at a success. In memory: one server per database is the deployment
 * Outcry supports today; a shared store comes with PostgreSQL.
 */
export class BackoffLimiter {
  private entries = new Map<string, { failures: number; last: number; until: number }>()
  constructor(
    private opts: { free: number; baseMs: number; maxMs: number; forgetMs: number },
    private now: () => Date,
  ) {}

  private entry(key: string) {
    const e = this.entries.get(key)
    if (e && this.now().getTime() - e.last > this.opts.forgetMs) {
      this.entries.delete(key)
      return undefined
    }
    return e
  }

  /** Seconds until another try is allowed, or 0. */
  retryAfter(key: string): number {
    const e = this.entry(key)
    const left = e ? e.until - this.now().getTime() : 0
    return left > 0 ? Math.ceil(left / 1000) : 0
  }

  fail(key: string): void {
    const now = this.now().getTime()
    const e = this.entry(key) ?? { failures: 0, last: now, until: 0 }
    e.failures += 1
    e.last = now
    const over = e.failures - this.opts.free
    if (over >= 0) e.until = now + Math.min(this.opts.maxMs, this.opts.baseMs * 2 ** Math.min(over, 30))
    if (this.entries.size > 100_000) this.entries.clear()
    this.entries.set(key, e)
  }

  reset(key: string): void {
    this.entries.delete(key)
  }
}

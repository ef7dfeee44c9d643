/**
 * Counts failed logins per account and per address in a sliding window. In memory: one
 * server per database is the deployment Outcry supports today; a shared store comes with PostgreSQL.
 */
export class FailureLimiter {
  private failures = new Map<string, number[]>()
  constructor(
    private max: number,
    private windowMs: number,
    private now: () => Date,
  ) {}

  private recent(key: string): number[] {
    const cutoff = this.now().getTime() - this.windowMs
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff)
    if (list.length) this.failures.set(key, list)
    else this.failures.delete(key)
    return list
  }

  /** Seconds until another try is allowed, or 0. */
  retryAfter(key: string): number {
    const list = this.recent(key)
    if (list.length < this.max) return 0
    return Math.max(1, Math.ceil((list[0]! + this.windowMs - this.now().getTime()) / 1000))
  }

  fail(key: string): void {
    const list = this.recent(key)
    list.push(this.now().getTime())
    this.failures.set(key, list)
    if (this.failures.size > 100_000) this.failures.clear()
  }

  reset(key: string): void {
    this.failures.delete(key)
  }
}

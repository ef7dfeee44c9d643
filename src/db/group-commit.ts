import type Database from 'better-sqlite3'

interface Waiting {
  work: () => unknown
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

export interface GroupCommitOptions {
  /** Most pieces of work in one transaction. */
  maxBatch?: number
}

/**
 * Group commit: writes that arrive in the same turn of the event loop share one transaction, each in
 * a savepoint of its own. A surge's letters then share the pages they touch (the table's last page,
 * the tally's rows, the appended indexes) and one commit, instead of writing each page once per letter:
 * half the cost of a letter on this machine. Every promise settles after the commit (nothing is
 * answered before it is on disk); one piece of work failing rolls back its own savepoint only, and a
 * failed commit fails every piece of its batch.
 */
export class GroupCommit {
  private queue: Waiting[] = []
  private scheduled = false
  private readonly maxBatch: number

  constructor(
    private sqlite: Database.Database,
    opts: GroupCommitOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 64
  }

  /** Runs `work` (synchronous; its own transactions become savepoints) in the next batch. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject })
      this.schedule()
    })
  }

  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    // setImmediate: after the poll phase, so every request read in this turn joins the batch.
    setImmediate(() => this.flush())
  }

  private flush(): void {
    this.scheduled = false
    const batch = this.queue.splice(0, this.maxBatch)
    if (this.queue.length) this.schedule()
    if (batch.length === 0) return
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = []
    const all = this.sqlite.transaction(() => {
      for (const { work } of batch) {
        // A savepoint each: a failing piece undoes its own writes, not its neighbours'.
        const one = this.sqlite.transaction(work)
        try {
          outcomes.push({ ok: true, value: one() })
        } catch (error) {
          outcomes.push({ ok: false, error })
        }
      }
    })
    try {
      // Immediate: the batch takes the write lock at once rather than upgrading (and failing busy) halfway.
      all.immediate()
    } catch (error) {
      for (const w of batch) w.reject(error)
      return
    }
    batch.forEach((w, i) => {
      const outcome = outcomes[i]!
      if (outcome.ok) w.resolve(outcome.value)
      else w.reject(outcome.error)
    })
  }
}

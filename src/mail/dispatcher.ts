import type { FastifyBaseLogger } from 'fastify'
import type { Db, DbOrTx } from '../db/client.js'
import type { Clock } from '../clock.js'
import type { Mailer } from './transport.js'
import { claimDue, markSent, markRetry, markWaiting, markFailed, markExpired, nextDueAt, releaseClaims, outboxRow, toSupporter } from './outbox.js'
import { recordBounce } from './quota.js'
import type { OutboxMessage, OutboxRow } from '../db/schema/index.js'

export interface DispatcherOptions {
  batchSize?: number
  /** How long a claimed row stays ours before another dispatcher may take it. */
  leaseMs?: number
  maxAttempts?: number
  baseDelayMs?: number
  maxDelayMs?: number
  /** Longest pause while the mail server is down: a probe costs one connection, so look often. */
  maxPauseMs?: number
  /** Longest idle sleep between polls. */
  pollMs?: number
}

/** SMTP replies that will not change on retry: the mailbox or message is refused for good. */
export function isPermanent(err: unknown): boolean {
  const code = (err as { responseCode?: number }).responseCode
  return typeof code === 'number' && code >= 550 && code <= 554
}

/**
 * Whether a permanent failure says the address itself takes no mail (RFC 3463): a bad mailbox or domain
 * (5.1.x), a disabled mailbox (5.2.1), no route to the domain (5.4.4); without an enhanced status code,
 * 550, 551 or 553. Not a block of our server (5.7.x: spam, policy, DMARC), a full mailbox or a message
 * too big: those say nothing against the address, and recording them could silence every supporter at
 * one provider after one bad day. `reply` is the server's answer, or a report's Status and Diagnostic-Code;
 * a generic code (5.0.0, as Exim reports) gives way to a specific one further on.
 */
export function refusesAddress(reply: string, responseCode?: number): boolean {
  const enhanced = [...reply.matchAll(/(?<![\d.])5\.(\d{1,3})\.(\d{1,3})(?![\d.])/g)].map((m) => [Number(m[1]), Number(m[2])] as const)
  const specific = enhanced.find(([subject, detail]) => subject !== 0 || detail !== 0)
  if (specific) {
    const [subject, detail] = specific
    return subject === 1 || (subject === 2 && detail === 1) || (subject === 4 && detail === 4)
  }
  const code = responseCode ?? Number(/(?<!\d)(5\d\d)(?=[ -]|$)/m.exec(reply)?.[1])
  return code === 550 || code === 551 || code === 553
}

/**
 * Failures of the mail server as a whole rather than of one message: it cannot be reached, turns
 * connections away before any message is sent (a 421 greeting, a timeout), or refuses our login.
 * Every message would fail the same way. Failures later in a session (a 421 to MAIL FROM, a reset
 * during DATA) may be the message's own and take the per-message path, which gives up in the end.
 */
export function isServerDown(err: unknown): boolean {
  const e = err as { code?: string; command?: string }
  return e.command === 'CONN' || e.code === 'EDNS' || e.code === 'EAUTH'
}

/** Work run before each pass that may queue mail (due reminders, say); returns how many it queued. */
export type Producer = (now: Date) => number

/**
 * What a feature tells the dispatcher about one kind of mail, so the mail infrastructure never
 * imports a feature. All optional; a kind with none behaves as before.
 */
export interface MailKind {
  /**
   * Composes mail queued without its message (a letter from its row, a digest from its letters).
   * Null means it is no longer to go (its official's delivery changed): the row is withdrawn.
   */
  compose?(row: OutboxRow, now: Date): OutboxMessage | null | Promise<OutboxMessage | null>
  /** In the transaction that withdraws a row compose refused (put what it carried back to wait). */
  withdrawn?(tx: DbOrTx, row: OutboxRow, now: Date): void
  /** In the transaction that marks the row sent. */
  sent?(tx: DbOrTx, row: OutboxRow, now: Date): void
  /** In the transaction that fails the row for good: `permanent` when the server refused it (5xx). */
  failed?(tx: DbOrTx, row: OutboxRow, error: string, permanent: boolean, now: Date): void
}

export class Dispatcher {
  private producers: Producer[] = []
  private kinds = new Map<string, MailKind>()
  private running = false
  private loop: Promise<void> | null = null
  private wake: (() => void) | null = null
  private timer: NodeJS.Timeout | null = null
  /** While the mail server is down: no claims before this instant (clock ms), then one message as a probe. */
  private pausedUntil = 0
  /** Failed probes in a row; the pause doubles with each. */
  private outages = 0
  private serverError: string | null = null
  readonly opts: Required<DispatcherOptions>

  constructor(
    private db: Db,
    private mailer: Mailer,
    private clock: Clock,
    private log: FastifyBaseLogger,
    opts: DispatcherOptions = {},
  ) {
    this.opts = {
      batchSize: 50,
      leaseMs: 5 * 60_000,
      maxAttempts: 10,
      baseDelayMs: 30_000,
      maxDelayMs: 60 * 60_000,
      maxPauseMs: 5 * 60_000,
      pollMs: 1000,
      ...opts,
    }
  }

  backoff(attempts: number): number {
    return Math.min(this.opts.baseDelayMs * 2 ** Math.max(0, attempts - 1), this.opts.maxDelayMs)
  }

  /** Whether delivery is paused because the mail server is down, for the back office. */
  status(): { paused: false } | { paused: true; resumeAt: Date; error: string; outages: number } {
    if (!this.outages) return { paused: false }
    return { paused: true, resumeAt: new Date(this.pausedUntil), error: this.serverError ?? '', outages: this.outages }
  }

  addProducer(producer: Producer): void {
    this.producers.push(producer)
  }

  /** Runs the producers: queues whatever has come due. */
  produce(): number {
    let queued = 0
    for (const producer of this.producers) {
      try {
        queued += producer(this.clock())
      } catch (err) {
        this.log.error({ err }, 'producer failed')
      }
    }
    return queued
  }

  /** Claims one batch and sends it; returns how many rows were handled. */
  async runOnce(): Promise<number> {
    const rows = claimDue(this.db, this.clock(), this.claimSize(0), this.opts.leaseMs)
    await Promise.all(rows.map((row) => this.deliver(row)))
    return rows.length
  }

  /** Produces and sends until nothing is due now (tests and the stand-alone dispatcher use it). */
  async drain(): Promise<number> {
    this.produce()
    let total = 0
    for (let n = await this.runOnce(); n > 0; n = await this.runOnce()) total += n
    return total
  }

  /** Each message's own work (composing, recording) waits for the one before it and one turn of the event loop. */
  private turn: Promise<void> = Promise.resolve()

  /**
   * Waits for this message's turn. A batch is 50 messages: composed back to back they would hold the
   * event loop for tens of ms, and every letter POST arriving meanwhile would wait that long. One at a
   * time with a turn of the loop between them, requests are served between any two.
   */
  private nextTurn(): Promise<void> {
    this.turn = this.turn.then(() => new Promise<void>((resolve) => setImmediate(resolve)))
    return this.turn
  }

  private async deliver(row: OutboxRow): Promise<void> {
    await this.nextTurn()
    if (row.notAfter && row.notAfter <= this.clock()) {
      markExpired(this.db, row.id)
      this.log.info({ outboxId: row.id, kind: row.kind }, 'mail expired unsent')
      return
    }
    try {
      const kind = this.kinds.get(row.kind)
      // A row without its message is composed now, from the rows it refers to.
      const message = row.message ?? (await kind?.compose?.(row, this.clock())) ?? null
      if (!message) {
        markExpired(this.db, row.id, (tx) => kind?.withdrawn?.(tx, row, this.clock()))
        this.log.info({ outboxId: row.id, kind: row.kind }, 'mail withdrawn: nothing to send any more')
        return
      }
      // The kind decides the headers of automatic mail (Auto-Submitted); the letter to an official has none.
      // The row's id lets the transport name it in the return path (VERP), for bounces that come later.
      const result = await this.mailer.send(message, { kind: row.kind, outboxId: row.id })
      this.serverAnswered()
      await this.nextTurn()
      markSent(this.db, row, this.clock(), { raw: result.raw, subject: message.subject, then: kind?.sent })
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      if (isServerDown(err)) {
        // Not this message's fault: it waits for the server without using up its attempts, and
        // the whole queue pauses instead of trying every message against a dead server.
        const now = this.clock().getTime()
        if (now >= this.pausedUntil) {
          this.outages++
          this.serverError = message
          // Never shorter than a poll: a zero delay would turn the probe into a busy loop.
          this.pausedUntil = now + Math.max(this.opts.pollMs, Math.min(this.backoff(this.outages), this.opts.maxPauseMs))
          this.log.warn({ err: message, outages: this.outages, resumeAt: new Date(this.pausedUntil) }, 'mail server unavailable, pausing delivery')
        }
        markWaiting(this.db, row.id, message, new Date(this.pausedUntil))
        return
      }
      this.serverAnswered()
      if (isPermanent(err) || row.attempts >= this.opts.maxAttempts) {
        const permanent = isPermanent(err)
        const reply = `${message} ${(err as { response?: string }).response ?? ''}`
        const refused = permanent && refusesAddress(reply, (err as { responseCode?: number }).responseCode)
        markFailed(this.db, row.id, message, (tx) => this.failedForGood(tx, row, message, permanent, refused, this.clock()))
        this.log.error({ outboxId: row.id, kind: row.kind, attempts: row.attempts, err: message }, 'mail failed for good')
      } else {
        const retryAt = new Date(this.clock().getTime() + this.backoff(row.attempts))
        markRetry(this.db, row.id, message, retryAt)
        this.log.warn({ outboxId: row.id, kind: row.kind, attempts: row.attempts, retryAt, err: message }, 'mail failed, will retry')
      }
    }
  }

  /**
   * What a mail that failed for good leaves behind, in the transaction that fails it: its kind's own
   * `failed` hook (an official's address goes bouncing); and for mail to a supporter whose address was
   * refused, the address is recorded and gets no more campaign mail.
   */
  private failedForGood(tx: DbOrTx, row: OutboxRow, error: string, permanent: boolean, addressRefused: boolean, now: Date): 'kind' | 'address' | 'none' {
    let recorded: 'kind' | 'address' | 'none' = 'none'
    const kind = this.kinds.get(row.kind)
    if (kind?.failed) {
      kind.failed(tx, row, error, permanent, now)
      recorded = 'kind'
    }
    // Whatever a kind of mail to supporters does besides, a refused supporter's address is recorded.
    if (permanent && addressRefused && toSupporter(row.kind) && recordBounce(tx, row.recipient, error, now)) recorded = 'address'
    return recorded
  }

  /**
   * A delivery status notification that came later (npm run bounce): mail this dispatcher sent did not
   * arrive and never will. The row fails with the report's reason and its kind does what it does for a
   * permanent failure, as if the server had refused it at once. `reason` is the report's Status and
   * Diagnostic-Code. Null, and nothing changes, for a row that is not sent mail (unknown, queued, failed).
   */
  bounced(id: number, reason: string): { kind: string; recorded: 'kind' | 'address' | 'none' } | null {
    const row = outboxRow(this.db, id)
    if (!row || row.status !== 'sent') return null
    let recorded: 'kind' | 'address' | 'none' = 'none'
    markFailed(this.db, row.id, reason, (tx) => {
      recorded = this.failedForGood(tx, row, reason, true, refusesAddress(reason), this.clock())
    })
    this.log.warn({ outboxId: row.id, kind: row.kind, recorded, err: reason }, 'mail bounced after it was sent')
    return { kind: row.kind, recorded }
  }

  /** Registers what a feature does for one kind of mail (see MailKind). */
  addKind(name: string, kind: MailKind): void {
    this.kinds.set(name, kind)
  }

  /** Tells a sleeping dispatcher that mail was queued. */
  poke(): void {
    this.wake?.()
  }

  /**
   * Starts the loop. Outcry runs one dispatcher per database, so rows still marked
   * as being sent belong to a process that died: they go back to the queue now
   * rather than after their lease (at worst the batch in flight is sent twice).
   */
  start(): void {
    if (this.running) return
    const released = releaseClaims(this.db)
    if (released) this.log.warn({ released }, 'released mail claimed by a previous run')
    this.running = true
    this.loop = this.run()
  }

  /**
   * Keeps up to two batches in flight and claims the next batch as soon as one batch's worth
   * of room is free, so the SMTP pool never waits for the slowest message of a batch.
   */
  private async run(): Promise<void> {
    const inFlight = new Set<Promise<void>>()
    let lastProduced = 0
    while (this.running) {
      let claimed = 0
      try {
        if (this.clock().getTime() - lastProduced >= this.opts.pollMs) {
          lastProduced = this.clock().getTime()
          this.produce()
        }
        const room = this.claimSize(inFlight.size)
        if (room > 0) {
          const rows = claimDue(this.db, this.clock(), room, this.opts.leaseMs)
          claimed = rows.length
          for (const row of rows) {
            const sending: Promise<void> = this.deliver(row)
              .catch((err) => this.log.error({ err, outboxId: row.id }, 'recording a delivery failed'))
              .finally(() => inFlight.delete(sending))
            inFlight.add(sending)
          }
        }
      } catch (err) {
        this.log.error({ err }, 'dispatcher pass failed')
      }
      if (inFlight.size >= this.opts.batchSize * 2 || (claimed === 0 && inFlight.size > 0)) await Promise.race(inFlight)
      else if (claimed === 0 && this.running) {
        lastProduced = 0
        await this.sleep(this.paused() ? Math.min(this.opts.pollMs, this.pausedUntil - this.clock().getTime()) : this.idleDelay())
      }
    }
    await Promise.all(inFlight)
  }

  /** The server took or refused a message itself: it is up, whatever happened before. */
  private serverAnswered(): void {
    if (this.outages) this.log.warn({ outages: this.outages }, 'mail server is back, resuming delivery')
    this.outages = 0
    this.pausedUntil = 0
    this.serverError = null
  }

  private paused(): boolean {
    return this.clock().getTime() < this.pausedUntil
  }

  /**
   * How many rows to claim with `inFlight` being sent: none while paused; after a pause, one
   * message alone tells whether the server is back; otherwise a batch when a batch's worth is free.
   */
  private claimSize(inFlight: number): number {
    if (this.paused()) return 0
    if (this.outages) return inFlight === 0 ? 1 : 0
    return this.opts.batchSize * 2 - inFlight >= this.opts.batchSize ? this.opts.batchSize : 0
  }

  private idleDelay(): number {
    try {
      const due = nextDueAt(this.db)
      if (!due) return this.opts.pollMs
      return Math.max(0, Math.min(this.opts.pollMs, due.getTime() - this.clock().getTime()))
    } catch {
      return this.opts.pollMs
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        if (this.timer) clearTimeout(this.timer)
        this.wake = null
        resolve()
      }
      this.timer = setTimeout(() => this.wake?.(), ms)
    })
  }

  /** Stops claiming and waits for the batch in flight; unsent rows stay queued for the next start. */
  async stop(): Promise<void> {
    this.running = false
    this.poke()
    await this.loop
    this.loop = null
  }
}

import { and, asc, count, eq, gte, inArray, isNull, max, sql } from 'drizzle-orm'
import { DateTime } from 'luxon'
import type { Db, DbOrTx } from '../db/client.js'
import { campaigns, digests, letters, outbox, targets, type OutboxRow, type Target } from '../db/schema/index.js'
import type { MailKind } from '../mail/dispatcher.js'
import type { MailSettings } from '../mail/settings.js'
import { officialZone } from './zone.js'
import * as mails from './mail.js'

/*
 * A letter's way to its official. The letter row is the durable record of what is owed: `queued`
 * letters wait for their official's delivery mode, and a producer run by the dispatcher turns them
 * into outbox rows when they are due — paced mail for `each`, one digest a period for `digest`,
 * nothing for `hand` (organizers print a dossier). Those outbox rows hold no message: it is composed
 * from the letter row when sent, so a switch of mode or address reaches mail already queued.
 */

const HOUR = 3_600_000
/** Pacing spreads mail one by one down to a mail a second; faster than that, the hourly cap alone holds. */
const SPREAD_BELOW_MS = 1_000
const MAX_PER_PASS = 500


/** Whether `now` is inside the official's sending hours, in their own zone. */
export function inSendHours(t: Pick<Target, 'timeZone' | 'country' | 'sendHoursFrom' | 'sendHoursTo'>, now: Date): boolean {
  const hour = DateTime.fromJSDate(now, { zone: officialZone(t) }).hour
  return t.sendHoursFrom <= t.sendHoursTo ? hour >= t.sendHoursFrom && hour < t.sendHoursTo : hour >= t.sendHoursFrom || hour < t.sendHoursTo
}

/**
 * The last digest time at or before `now`: today's (or this Monday's) `digestHour` in the official's
 * zone, or the one before it.
 */
export function lastDigestTime(t: Pick<Target, 'timeZone' | 'country' | 'digestEvery' | 'digestHour'>, now: Date): Date {
  const local = DateTime.fromJSDate(now, { zone: officialZone(t) })
  let at = local.set({ hour: t.digestHour, minute: 0, second: 0, millisecond: 0 })
  if (t.digestEvery === 'week') at = at.set({ weekday: 1 })
  if (at > local) at = at.minus(t.digestEvery === 'week' ? { weeks: 1 } : { days: 1 })
  return at.toJSDate()
}

/** Jitter of 0.8–1.2 drawn from the previous mail's id, so every dispatcher agrees on the next slot. */
const jitter = (seed: number) => 0.8 + 0.4 * ((Math.sin(seed * 12.9898) * 43758.5453) % 1 + 1) % 1

export function createLetterDelivery(deps: { db: Db; mail: MailSettings }) {
  const { db, mail } = deps
  // Raw statements: `tx` below is always `db` inside one of its transactions (the same connection).
  const paceQueue = db.$client.prepare(
    `insert into outbox (kind, letter_id, recipient, message, status, next_attempt_at, created_at, attempts)
     select 'letter', id, @recipient, null, 'queued', @now, @now, 0 from letters
     where target_id = @targetId and status = 'queued' order by id limit @room`,
  )
  const paceMark = db.$client.prepare(`update letters set status = 'outgoing' where id in (select letter_id from outbox where id > @lastId and kind = 'letter')`)

  /** Officials with letters waiting whose mode mails them, and whose address is not bouncing. */
  function officialsWaiting(): Target[] {
    return db
      .select()
      .from(targets)
      .where(
        and(
          inArray(targets.delivery, ['each', 'digest']),
          eq(targets.deliveryState, 'ok'),
          sql`exists (select 1 from ${letters} where ${letters.targetId} = ${targets.id} and ${letters.status} = 'queued')`,
        ),
      )
      .all()
  }

  /** One letter to a paced official, if its slot has come: decided from what the outbox holds for that address. */
  function paceOne(tx: DbOrTx, t: Target, now: Date): number {
    if (!inSendHours(t, now)) return 0
    const officialMail = and(eq(outbox.recipient, t.email), eq(outbox.kind, 'letter'))
    const lastHour = tx.select({ n: count(), last: max(outbox.createdAt), lastId: max(outbox.id) }).from(outbox).where(and(officialMail, gte(outbox.createdAt, new Date(now.getTime() - HOUR)))).get()
    const sentLastHour = lastHour?.n ?? 0
    if (sentLastHour >= t.maxPerHour) return 0
    const interval = HOUR / t.maxPerHour
    let room = 1
    if (interval >= SPREAD_BELOW_MS) {
      // One at a time, spaced evenly with some jitter, so a ministry's server never sees a burst.
      if (lastHour?.last && lastHour.lastId && now.getTime() - lastHour.last.getTime() < interval * jitter(lastHour.lastId)) return 0
    } else {
      // A mail a second or more: finer spacing than the dispatcher's poll means nothing; the hour's cap holds.
      room = Math.min(t.maxPerHour - sentLastHour, MAX_PER_PASS)
    }
    // Two statements whatever the count (a surge queues hundreds a pass): the outbox rows for the oldest
    // waiting letters, then those letters marked outgoing — the ones that now have an outbox row.
    const queued = paceQueue.run({ recipient: t.email, now: now.getTime(), targetId: t.id, room })
    if (queued.changes === 0) return 0
    // The rows just inserted have the ids after the last one before them (one writer: the transaction is immediate).
    paceMark.run({ lastId: Number(queued.lastInsertRowid) - queued.changes })
    return queued.changes
  }

  /** The digest of the period that ended at the official's last digest time, if it holds anything new. */
  function digestOne(tx: DbOrTx, t: Target, now: Date): number {
    const due = lastDigestTime(t, now)
    const previous = tx.select({ end: max(digests.periodEnd) }).from(digests).where(eq(digests.targetId, t.id)).get()?.end ?? null
    if (previous && previous >= due) return 0
    const waiting = tx
      .select({ id: letters.id, countedAt: letters.countedAt })
      .from(letters)
      .where(and(eq(letters.targetId, t.id), eq(letters.status, 'queued'), sql`coalesce(${letters.countedAt}, ${letters.createdAt}) < ${due.getTime()}`))
      .all()
    // A digest with nothing new is not sent.
    if (waiting.length === 0) return 0
    const periodStart = previous ?? new Date(Math.min(...waiting.map((l) => l.countedAt?.getTime() ?? due.getTime())))
    const digest = tx.insert(digests).values({ campaignId: t.campaignId, targetId: t.id, periodStart, periodEnd: due, letterCount: waiting.length, createdAt: now }).returning().get()
    tx.update(letters).set({ status: 'outgoing', digestId: digest.id }).where(inArray(letters.id, waiting.map((l) => l.id))).run()
    tx.insert(outbox).values({ kind: 'digest', digestId: digest.id, recipient: t.email, message: null, status: 'queued', nextAttemptAt: now, createdAt: now }).run()
    return 1
  }

  // Prepared once: every mail to an official and every copy is composed from these three rows.
  const letterById = db.select().from(letters).where(eq(letters.id, sql.placeholder('id'))).prepare()
  const targetById = db.select().from(targets).where(eq(targets.id, sql.placeholder('id'))).prepare()
  const campaignById = db.select().from(campaigns).where(eq(campaigns.id, sql.placeholder('id'))).prepare()

  function letterOf(id: number | null) {
    if (id === null) return undefined
    const letter = letterById.get({ id })
    if (!letter) return undefined
    const target = targetById.get({ id: letter.targetId })!
    const campaign = campaignById.get({ id: letter.campaignId })!
    return { letter, target, campaign }
  }

  /** A permanent failure for an official's address: every official at it is bouncing until fixed. */
  function bouncing(tx: DbOrTx, address: string, error: string, now: Date) {
    tx.update(targets).set({ deliveryState: 'bouncing', bounceReason: error.slice(0, 500), bouncedAt: now }).where(eq(targets.email, address)).run()
  }

  /** Letters a withdrawn or failed mail carried wait again (held, while their address bounces). */
  function backToWaiting(tx: DbOrTx, row: OutboxRow) {
    if (row.kind === 'letter' && row.letterId !== null) {
      tx.update(letters).set({ status: 'queued' }).where(and(eq(letters.id, row.letterId), eq(letters.status, 'outgoing'))).run()
    }
    if (row.kind === 'digest' && row.digestId !== null) {
      tx.update(letters).set({ status: 'queued', digestId: null }).where(and(eq(letters.digestId, row.digestId), eq(letters.status, 'outgoing'))).run()
      tx.delete(digests).where(and(eq(digests.id, row.digestId), isNull(digests.sentAt))).run()
    }
  }

  const letterKind: MailKind = {
    compose(row) {
      const found = letterOf(row.letterId)
      // Erased, or its official now takes letters another way or at another address: it goes back to wait.
      if (!found || found.letter.status !== 'outgoing') return null
      const { letter, target, campaign } = found
      if (target.delivery !== 'each' || target.deliveryState !== 'ok' || target.email !== row.recipient) return null
      return mails.letterToOfficial(mail, campaign, target, letter)
    },
    withdrawn: (tx, row) => backToWaiting(tx, row),
    sent(tx, row, now) {
      if (row.letterId === null) return
      tx.update(letters).set({ status: 'sent', sentAt: now, deliveredVia: 'mail' }).where(eq(letters.id, row.letterId)).run()
    },
    failed(tx, row, error, _permanent, now) {
      // Refused for good, or never accepted after every attempt: the address does not take our mail.
      bouncing(tx, row.recipient, error, now)
      backToWaiting(tx, row)
    },
  }

  const digestKind: MailKind = {
    compose(row, now) {
      if (row.digestId === null) return null
      const digest = db.select().from(digests).where(eq(digests.id, row.digestId)).get()
      if (!digest || digest.sentAt) return null
      const target = db.select().from(targets).where(eq(targets.id, digest.targetId)).get()
      if (!target || target.delivery !== 'digest' || target.deliveryState !== 'ok' || target.email !== row.recipient) return null
      const campaign = db.select().from(campaigns).where(eq(campaigns.id, digest.campaignId)).get()!
      const included = db.select().from(letters).where(and(eq(letters.digestId, digest.id), eq(letters.status, 'outgoing'))).orderBy(asc(letters.id)).all()
      if (included.length === 0) return null
      return mails.digestToOfficial(mail, campaign, target, digest, included, now)
    },
    withdrawn: (tx, row) => backToWaiting(tx, row),
    sent(tx, row, now) {
      if (row.digestId === null) return
      tx.update(digests).set({ sentAt: now }).where(eq(digests.id, row.digestId)).run()
      tx.update(letters).set({ status: 'sent', sentAt: now, deliveredVia: 'digest' }).where(and(eq(letters.digestId, row.digestId), eq(letters.status, 'outgoing'))).run()
    },
    failed(tx, row, error, _permanent, now) {
      bouncing(tx, row.recipient, error, now)
      backToWaiting(tx, row)
    },
  }

  /** The supporter's copy of their letter, composed from the letter row when sent. */
  const copyKind: MailKind = {
    compose(row) {
      const found = letterOf(row.letterId)
      // Erased meanwhile (no address left), or no longer asked for: nothing to send.
      if (!found?.letter.supporterEmail || !found.letter.wantsCopy) return null
      return mails.letterCopy(mail, found.campaign, found.target, found.letter)
    },
  }

  return {
    kinds: { letter: letterKind, digest: digestKind, letter_copy: copyKind },

    /** The dispatcher's producer: queues every letter and digest that is due now; returns how many mails. */
    produce(now: Date): number {
      let queued = 0
      for (const t of officialsWaiting()) {
        // Immediate: several dispatchers on one database decide each slot one at a time.
        queued += db.transaction((tx) => (t.delivery === 'each' ? paceOne(tx, t, now) : digestOne(tx, t, now)), { behavior: 'immediate' })
      }
      return queued
    },
  }
}

export type LetterDelivery = ReturnType<typeof createLetterDelivery>

import crypto from 'node:crypto'
import { and, asc, eq, inArray, notInArray, or, sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/client.js'
import { campaigns, capturedMail, letterConfirmations, letters, outbox, pickets, rsvps, targets, unsubscribes, updateMailDays, updateRecipients, type OutboxMessage } from '../db/schema/index.js'
import { normalizeEmail } from '../validation.js'

/**
 * Data protection: everything Outcry keeps about one supporter, found by their (normalised) email,
 * exported as JSON, or erased. Supporters have no account: the email is the only key.
 */

export const ERASED = 'erased'
const ERASED_TEXT = '[erased]'

/**
 * What the audit log keeps instead of the address itself: an HMAC-SHA256 keyed with a secret derived
 * from SESSION_SECRET, so someone who reads the log (or a copy of the database) cannot test guessed
 * addresses against it, as they could a plain hash. The same address gives the same value, so the
 * requests about one person can still be told apart from the others.
 */
export function emailDigest(sessionSecret: string, email: string): string {
  const key = crypto.createHmac('sha256', sessionSecret).update('outcry audit: supporter email pseudonym v1').digest()
  return crypto.createHmac('sha256', key).update(normalizeEmail(email)).digest('hex')
}

/** The outbox rows about this supporter: addressed to them, or carrying one of their letters. */
function outboxWhere(email: string, letterIds: number[]) {
  const toThem = eq(sql`lower(trim(${outbox.recipient}))`, normalizeEmail(email))
  return letterIds.length ? or(toThem, inArray(outbox.letterId, letterIds)) : toThem
}

export function findSupporter(db: DbOrTx, email: string) {
  const key = normalizeEmail(email)
  const letterRows = db
    .select({
      id: letters.id,
      publicId: letters.publicId,
      campaignId: letters.campaignId,
      campaign: campaigns.title,
      official: targets.name,
      createdAt: letters.createdAt,
      status: letters.status,
      consent: letters.consent,
    })
    .from(letters)
    .innerJoin(campaigns, eq(campaigns.id, letters.campaignId))
    .innerJoin(targets, eq(targets.id, letters.targetId))
    .where(eq(letters.emailNormalized, key))
    .orderBy(asc(letters.createdAt), asc(letters.id))
    .all()
  const rsvpRows = db
    .select({
      id: rsvps.id,
      picketId: pickets.id,
      picket: pickets.title,
      city: pickets.city,
      startsAt: pickets.startsAt,
      campaign: campaigns.title,
      status: rsvps.status,
      consent: rsvps.consent,
      createdAt: rsvps.createdAt,
    })
    .from(rsvps)
    .innerJoin(pickets, eq(pickets.id, rsvps.picketId))
    .innerJoin(campaigns, eq(campaigns.id, pickets.campaignId))
    .where(eq(rsvps.emailNormalized, key))
    .orderBy(asc(rsvps.createdAt), asc(rsvps.id))
    .all()
  return { email: key, letters: letterRows, rsvps: rsvpRows }
}

/** Everything stored about them, for a subject access request. */
export function exportSupporter(db: DbOrTx, email: string, now: Date) {
  const key = normalizeEmail(email)
  const letterRows = db
    .select({ letter: letters, campaign: { id: campaigns.id, slug: campaigns.slug, title: campaigns.title }, official: { id: targets.id, name: targets.name, title: targets.title, country: targets.country } })
    .from(letters)
    .innerJoin(campaigns, eq(campaigns.id, letters.campaignId))
    .innerJoin(targets, eq(targets.id, letters.targetId))
    .where(eq(letters.emailNormalized, key))
    .orderBy(asc(letters.createdAt), asc(letters.id))
    .all()
  const rsvpRows = db
    .select({ rsvp: rsvps, picket: pickets, campaign: { id: campaigns.id, slug: campaigns.slug, title: campaigns.title } })
    .from(rsvps)
    .innerJoin(pickets, eq(pickets.id, rsvps.picketId))
    .innerJoin(campaigns, eq(campaigns.id, pickets.campaignId))
    .where(eq(rsvps.emailNormalized, key))
    .orderBy(asc(rsvps.createdAt), asc(rsvps.id))
    .all()
  const letterIds = letterRows.map((r) => r.letter.id)
  const mail = db
    .select({ kind: outbox.kind, status: outbox.status, recipient: outbox.recipient, message: outbox.message, createdAt: outbox.createdAt, sentAt: outbox.sentAt })
    .from(outbox)
    .where(outboxWhere(key, letterIds))
    .orderBy(asc(outbox.id))
    .all()
  return {
    exportedAt: now.toISOString(),
    email: key,
    letters: letterRows.map(({ letter: l, campaign, official }) => ({
      id: l.publicId,
      campaign,
      official,
      language: l.language,
      name: l.supporterName,
      email: l.supporterEmail,
      country: l.country,
      city: l.city,
      organisation: l.organisation,
      note: l.note,
      wantsCopy: l.wantsCopy,
      consent: l.consent,
      subject: l.subject,
      body: l.body,
      status: l.status,
      createdAt: l.createdAt.toISOString(),
      countedAt: l.countedAt?.toISOString() ?? null,
      sentAt: l.sentAt?.toISOString() ?? null,
    })),
    rsvps: rsvpRows.map(({ rsvp: r, picket: p, campaign }) => ({
      picket: { id: p.id, title: p.title, venue: p.venue, city: p.city, country: p.country, startsAt: p.startsAt.toISOString(), status: p.status },
      campaign,
      name: r.name,
      email: r.email,
      consent: r.consent,
      status: r.status,
      remindersStopped: r.remindersStopped,
      checkedInAt: r.checkedInAt?.toISOString() ?? null,
      createdAt: r.createdAt.toISOString(),
      waitlistedAt: r.waitlistedAt?.toISOString() ?? null,
      cancelledAt: r.cancelledAt?.toISOString() ?? null,
    })),
    mail: mail.map((m) => ({
      kind: m.kind,
      status: m.status,
      to: m.recipient,
      // Mail composed when sent (letters, digests) keeps no copy of its own.
      subject: m.message?.subject ?? null,
      createdAt: m.createdAt.toISOString(),
      sentAt: m.sentAt?.toISOString() ?? null,
    })),
    // Updates they were (or are to be) mailed, and the campaigns they asked to hear no more from.
    updates: db
      .select({ updateId: updateRecipients.updateId, campaignId: updateRecipients.campaignId, state: updateRecipients.state, language: updateRecipients.language, queuedAt: updateRecipients.queuedAt, createdAt: updateRecipients.createdAt })
      .from(updateRecipients)
      .where(eq(updateRecipients.emailNormalized, key))
      .orderBy(asc(updateRecipients.id))
      .all()
      .map((u) => ({ ...u, queuedAt: u.queuedAt?.toISOString() ?? null, createdAt: u.createdAt.toISOString() })),
    unsubscribed: db
      .select({ campaignId: unsubscribes.campaignId, createdAt: unsubscribes.createdAt })
      .from(unsubscribes)
      .where(eq(unsubscribes.emailNormalized, key))
      .all()
      .map((u) => ({ campaignId: u.campaignId, at: u.createdAt.toISOString() })),
  }
}

export type SupporterExport = ReturnType<typeof exportSupporter>

export interface ErasureResult {
  letters: number
  rsvps: number
  mailDeleted: number
  mailBlanked: number
}

/** Replaces every occurrence of the supporter's own words in text rendered from them. */
function scrub(text: string, values: (string | null)[]): string {
  let out = text
  const words = [...new Set(values.map((v) => v?.trim() ?? '').filter((v) => v.length >= 2))].sort((a, b) => b.length - a.length)
  for (const word of words) out = out.split(word).join(ERASED_TEXT)
  return out
}

/**
 * Erases a supporter inside the caller's transaction. Their letters and RSVPs stay as rows, so every
 * counter (campaigns.letters_count, targets.letters_count, pickets.going_count) is unchanged, but
 * nothing personal is left: name, email, city, organisation and note are NULL, the rendered letter
 * no longer carries their words, mail not yet sent to or about them is dropped, and mail already
 * sent keeps only its kind and date.
 */
export function eraseSupporter(tx: DbOrTx, email: string, now: Date): ErasureResult {
  const key = normalizeEmail(email)
  // A confirmation link still in their mailbox must not bring a letter back.
  tx.delete(letterConfirmations).where(eq(letterConfirmations.emailNormalized, key)).run()
  const theirLetters = tx.select().from(letters).where(eq(letters.emailNormalized, key)).all()
  for (const l of theirLetters) {
    const words = [l.note, l.supporterName, l.supporterEmail, l.organisation, l.city]
    tx.update(letters)
      .set({
        supporterName: null,
        supporterEmail: null,
        emailNormalized: null,
        city: null,
        organisation: null,
        note: null,
        subject: scrub(l.subject, words),
        body: scrub(l.body, words),
        // A letter not yet delivered is not sent scrubbed: it is withdrawn, and still counts.
        ...(l.status === 'queued' || l.status === 'outgoing' ? { status: 'withdrawn' as const } : {}),
      })
      .where(eq(letters.id, l.id))
      .run()
  }

  const theirRsvps = tx.select().from(rsvps).where(eq(rsvps.emailNormalized, key)).all()
  for (const r of theirRsvps) {
    // Nobody can be told about a place that opens up any more: a waiting-list entry is withdrawn.
    const withdraw = r.status === 'waitlisted'
    tx.update(rsvps)
      .set({
        name: null,
        email: null,
        emailNormalized: null,
        remindersStopped: true,
        ...(withdraw ? { status: 'cancelled' as const, cancelledAt: now, waitlistedAt: null } : {}),
      })
      .where(eq(rsvps.id, r.id))
      .run()
    if (withdraw) tx.update(pickets).set({ waitlistedCount: sql`${pickets.waitlistedCount} - 1` }).where(eq(pickets.id, r.picketId)).run()
  }

  // Updates' fan-out lists: where they still wait, they go; where their mail was queued or sent, the row
  // keeps its state (the update's counts) but not the address or name. Their unsubscribes stay: a
  // suppression list, so an address written again later is still not sent the updates it refused.
  tx.delete(updateRecipients).where(and(eq(updateRecipients.emailNormalized, key), eq(updateRecipients.state, 'waiting'))).run()
  tx.update(updateRecipients)
    .set({ email: null, name: null, emailNormalized: sql`'${sql.raw(ERASED)}:' || ${updateRecipients.id}` })
    .where(eq(updateRecipients.emailNormalized, key))
    .run()
  tx.delete(updateMailDays).where(eq(updateMailDays.emailNormalized, key)).run()

  const where = outboxWhere(key, theirLetters.map((l) => l.id))
  const related = tx.select({ id: outbox.id }).from(outbox).where(where).all().map((r) => r.id)
  if (related.length) tx.delete(capturedMail).where(inArray(capturedMail.outboxId, related)).run()
  tx.delete(capturedMail).where(eq(sql`lower(trim(${capturedMail.recipient}))`, key)).run()

  const mailDeleted = tx.delete(outbox).where(and(where, inArray(outbox.status, ['queued', 'failed']))).run().changes
  let mailBlanked = 0
  for (const row of tx.select().from(outbox).where(and(where, notInArray(outbox.status, ['queued', 'failed']))).all()) {
    const toThem = normalizeEmail(row.recipient) === key
    // Mail composed when sent holds nothing of its own: the letter row, scrubbed above, was its source.
    if (!row.message) {
      if (toThem) tx.update(outbox).set({ recipient: ERASED, lastError: null }).where(eq(outbox.id, row.id)).run()
      continue
    }
    const message: OutboxMessage = {
      // A letter to an official went out under the supporter's name.
      from: { name: '', address: row.message.from.address },
      to: toThem ? { address: ERASED } : { name: row.message.to.name, address: row.message.to.address },
      subject: ERASED_TEXT,
      text: '',
      html: '',
      messageId: row.message.messageId,
    }
    tx.update(outbox)
      .set({ recipient: toThem ? ERASED : row.recipient, message, lastError: null })
      .where(eq(outbox.id, row.id))
      .run()
    mailBlanked++
  }
  return { letters: theirLetters.length, rsvps: theirRsvps.length, mailDeleted, mailBlanked }
}


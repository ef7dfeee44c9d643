import type { FastifyRequest } from 'fastify'

/** The field only bots fill: hidden from people (off-screen, out of the tab order, aria-hidden). */
export const HONEYPOT_FIELD = 'website'

/** True when a submission filled the honeypot: answer as if accepted, store nothing. */
export function caughtInHoneypot(req: FastifyRequest): boolean {
  const body = req.body as Record<string, unknown> | null | undefined
  const value = body && typeof body === 'object' ? body[HONEYPOT_FIELD] : undefined
  const caught = value !== undefined && value !== null && value !== '' && value !== false
  if (caught) req.log.info({ url: req.url, ip: req.ip }, 'honeypot filled: answered as accepted, nothing stored')
  return caught
}

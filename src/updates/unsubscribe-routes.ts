import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { sendError } from '../errors.js'
import { translator } from '../i18n/index.js'
import { localize } from '../i18n/content.js'
import { useLanguage } from '../i18n/plugin.js'
import { campaignTexts, type UpdateRecipient } from '../db/schema/index.js'
import { unsubscribe, unsubscribeLink } from './mailing.js'

type TokenParams = { Params: { token: string } }

/**
 * One-click unsubscribe from a campaign's updates (RFC 8058). The link in every update mail (and its
 * List-Unsubscribe header) leads here. A GET only shows the campaign and a button: mail scanners and
 * link previewers follow links, and must change nothing. A POST unsubscribes.
 */
export default async function unsubscribeRoutes(app: FastifyInstance) {
  // RFC 8058 clients POST `List-Unsubscribe=One-Click` as urlencoded or multipart/form-data. The body
  // says nothing we need (the token in the URL is the whole request), so in this scope a multipart
  // body is taken as it is and not parsed; urlencoded goes through the app's form parser.
  if (!app.hasContentTypeParser('multipart/form-data')) app.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => done(null, { raw: body }))

  const notFound = (req: FastifyRequest, reply: FastifyReply) => sendError(req, reply, 404, (t) => t('updateMail.page.notFound'))

  /** The page in the language the supporter last used with the campaign (unless they chose one). */
  function page(req: FastifyRequest, reply: FastifyReply, token: string, recipient: UpdateRecipient, unsubscribed: boolean) {
    const campaign = app.campaigns.byId(recipient.campaignId)
    if (!campaign) return notFound(req, reply)
    useLanguage(req, reply, recipient.language)
    const t = translator(req.lang)
    const texts = localize(campaign, campaignTexts, req.lang, campaign.languages[0] ?? req.lang)
    return reply.view('updates/unsubscribe', {
      title: unsubscribed ? t('updateMail.page.doneTitle') : t('updateMail.page.askTitle'),
      campaign: { title: texts.title, lang: texts.langs.title, href: campaign.status === 'draft' ? undefined : `/campaigns/${encodeURIComponent(campaign.slug)}` },
      action: `/unsubscribe/${encodeURIComponent(token)}`,
      unsubscribed,
    })
  }

  app.get<TokenParams>('/unsubscribe/:token', async (req, reply) => {
    const found = unsubscribeLink(app.db, req.params.token)
    if (!found) return notFound(req, reply)
    return page(req, reply, req.params.token, found.recipient, found.unsubscribed)
  })

  // No CSRF token: mail clients send the one-click POST without visiting our pages first, and the
  // unguessable token in the URL is the proof that the mailbox's owner (or their mail client) asks.
  // The worst a forged request can do is stop updates to that one mailbox, which only its owner can name.
  app.post<TokenParams>('/unsubscribe/:token', async (req, reply) => {
    const done = unsubscribe(app.db, req.params.token, app.clock())
    if (!done) return notFound(req, reply)
    return page(req, reply, req.params.token, done.recipient, true)
  })
}

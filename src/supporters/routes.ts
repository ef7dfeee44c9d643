import type { FastifyInstance } from 'fastify'
import { translator } from '../i18n/index.js'

/**
 * GET /privacy: what Outcry keeps about supporters, who holds it, for how long and how to have it
 * erased — in the visitor's language, with the operator's own name and contact (ORGANISATION_NAME,
 * ORGANISATION_URL, PRIVACY_CONTACT). Every sentence describes what the code does (SECURITY.md).
 */
export default async function supporterPublicRoutes(app: FastifyInstance) {
  app.get('/privacy', async (req, reply) => {
    const t = translator(req.lang)
    const { organisation } = app.config
    return reply.view('supporters/privacy', {
      title: t('privacy.title'),
      organisation: { ...organisation, contactHref: contactHref(organisation.privacyContact) },
    })
  })
}

/** PRIVACY_CONTACT as a link: an address as mailto:, a web address as it is, anything else as text. */
function contactHref(contact: string): string | undefined {
  if (/^https?:\/\//i.test(contact)) return contact
  if (/^[^\s@]+@[^\s@]+$/.test(contact)) return `mailto:${contact}`
  return undefined
}

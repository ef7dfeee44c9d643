import type { IncomingMessage, ServerResponse } from 'node:http'
import fp from 'fastify-plugin'
import helmet, { type HelmetOptions } from 'helmet'

/**
 * Helmet's security headers on every answer. Helmet is used directly, its middleware built once:
 * @fastify/helmet builds it anew for every request (parsing the CSP each time), a tenth of the
 * campaign page's CPU. A route that needs other headers (the widget's frame-ancestors) sets them itself.
 */
export default fp(
  async (app, opts: HelmetOptions) => {
    const headers = helmet(opts)
    app.addHook('onRequest', (req, reply, done) => headers(req.raw as IncomingMessage, reply.raw as ServerResponse, (err) => done(err as Error | undefined)))
  },
  { name: 'security-headers' },
)

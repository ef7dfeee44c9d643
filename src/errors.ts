import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest, FastifyError } from 'fastify'
import { InputError } from './validation.js'

const MESSAGES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'This content type is not accepted here',
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is too large',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request body is empty; send a JSON object',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length does not match the body',
  FST_ERR_CTP_INVALID_CHARSET: 'Only UTF-8 is accepted',
  FST_CSRF_MISSING_SECRET: 'This form has expired or was not sent from this site. Please reload the page and try again.',
  FST_CSRF_INVALID_TOKEN: 'This form has expired or was not sent from this site. Please reload the page and try again.',
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  403: 'Not allowed',
  404: 'Page not found',
  409: 'Not possible now',
  410: 'Link expired',
  413: 'Too large',
  415: 'Unsupported content type',
  422: 'Please check the form',
  429: 'Too many requests',
  503: 'Temporarily unavailable',
}

export function wantsJson(req: FastifyRequest): boolean {
  return req.url.startsWith('/api/') || req.url === '/health'
}

/** One place that turns any failure into a page or a JSON error, never a stack trace. */
export async function sendError(req: FastifyRequest, reply: FastifyReply, status: number, message: string, extra: Record<string, unknown> = {}) {
  reply.code(status)
  if (wantsJson(req)) return reply.send({ error: message, ...extra })
  try {
    return await reply.view('errors/message', { title: TITLES[status] ?? 'Something went wrong', message, status })
  } catch {
    return reply.type('text/plain; charset=utf-8').send(message)
  }
}

export default fp(
  async (app) => {
    app.setErrorHandler(async (err: FastifyError, req, reply) => {
      if (err instanceof InputError) {
        return sendError(req, reply, 422, 'Invalid input', { issues: err.issues })
      }
      const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500
      if (status >= 500) {
        req.log.error({ err }, 'request failed')
        const busy = /SQLITE_(BUSY|FULL|READONLY|IOERR|CANTOPEN)/.test(String(err.code ?? err.message))
        return sendError(
          req,
          reply,
          busy ? 503 : status,
          busy ? 'We cannot save anything right now. Please try again in a few minutes.' : 'Something went wrong on our side. Please try again.',
        )
      }
      if (status === 429) reply.header('retry-after', reply.getHeader('retry-after') ?? 60)
      const message = MESSAGES[err.code] ?? (status === 429 ? 'Too many requests from your address. Please wait a minute and try again.' : err.message)
      return sendError(req, reply, status, message)
    })
    app.setNotFoundHandler(async (req, reply) => sendError(req, reply, 404, 'There is nothing at this address.'))
  },
  { name: 'errors' },
)

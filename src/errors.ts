import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest, FastifyError } from 'fastify'
import type { TFunction } from 'i18next'
import { InputError, translateMessage } from './validation.js'
import { translator } from './i18n/index.js'

/** What went wrong: a text as it is, or a catalog message, `(t) => t('errors.noCampaign')`, in the request's language. */
export type ErrorMessage = string | ((t: TFunction) => string)

const EXPIRED_FORM = (t: TFunction) => t('errors.expiredForm')
const MESSAGES: Record<string, (t: TFunction) => string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (t) => t('errors.mediaType'),
  FST_ERR_CTP_BODY_TOO_LARGE: (t) => t('errors.bodyTooLarge'),
  FST_ERR_CTP_INVALID_JSON_BODY: (t) => t('errors.invalidJson'),
  FST_ERR_CTP_EMPTY_JSON_BODY: (t) => t('errors.emptyJson'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: (t) => t('errors.contentLength'),
  FST_ERR_CTP_INVALID_CHARSET: (t) => t('errors.charset'),
  FST_CSRF_MISSING_SECRET: EXPIRED_FORM,
  FST_CSRF_INVALID_TOKEN: EXPIRED_FORM,
}

const TITLES: Record<number, (t: TFunction) => string> = {
  400: (t) => t('errors.title.badRequest'),
  403: (t) => t('errors.title.forbidden'),
  404: (t) => t('errors.title.notFound'),
  409: (t) => t('errors.title.conflict'),
  410: (t) => t('errors.title.expired'),
  405: (t) => t('errors.title.methodNotAllowed'),
  413: (t) => t('errors.title.tooLarge'),
  415: (t) => t('errors.title.mediaType'),
  422: (t) => t('errors.title.invalid'),
  429: (t) => t('errors.title.tooMany'),
  503: (t) => t('errors.title.unavailable'),
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route (method and pattern), gathered as they are added (src/app.ts). */
    routeList: { method: string; url: string }[]
  }
}

const patterns = new WeakMap<object, { method: string; pattern: RegExp; fixed: number }[]>()

function compiled(routes: { method: string; url: string }[]) {
  let list = patterns.get(routes)
  if (!list || list.length !== routes.length) {
    const escape = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    list = routes.map((r) => {
      const segments = r.url.split('/')
      return {
        method: r.method,
        pattern: new RegExp('^' + segments.map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : escape(seg))).join('/') + '/?$'),
        fixed: segments.filter((seg) => seg && !seg.startsWith(':') && seg !== '*').length,
      }
    })
    patterns.set(routes, list)
  }
  return list
}

/**
 * The methods a path answers to, from the route patterns (`:id` a segment, `*` the rest). With
 * `specific`, only the routes naming the most of it literally (…/targets/import over …/targets/:targetId).
 */
export function allowedMethods(routes: { method: string; url: string }[], url: string, specific = false): string[] {
  const path = url.split('?')[0]
  let matching = compiled(routes).filter((r) => r.pattern.test(path))
  if (specific && matching.length) {
    const most = Math.max(...matching.map((r) => r.fixed))
    matching = matching.filter((r) => r.fixed === most)
  }
  const methods = new Set(matching.map((r) => r.method))
  if (methods.has('GET')) methods.add('HEAD')
  return [...methods].sort()
}

async function methodNotAllowed(req: FastifyRequest, reply: FastifyReply, allow: string[]) {
  reply.header('allow', allow.join(', '))
  return sendError(req, reply, 405, (t) => t('errors.methodNotAllowed', { allow: allow.join(', ') }))
}

export function wantsJson(req: FastifyRequest): boolean {
  return req.url.startsWith('/api/') || req.url === '/health'
}

/**
 * One place that turns any failure into a page or a JSON error, never a stack trace. Catalog messages
 * and the page's title are in the request's language (English unless the visitor chose another).
 */
export async function sendError(req: FastifyRequest, reply: FastifyReply, status: number, message: ErrorMessage, extra: Record<string, unknown> = {}) {
  reply.code(status)
  const t = translator(req.lang ?? 'en')
  const text = typeof message === 'function' ? message(t) : message
  if (wantsJson(req)) {
    // Field issues that are catalog messages follow the language too; others stay as written.
    const issues = Array.isArray(extra.issues) && req.lang && req.lang !== 'en' ? (extra.issues as { message?: unknown }[]).map((i) => (typeof i.message === 'string' ? { ...i, message: translateMessage(i.message, req.lang) } : i)) : extra.issues
    return reply.send({ error: text, ...extra, ...(issues ? { issues } : {}) })
  }
  try {
    return await reply.view('errors/message', { title: (TITLES[status] ?? ((t: TFunction) => t('errors.title.other')))(t), message: text, status })
  } catch {
    return reply.type('text/plain; charset=utf-8').send(text)
  }
}

export default fp(
  async (app) => {
    app.setErrorHandler(async (err: FastifyError, req, reply) => {
      if (err instanceof InputError) {
        // A path parameter refused where the path names another operation literally
        // (GET …/targets/import read as …/targets/:targetId): that path does not take this method.
        if ((err as { validationContext?: string }).validationContext === 'params' && req.url.startsWith('/api/')) {
          const allow = allowedMethods(req.server.routeList ?? [], req.url, true)
          if (allow.length && !allow.includes(req.method)) return methodNotAllowed(req, reply, allow)
        }
        return sendError(req, reply, 422, (t) => t('errors.invalidInput'), { issues: err.issues })
      }
      const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500
      if (status >= 500) {
        req.log.error({ err }, 'request failed')
        const busy = /SQLITE_(BUSY|FULL|READONLY|IOERR|CANTOPEN)/.test(String(err.code ?? err.message))
        return sendError(req, reply, busy ? 503 : status, busy ? (t) => t('errors.busy') : (t) => t('errors.failed'))
      }
      if (status === 429) reply.header('retry-after', reply.getHeader('retry-after') ?? 60)
      const message: ErrorMessage = MESSAGES[err.code] ?? (status === 429 ? (t) => t('errors.tooMany') : err.message)
      return sendError(req, reply, status, message)
    })
    app.setNotFoundHandler(async (req, reply) => {
      // An API path that exists under other methods: 405 with Allow (RFC 9110), as HTTP clients and
      // Schemathesis expect; pages keep the plain 404.
      const allow = req.url.startsWith('/api/') ? allowedMethods(req.server.routeList ?? [], req.url) : []
      // A route that exists for this method and found nothing (reply.callNotFound()) stays a 404.
      if (allow.length && !allow.includes(req.method)) return methodNotAllowed(req, reply, allow)
      return sendError(req, reply, 404, (t) => t('errors.nothingHere'))
    })
  },
  { name: 'errors' },
)

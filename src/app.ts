import { createRequire } from 'node:module'
import path from 'node:path'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import formbody from '@fastify/formbody'
import cookie from '@fastify/cookie'
import csrf from '@fastify/csrf-protection'
import securityHeaders from './security-headers.js'
import rateLimit from '@fastify/rate-limit'
import fastifyStatic from '@fastify/static'
import type { Config } from './config.js'
import { systemClock, type Clock } from './clock.js'
import { publicDir } from './paths.js'
import { loadAssets } from './views/assets.js'
import dbPlugin from './db/plugin.js'
import viewsPlugin from './views/plugin.js'
import i18nPlugin from './i18n/plugin.js'
import mailPlugin from './mail/plugin.js'
import errorsPlugin from './errors.js'
import adminPlugin from './admin/plugin.js'
import adminApiPlugin from './admin/api-plugin.js'
import type { Feature } from './feature.js'
import { campaignsFeature } from './campaigns/feature.js'
import { createCampaignService } from './campaigns/service.js'
import { lettersFeature } from './letters/feature.js'
import { createLetterService } from './letters/service.js'
import { createLetterDelivery } from './letters/delivery.js'
import { picketsFeature } from './pickets/feature.js'
import { reportsFeature } from './reports/feature.js'
import { supportersFeature } from './supporters/feature.js'
import { mailFeature } from './mail/feature.js'
import { updatesFeature } from './updates/feature.js'
import { createUpdateService } from './updates/service.js'
import { createUpdateMailing } from './updates/mailing.js'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { jsonSerializerCompiler, openApiDocument, openApiTransform, zodValidatorCompiler } from './openapi.js'
import { createPicketService } from './pickets/service.js'
import { mailSettings } from './mail/settings.js'
import type { Mailer } from './mail/transport.js'
import type { DispatcherOptions } from './mail/dispatcher.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    clock: Clock
  }
}

export interface AppOptions {
  clock?: Clock
  /** Replace the mailer built from config (tests). */
  mailer?: Mailer
  /** Start the background dispatcher with the app (default: config.dispatcher). */
  startDispatcher?: boolean
  dispatcher?: DispatcherOptions
  logger?: FastifyServerOptions['logger']
}

const require = createRequire(import.meta.url)
const picoDir = path.join(path.dirname(require.resolve('@picocss/pico/package.json')), 'css')

/** The composition root: wires plugins and features. It never listens; src/server.ts does. */
export async function buildApp(config: Config, opts: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // Logged URLs and messages carry no token (letter confirmation, RSVP, invitation) and no email
    // address: those parts become "…". Applied to a logger handed in as options too (tests).
    logger:
      opts.logger === false
        ? false
        : (() => {
            const hide = (text: string) =>
              text
                .replace(/(\/(?:letters\/confirm|rsvps|admin\/invitations)\/)[^/?#\s]+/g, '$1…')
                .replace(/[^\s/?#&=:;,"'<>]+(?:@|%40)[^\s/?#&;,"'<>]+/gi, '…')
                .replace(/([?&](?:token|email)=)[^&#\s]*/gi, '$1…')
            return {
              level: config.logLevel,
              ...(typeof opts.logger === 'object' ? opts.logger : {}),
              serializers: {
                req: (req: { method: string; url: string; host: string; ip: string; socket?: { remotePort?: number } }) => ({ method: req.method, url: hide(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort }),
              },
              hooks: {
                logMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void) {
                  // The message, and the text fields beside it (a URL, a mail server's answer naming the recipient).
                  const clean = (a: unknown) =>
                    typeof a === 'string' ? hide(a) : a && typeof a === 'object' && !(a instanceof Error) ? Object.fromEntries(Object.entries(a).map(([k, v]) => [k, typeof v === 'string' ? hide(v) : v])) : a
                  method.apply(this, args.map(clean))
                },
              },
            }
          })(),
    trustProxy: config.trustProxy,
    // Slow or idle clients must not hold sockets forever.
    connectionTimeout: 30_000,
    requestTimeout: 30_000,
    keepAliveTimeout: 10_000,
    bodyLimit: 256 * 1024,
  })
  const clock = opts.clock ?? systemClock
  app.decorate('config', config)
  app.decorate('clock', clock)

  await app.register(errorsPlugin)
  await app.register(dbPlugin, { path: config.databasePath })
  await app.register(formbody)
  await app.register(cookie, { secret: config.sessionSecret })
  await app.register(csrf, {
    cookieOpts: { signed: true, httpOnly: true, sameSite: 'lax', path: '/', secure: config.env === 'production' },
  })
  await app.register(securityHeaders, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameSrc: ["'self'"],
        frameAncestors: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
      },
    },
    strictTransportSecurity: config.env === 'production',
  })
  await app.register(rateLimit, { global: false })
  await app.register(fastifyStatic, { root: publicDir, prefix: '/assets/', maxAge: '1h' })
  await app.register(fastifyStatic, { root: picoDir, prefix: '/assets/pico/', decorateReply: false, maxAge: '1d' })
  await app.register(viewsPlugin, {
    production: config.env !== 'development',
    assets: loadAssets([
      { dir: publicDir, prefix: '/assets/' },
      // Of Pico's many themes, the one the layout links.
      { dir: picoDir, prefix: '/assets/pico/', only: ['pico.min.css'] },
    ]),
    defaultContext: { mailboxEnabled: !config.smtpUrl && config.env !== 'production' },
  })
  // After the views: @fastify/view empties reply.locals at the start of each request.
  await app.register(i18nPlugin)
  await app.register(mailPlugin, {
    mailer: opts.mailer,
    start: opts.startDispatcher ?? config.dispatcher,
    dispatcher: opts.dispatcher,
  })

  const mail = mailSettings(config)
  const onMailQueued = () => app.dispatcher.poke()
  const campaigns = createCampaignService(app.db, { now: clock, publicCountDelayMs: config.publicCountDelay * 1000 })
  app.decorate('campaigns', campaigns)
  app.decorate('letters', createLetterService({ db: app.db, clock, mail, campaigns, onMailQueued }))
  app.decorate('pickets', createPicketService({ db: app.db, clock, mail, campaigns, publicCountDelay: config.publicCountDelay, onMailQueued }))
  app.dispatcher.addProducer((now) => app.pickets.queueDueReminders(now))
  // Letters reach their officials paced, in digests or by hand (src/letters/delivery.ts).
  const delivery = createLetterDelivery({ db: app.db, mail })
  for (const [kind, handler] of Object.entries(delivery.kinds)) app.dispatcher.addKind(kind, handler)
  app.dispatcher.addProducer((now) => delivery.produce(now))
  // Updates go to supporters who consented, paced so a fan-out never crowds out letters and reminders.
  const updateMailing = createUpdateMailing({ db: app.db, clock, mail, campaigns, perMinute: config.updateMailPerMinute, organisation: config.organisation })
  for (const [kind, handler] of Object.entries(updateMailing.kinds)) app.dispatcher.addKind(kind, handler)
  app.dispatcher.addProducer((now) => updateMailing.produce(now))
  app.decorate('updates', createUpdateService({ db: app.db, clock, campaigns, mailing: updateMailing, onMailQueued }))

  // Every route, for the access test that walks them all.
  const routes: { method: string; url: string }[] = []
  app.decorate('routeList', routes)
  app.addHook('onRoute', (route) => {
    for (const method of ([] as string[]).concat(route.method)) if (method !== 'HEAD') routes.push({ method, url: route.url })
  })

  // The JSON APIs validate with their zod schemas, and the document is made from the same objects (src/openapi.ts).
  app.setValidatorCompiler(zodValidatorCompiler)
  app.setSerializerCompiler(jsonSerializerCompiler)
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Outcry API',
        version: '1',
        description:
          'The organizers\' API (`/api/admin/…`: campaigns, officials, templates, pickets, offline letters, updates, tallies and exports; authenticate with `Authorization: Bearer oc_…`, tokens are created on /admin/tokens or with `npm run token:create`) and the public API (`/api/campaigns/…`, `/api/pickets/…`: what a campaign\'s page shows, writing a letter, RSVPs; no token). Errors answer `{"error": "…"}`; a 422 lists each wrong field in `issues` with its path. Messages follow `?lang=` or `Accept-Language` (English by default).',
      },
      tags: [
        { name: 'public', description: 'What anyone may read or do without a token, as on the campaign\'s pages' },
        { name: 'account', description: 'The token\'s user' },
        { name: 'campaigns' },
        { name: 'targets', description: 'Officials the letters go to' },
        { name: 'templates', description: 'Letter templates, one per language' },
        { name: 'pickets' },
        { name: 'offline letters' },
        { name: 'hand delivery' },
        { name: 'updates' },
        { name: 'tallies' },
        { name: 'exports' },
      ],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    // Only /api/… is documented; zod schemas become JSON Schema there.
    transform: openApiTransform,
    transformObject: openApiDocument as never,
  })
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    // Swagger UI sets inline styles as it renders; the docs page holds no user content.
    transformStaticCSP: (header) => header.replace(/style-src [^;]*/, "style-src 'self' 'unsafe-inline'"),
  })

  app.get('/health', async (_req, reply) => {
    if (app.dbHealthy()) return { status: 'ok' }
    return reply.code(503).send({ status: 'unavailable', error: 'The database does not answer' })
  })

  // Each feature brings its public routes, back-office screens and API; the admin shell guards the last two.
  const features: Feature[] = [
    campaignsFeature,
    lettersFeature,
    picketsFeature,
    reportsFeature,
    supportersFeature,
    mailFeature,
    updatesFeature,
  ]
  for (const feature of features) if (feature.routes) await app.register(feature.routes)
  await app.register(adminPlugin, { prefix: '/admin', screens: features.flatMap((f) => f.admin ?? []) })
  await app.register(adminApiPlugin, { prefix: '/api/admin', routes: features.flatMap((f) => f.api ?? []) })
  return app
}

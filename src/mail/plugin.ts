import fp from 'fastify-plugin'
import { Dispatcher, type DispatcherOptions } from './dispatcher.js'
import { captureMailer, smtpMailer, type Mailer } from './transport.js'
import { mailSettings } from './settings.js'
import { keepBounces } from './quota.js'

declare module 'fastify' {
  interface FastifyInstance {
    dispatcher: Dispatcher
    mailer: Mailer
  }
}

export default fp(
  async (app, opts: { mailer?: Mailer; start: boolean; dispatcher?: DispatcherOptions }) => {
    const transport = { dkim: app.config.dkim, bounceDomain: app.config.bounceDomain }
    const mailer = opts.mailer ?? (app.config.smtpUrl ? smtpMailer(app.config.smtpUrl, transport) : captureMailer(transport))
    // Supporters' addresses that bounced for good are recorded and skipped, keyed like the anonymous-mail cap.
    keepBounces(app.db, mailSettings(app.config).addressKey)
    const dispatcher = new Dispatcher(app.db, mailer, app.clock, app.log.child({ component: 'dispatcher' }), opts.dispatcher)
    app.decorate('mailer', mailer)
    app.decorate('dispatcher', dispatcher)
    if (opts.start) app.addHook('onReady', async () => dispatcher.start())
    // Runs before the database closes (hooks run in reverse order of registration).
    app.addHook('onClose', async () => {
      await dispatcher.stop()
      mailer.close()
    })
  },
  { name: 'mail', dependencies: ['db'] },
)

// Floor 1: a bare fastify server with one hello-world route. Nothing a page could do is cheaper.
// GET /page answers PAGE_BYTES of HTML, as big as the campaign page: what sending those bytes costs alone.
import Fastify from 'fastify'

const page = '<!doctype html>' + 'x'.repeat(Math.max(0, Number(process.env.PAGE_BYTES ?? 0) - 15))
const app = Fastify({ logger: false })
app.get('/', async () => ({ hello: 'world' }))
app.get('/page', async (_req, reply) => reply.type('text/html; charset=utf-8').send(page))

await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' })
process.on('SIGTERM', () => {
  app.close().then(() => process.exit(0))
})

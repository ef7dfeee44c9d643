// The start-up floor: node and fastify answering one route, plain JavaScript as the built server is.
// Its time to first answer and idle RSS are what any Outcry start-up is compared with.
import Fastify from 'fastify'

const app = Fastify({ logger: false })
app.get('/health', async () => ({ status: 'ok' }))
await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' })
process.on('SIGTERM', () => {
  app.close().then(() => process.exit(0))
})

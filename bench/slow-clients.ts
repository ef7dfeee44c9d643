// Fault script (issue 6, part 5): 500 idle or trickling connections must not stop others being served.
//   npm run fault:slow-clients
// Starts Outcry on a temporary database, opens 500 sockets that send half a request and then
// stall, and meanwhile times ordinary requests from a well-behaved client. Prints what it checked.
import net from 'node:net'
import path from 'node:path'
import { freePort, machine, outcryEnv, runToEnd, startOutcry, tempDir } from './harness.js'

const SLOW = Number(process.env.SLOW_CLIENTS ?? 500)
const tmp = tempDir('outcry-slow-')
const port = await freePort()
// No SMTP_URL: nothing here sends mail (unset, mail would be captured locally).
const env = outcryEnv(port, path.join(tmp, 'o.db'), '')
await runToEnd('seed', 'src/cli/seed-demo.ts', { ...env, DEMO_CONFIRM: 'off', DEMO_PACE: 'off' })
const { base } = await startOutcry(env)

async function timed(url: string): Promise<number> {
  const t = performance.now()
  const res = await fetch(url)
  await res.text()
  if (!res.ok) throw new Error(`${url}: ${res.status}`)
  return performance.now() - t
}

const quiet = [] as number[]
for (let i = 0; i < 20; i++) quiet.push(await timed(`${base}/campaigns/zhanaozen`))

// Half a request each, then nothing: the classic slowloris.
const sockets: net.Socket[] = []
let closedByServer = 0
for (let i = 0; i < SLOW; i++) {
  const s = net.connect(port, '127.0.0.1')
  s.on('error', () => {})
  s.on('close', () => closedByServer++)
  s.write(`GET /campaigns/zhanaozen HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${i}\r\n`)
  sockets.push(s)
}
await new Promise((r) => setTimeout(r, 1000))
const loaded = [] as number[]
for (let i = 0; i < 50; i++) loaded.push(await timed(i % 2 ? `${base}/campaigns/zhanaozen` : `${base}/api/campaigns/zhanaozen/tally`))

// The server's own timeouts must reap the stalled sockets: wait past them.
const opened = performance.now()
while (closedByServer < SLOW && performance.now() - opened < 40_000) await new Promise((r) => setTimeout(r, 500))

const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!.toFixed(1)
console.log(`machine: ${machine()}`)
console.log(`before: 20 page requests, p50 ${p(quiet, 0.5)} ms, max ${p(quiet, 1)} ms`)
console.log(`with ${SLOW} stalled half-requests open: 50 requests all answered, p50 ${p(loaded, 0.5)} ms, max ${p(loaded, 1)} ms`)
console.log(`stalled connections closed by the server within ${((performance.now() - opened) / 1000).toFixed(0)} s: ${closedByServer} of ${SLOW} (requestTimeout and connectionTimeout are 30 s)`)
const ok = Number(p(loaded, 1)) < 1000 && closedByServer === SLOW
console.log(`others still served promptly (max under 1 s) and every stalled socket reaped: ${ok ? 'PASS' : 'FAIL'}`)
for (const s of sockets) s.destroy()
process.exit(ok ? 0 : 1)

// Where a letter POST and a campaign page GET spend their CPU: the built server under load with
// `--cpu-prof`, the samples of the loaded window summed by function and by module (self time).
//
//   npm run bench:profile                  # 8 s of load per path
//   BENCH_DURATION=4 npm run bench:profile
//
// Knobs: BENCH_DURATION (8), BENCH_CONNECTIONS (20), BENCH_TOP rows per table (15),
// BENCH_KEEP=1 keeps the .cpuprofile files (open them in Chrome's DevTools, Performance tab).
import fs from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import autocannon from 'autocannon'
import { build, freePort, machine, outcryEnv, positive, runToEnd, startOutcry, startSink, stopChild, tempDir } from './harness.js'

const SLUG = 'zhanaozen'
const DURATION = positive('BENCH_DURATION', 8)
const CONNECTIONS = positive('BENCH_CONNECTIONS', 20)
const TOP = positive('BENCH_TOP', 15)
const tmp = tempDir('outcry-profile-')

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

/** Self time (ms) per function and per module within [from, to] ms after the profile's start. */
function summarize(profile: CpuProfile, from: number, to: number) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  /** The innermost frame of our own code above a sample: which of our functions a library's time served. */
  const oursAbove = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame
      if (/\/(dist|src)\//.test(f.url) && !f.url.includes('node_modules')) return `${f.functionName || '(anonymous)'} ${moduleOf(f.url, '')}:${f.lineNumber + 1}`
    }
    return '(not under our code)'
  }
  const ours = new Map<string, number>()
  const fns = new Map<string, number>()
  const modules = new Map<string, number>()
  let t = 0
  let total = 0
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]! / 1000
    if (t < from || t > to) continue
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000
    const node = byId.get(profile.samples[i]!)!
    const { functionName, url, lineNumber } = node.callFrame
    if (functionName === '(idle)') continue
    total += dt
    const where = moduleOf(url, functionName)
    const fn = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`
    fns.set(fn, (fns.get(fn) ?? 0) + dt)
    modules.set(where, (modules.get(where) ?? 0) + dt)
    const mine = oursAbove(node.id)
    ours.set(mine, (ours.get(mine) ?? 0) + dt)
  }
  return { total, fns, modules, ours }
}

/** A package name, a file of ours, node's internals, or V8's own (garbage collection, the compiler). */
function moduleOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)'
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pkg) return pkg[1]!
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0]
  const ours = /\/(dist|src)\/(.+)$/.exec(url)
  if (ours) return ours[2]!
  return url
}

function print(title: string, s: ReturnType<typeof summarize>, requests: number) {
  const row = (name: string, ms: number) =>
    `  ${(ms / requests * 1000).toFixed(1).padStart(7)} µs/req  ${((ms / s.total) * 100).toFixed(1).padStart(5)}%  ${name}`
  const top = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, TOP)
  console.log(`\n${title}: ${requests} requests, ${s.total.toFixed(0)} ms of CPU samples = ${((s.total / requests) * 1000).toFixed(0)} µs per request`)
  console.log(' by module (self time):')
  for (const [name, ms] of top(s.modules)) console.log(row(name, ms))
  console.log(' by function (self time):')
  for (const [name, ms] of top(s.fns)) console.log(row(name, ms))
  console.log(' by our innermost function (its own time and the libraries it called):')
  for (const [name, ms] of top(s.ours)) console.log(row(name, ms))
}

let n = 0
const letterBody = () => {
  n++
  return JSON.stringify({ name: `Profile Supporter ${n}`, email: `profile-${n}@example.org`, country: 'GB', city: 'Leeds', targetId: 1 })
}

async function profile(label: string, request: autocannon.Request) {
  const sink = await startSink()
  const port = await freePort()
  const databasePath = path.join(tmp, `${label}.db`)
  const env = outcryEnv(port, databasePath, sink.url, process.env.PROFILE_DISPATCHER ? { DISPATCHER: process.env.PROFILE_DISPATCHER } : {})
  await runToEnd('seed', 'src/cli/seed-demo.ts', { ...env, DEMO_CONFIRM: 'off', DEMO_PACE: 'off' })
  const dir = path.join(tmp, label)
  const spawned = performance.now()
  const outcry = await startOutcry(env, label, ['--cpu-prof', `--cpu-prof-dir=${dir}`])
  // A second of load first: V8 optimizes the hot code, as in a server that has run for a while.
  await run(outcry.base, request, 2)
  const from = performance.now() - spawned
  const result = await run(outcry.base, request, DURATION)
  const to = performance.now() - spawned
  await stopChild(outcry.child)
  await stopChild(sink.child)
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
  if (!file) throw new Error(`${label}: no .cpuprofile was written in ${dir}`)
  const data = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile
  if (process.env.BENCH_DEBUG) console.log({ from, to, profileMs: (data.endTime - data.startTime) / 1000, samples: data.samples.length })
  // The profile starts as the process does, a few ms after spawn: the window is approximate by that much.
  print(`${label} (${result.requests.average.toFixed(0)} req/s, p99 ${result.latency.p99} ms)`, summarize(data, from, to), result.requests.total)
  if (process.env.BENCH_KEEP === '1') console.log(`  profile: ${path.join(dir, file)}`)
}

function run(base: string, request: autocannon.Request, seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) =>
    autocannon({ url: base, connections: CONNECTIONS, duration: seconds, requests: [request] }, (err, result) => (err ? reject(err) : resolve(result))),
  )
}

console.log(`Outcry CPU profile of the hot paths (built server, ${CONNECTIONS} connections, ${DURATION} s each)`)
console.log(`machine: ${machine()}`)
build()
await profile('letter POST', {
  method: 'POST',
  path: `/api/campaigns/${SLUG}/letters`,
  headers: { 'content-type': 'application/json' },
  setupRequest: (req) => ({ ...req, body: letterBody() }),
})
await profile('campaign page GET', { method: 'GET', path: `/campaigns/${SLUG}` })
process.exit(0)

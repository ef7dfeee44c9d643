// What the benchmarks and fault scripts share: Outcry and its helpers as child processes, free
// ports, and a loopback SMTP sink that counts repeated Message-IDs.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = fileURLToPath(new URL('..', import.meta.url))
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export function positive(name: string, fallback: number): number {
  const n = Number(process.env[name] ?? fallback)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`)
  return n
}

export function nonNegative(name: string, fallback: number): number {
  const n = Number(process.env[name] ?? fallback)
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be zero or more`)
  return n
}

export function machine(): string {
  const cpus = os.cpus()
  return `${cpus.length} CPUs, ${cpus[0]?.model.trim() ?? 'unknown'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.release()}, node ${process.version}`
}

// ---------------------------------------------------------------- temporary directory and cleanup

export interface Child {
  name: string
  proc: ChildProcess
  /** The last lines the child wrote, to explain a failed start. */
  tail: string[]
}

const children = new Set<Child>()
const tmpDirs: string[] = []
const exitHooks: (() => void)[] = []

/** A directory removed at exit, unless BENCH_KEEP=1. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  tmpDirs.push(dir)
  return dir
}

/** Work to do synchronously at exit, before the temporary directories go (unmounting, say). */
export function onExit(hook: () => void): void {
  exitHooks.push(hook)
}

export function running(c: Child): boolean {
  return c.proc.exitCode === null && c.proc.signalCode === null
}

process.on('exit', () => {
  for (const c of children) if (running(c)) c.proc.kill('SIGKILL')
  for (const hook of exitHooks) {
    try {
      hook()
    } catch {
      // best effort
    }
  }
  if (process.env.BENCH_KEEP === '1') {
    if (tmpDirs.length) console.log(`kept: ${tmpDirs.join(' ')}`)
    return
  }
  for (const dir of tmpDirs) {
    try {
      fs.rmSync(dir, { recursive: true, force: true })
    } catch {
      // best effort
    }
  }
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping the servers`)
    process.exit(130)
  })
}

// ---------------------------------------------------------------- child processes

/**
 * Runs a file from the project root (TypeScript with `node --import tsx`, built JavaScript as it is);
 * relays its output to stderr. `nodeArgs` go before the script (`--cpu-prof`).
 */
export function startChild(name: string, script: string, env: NodeJS.ProcessEnv, ipc = false, quiet = false, nodeArgs: string[] = []): Child {
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : []
  const proc = spawn(process.execPath, [...loader, ...nodeArgs, script], {
    cwd: root,
    env,
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  })
  const child: Child = { name, proc, tail: [] }
  children.add(child)
  const relay = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue
      child.tail.push(line)
      if (child.tail.length > 40) child.tail.shift()
      if (!quiet) process.stderr.write(`  [${name}] ${line}\n`)
    }
  }
  proc.stdout!.on('data', relay)
  proc.stderr!.on('data', relay)
  proc.on('exit', () => children.delete(child))
  return child
}

export function exited(c: Child): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (!running(c)) return Promise.resolve({ code: c.proc.exitCode, signal: c.proc.signalCode })
  return new Promise((resolve) => c.proc.once('exit', (code, signal) => resolve({ code, signal })))
}

/** SIGTERM, then wait for the exit; SIGKILL if it takes longer than `ms`. */
export async function stopChild(c: Child, ms = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }> {
  if (!running(c)) return { ...(await exited(c)), killed: false }
  c.proc.kill('SIGTERM')
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)))
  const first = await Promise.race([exited(c), late])
  clearTimeout(timer)
  if (first !== 'late') return { ...first, killed: false }
  c.proc.kill('SIGKILL')
  return { ...(await exited(c)), killed: true }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
  })
}

/** Polls `url` until it answers 200; fails at once if the child dies. */
export async function waitForHttp(url: string, c: Child, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (!running(c)) throw new Error(`${c.name} exited (code ${c.proc.exitCode}) before answering ${url}:\n${c.tail.join('\n')}`)
    try {
      const res = await fetch(url)
      await res.arrayBuffer()
      if (res.status === 200) return
    } catch {
      // not listening yet
    }
    await sleep(100)
  }
  throw new Error(`${c.name} did not answer 200 on ${url} within ${ms / 1000} s:\n${c.tail.join('\n')}`)
}

/** Runs a node child and waits for it to finish; throws on a non-zero exit. */
export async function runToEnd(name: string, script: string, env: NodeJS.ProcessEnv): Promise<void> {
  const c = startChild(name, script, env, false, true)
  const { code, signal } = await exited(c)
  if (code !== 0) throw new Error(`${name} failed (code ${code}, signal ${signal}):\n${c.tail.join('\n')}`)
}

// ---------------------------------------------------------------- SMTP sink

export interface SinkCount {
  received: number
  /** Distinct Message-IDs: Outcry's are stable per outbox row, so a repeat is a duplicate delivery. */
  unique: number
  duplicates: number
}

export interface Sink {
  child: Child
  url: string
  count(): Promise<SinkCount>
}

export async function startSink(): Promise<Sink> {
  const child = startChild('smtp-sink', 'bench/smtp-sink.ts', { ...process.env }, true)
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the SMTP sink did not start:\n${child.tail.join('\n')}`)), 30_000)
    child.proc.once('exit', (code) => reject(new Error(`the SMTP sink exited (code ${code}):\n${child.tail.join('\n')}`)))
    child.proc.on('message', (msg: { type?: string; port?: number }) => {
      if (msg?.type === 'ready' && msg.port) {
        clearTimeout(timer)
        resolve(msg.port)
      }
    })
  })
  return {
    child,
    url: `smtp://127.0.0.1:${port}`,
    count: () =>
      new Promise<SinkCount>((resolve) => {
        const onMessage = (msg: { type?: string } & SinkCount) => {
          if (msg?.type !== 'count') return
          child.proc.off('message', onMessage)
          resolve({ received: msg.received, unique: msg.unique, duplicates: msg.duplicates })
        }
        child.proc.on('message', onMessage)
        child.proc.send({ type: 'count' })
      }),
  }
}

// ---------------------------------------------------------------- the Outcry server

/** The environment of an Outcry child: nothing from the caller's shell may change the configuration under test. */
export function outcryEnv(port: number, databasePath: string, smtpUrl: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const key of [
    'NODE_ENV', 'PORT', 'HOST', 'DATABASE_PATH', 'BASE_URL', 'SMTP_URL', 'MAIL_FROM', 'MAIL_FROM_NAME',
    'SESSION_SECRET', 'RATE_LIMITS', 'LETTER_RATE_LIMIT', 'LOGIN_RATE_LIMIT', 'DISPATCHER', 'LOG_LEVEL', 'TRUST_PROXY',
  ]) {
    delete env[key]
  }
  return {
    ...env,
    NODE_ENV: 'test',
    RATE_LIMITS: 'off',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_PATH: databasePath,
    SMTP_URL: smtpUrl,
    BASE_URL: `http://127.0.0.1:${port}`,
    MAIL_FROM: 'outcry@example.org',
    ...extra,
  }
}

/** The built server (`npm run build`), as `npm start` runs it in production. */
export const BUILT_SERVER = 'dist/server.js'

let builtOnce = false
/** Builds `dist/` once per script run, so benchmarks and fault scripts measure what production runs. */
export function build(): void {
  if (builtOnce) return
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
  builtOnce = true
}

export async function startOutcry(env: NodeJS.ProcessEnv, name = 'outcry', nodeArgs: string[] = []): Promise<{ child: Child; base: string }> {
  build()
  const child = startChild(name, BUILT_SERVER, env, false, false, nodeArgs)
  const base = `http://127.0.0.1:${env.PORT}`
  await waitForHttp(`${base}/health`, child)
  return { child, base }
}

/** Waits until nothing in the outbox is queued or being sent. */
export async function waitForOutbox(count: () => number, ms: number): Promise<{ left: number; seconds: number }> {
  const started = performance.now()
  for (;;) {
    const left = count()
    const seconds = (performance.now() - started) / 1000
    if (left === 0 || seconds * 1000 >= ms) return { left, seconds }
    await sleep(250)
  }
}

import crypto from 'node:crypto'

// Drawing a few bytes from the system costs tens of µs a call here (a syscall each); drawing 4 KB at
// once and handing out slices costs the same once. Every slice is used once and then zeroed.
const POOL_BYTES = 4096
let pool = Buffer.alloc(0)
let at = 0

/** `bytes` random bytes (crypto-strong) as base64url: ids and tokens. */
export function randomBase64url(bytes: number): string {
  if (bytes > POOL_BYTES) return crypto.randomBytes(bytes).toString('base64url')
  if (at + bytes > pool.length) {
    pool = crypto.randomBytes(POOL_BYTES)
    at = 0
  }
  const text = pool.toString('base64url', at, at + bytes)
  pool.fill(0, at, at + bytes)
  at += bytes
  return text
}

import crypto from 'node:crypto'

/**
 * A repeat RSVP must not tell a third party that the address already signed up, yet the
 * contract answers with a manage link. The repeat gets a stand-in link: same length and
 * alphabet as a real token, signed so the server knows it points at no RSVP.
 */
export function createDecoys(secret: string) {
  const key = crypto.createHash('sha256').update(`outcry-rsvp-decoy:${secret}`).digest()
  const mac = (body: Buffer) => crypto.createHmac('sha256', key).update(body).digest().subarray(0, 19)
  return {
    mint(picketId: number, status: 'going' | 'waitlisted'): string {
      const body = Buffer.alloc(13)
      crypto.randomFillSync(body, 0, 8)
      body.writeUInt32BE(picketId, 8)
      body.writeUInt8(status === 'going' ? 1 : 2, 12)
      return Buffer.concat([body, mac(body)]).toString('base64url')
    },
    read(token: string): { picketId: number; status: 'going' | 'waitlisted' } | null {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null
      const raw = Buffer.from(token, 'base64url')
      if (raw.length !== 32) return null
      const body = raw.subarray(0, 13)
      if (!crypto.timingSafeEqual(raw.subarray(13), mac(body))) return null
      return { picketId: body.readUInt32BE(8), status: body.readUInt8(12) === 1 ? 'going' : 'waitlisted' }
    },
    /** A plausible RSVP id for the stand-in. */
    id(): number {
      return crypto.randomInt(1, 2 ** 31)
    },
  }
}

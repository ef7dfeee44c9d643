/**
 * Public figures that must not move the instant one person acts (an RSVP count, a tally): a watcher
 * who submits a form and reloads would learn whether that address had acted before. Each key's value
 * is read afresh at most every `delayMs`; in between, everyone sees the same earlier value.
 * In memory, per process: a restart shows current values, which tells a watcher nothing about one act.
 */
export class DelayedValues<K, V> {
  private values = new Map<K, { value: V; at: number }>()

  constructor(
    private delayMs: number,
    private now: () => Date,
    private maxKeys = 10_000,
  ) {}

  get(key: K, read: () => V): V {
    if (this.delayMs <= 0) return read()
    const now = this.now().getTime()
    const held = this.values.get(key)
    if (held && now - held.at < this.delayMs) return held.value
    const value = read()
    if (this.values.size >= this.maxKeys) this.values.clear()
    this.values.set(key, { value, at: now })
    return value
  }
}

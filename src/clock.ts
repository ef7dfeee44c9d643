/** Injected wherever time matters, so tests can move it without sleeping. */
export type Clock = () => Date
export const systemClock: Clock = () => new Date()

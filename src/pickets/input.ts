import { z } from 'zod'
import { personName, requiredLine, optionalLine, multiLine, email, countryCode, checkbox } from '../validation.js'
import { isTimeZone } from './time.js'

const TWO_WEEKS = 14 * 24 * 60

/** What an organizer gives to schedule or change a picket; times are local to the venue. */
export const picketInput = z.object({
  title: requiredLine('Title', 150),
  venue: requiredLine('Venue', 150),
  address: requiredLine('Address', 300),
  city: requiredLine('City', 100),
  country: countryCode,
  startsLocal: z.string({ error: 'Start must be a local date and time such as 2026-12-16T12:00' }),
  endsLocal: z.string({ error: 'End must be a local date and time such as 2026-12-16T14:00' }),
  timeZone: z.string({ error: 'Time zone must be an IANA zone such as Europe/London' }).refine(isTimeZone, 'Time zone must be an IANA zone such as Europe/London'),
  capacity: z.number({ error: 'Capacity must be a whole number' }).int('Capacity must be a whole number').min(1, 'Capacity must be at least 1').max(100_000).nullable().optional(),
  notes: multiLine('What to bring', 2000).optional(),
  contact: optionalLine('Organizer contact', 300),
  reminders: z
    .array(z.number({ error: 'Reminders are minutes before the start' }).int().min(5, 'A reminder must be at least 5 minutes before').max(TWO_WEEKS, 'A reminder can be at most 14 days before'), {
      error: 'Reminders are a list of minutes before the start, such as [1440, 120]',
    })
    .max(5, 'At most 5 reminders')
    .optional(),
})

export type PicketInput = z.infer<typeof picketInput>

// Names go into mail to addresses nobody has confirmed yet: no web addresses in them.
export const rsvpForm = z.object({
  name: personName('Name', 100),
  email,
  consent: checkbox,
})

export const rsvpJson = z.object({
  name: personName('Name', 100),
  email,
  consent: z.boolean({ error: 'consent must be true or false' }).optional().default(false),
})

export type RsvpInput = { name: string; email: string; consent: boolean }

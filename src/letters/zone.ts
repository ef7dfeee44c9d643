import type { Target } from '../db/schema/index.js'
import { zoneOfCountry } from '../countries.js'

/** The zone an official's hours and dates are kept in: theirs if set, else their country's capital's. */
export const officialZone = (t: Pick<Target, 'timeZone' | 'country'>) => t.timeZone ?? zoneOfCountry(t.country)

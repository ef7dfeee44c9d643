import type { Feature } from '../feature.js'
import routes from './routes.js'
import adminRoutes from './admin-routes.js'
import api from './api.js'

/** Pickets: public pages, RSVPs and calendars; scheduling, RSVP lists and check-in in the back office; the API. */
export const picketsFeature: Feature = { name: 'pickets', routes, admin: adminRoutes, api }

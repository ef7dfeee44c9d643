import type { Feature } from '../feature.js'
import routes from './routes.js'
import adminRoutes from './admin-routes.js'
import api from './api.js'

/** Updates: campaign news, the people's timeline, feeds, mailing them to supporters who consented, unsubscribing. */
export const updatesFeature: Feature = { name: 'updates', routes, admin: adminRoutes, api }

import type { Feature } from '../feature.js'
import routes from './routes.js'
import adminRoutes from './admin-routes.js'
import api from './api.js'

/** Letters: writing and confirming them (public), and the paper letters groups report (back office, API). */
export const lettersFeature: Feature = { name: 'letters', routes, admin: adminRoutes, api }

import type { Feature } from '../feature.js'
import routes from './routes.js'
import adminRoutes from './admin-routes.js'

/** Supporters' data: what the privacy page tells them; find one by address, download what we hold on them, erase it (admins only). */
export const supportersFeature: Feature = { name: 'supporters', routes, admin: adminRoutes }

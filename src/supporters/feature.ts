import type { Feature } from '../feature.js'
import adminRoutes from './admin-routes.js'

/** Supporters' data: find one by address, download what we hold on them, erase it (admins only). */
export const supportersFeature: Feature = { name: 'supporters', admin: adminRoutes }

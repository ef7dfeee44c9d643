import type { FastifyInstance } from 'fastify'

// Placeholder: filled in by its feature.
export default async function routes(_app: FastifyInstance) {}

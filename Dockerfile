# syntax=docker/dockerfile:1
# Outcry in a container: docker compose up -d (see compose.yaml and docs/hosting.md).
#
# Build stage: better-sqlite3 12 compiles its native module from source when no prebuilt binary fits,
# which needs Python, make and a C++ compiler; they stay in this stage. sharp and resvg bring their own
# binaries as npm packages.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Every dependency to compile (TypeScript is a dev one), then only the production ones are kept.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# Runtime stage: node_modules from the build stage, the source, and no compiler.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATABASE_PATH=/data/outcry.db
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The source stays for the npm scripts (admin:create, backup, restore… run through tsx).
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY templates ./templates
COPY public ./public
COPY drizzle ./drizzle
# The database lives on a volume owned by the unprivileged user the server runs as ("node", uid 1000,
# from the base image). Nothing else is written: the code stays root's and read-only to the server.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 3000
# /health answers 200 while the database answers, 503 otherwise. The slim image has no curl: Node asks.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# What `npm start` runs (the compiled server), without npm in between, so SIGTERM from `docker stop`
# reaches the server and it closes gracefully.
CMD ["node", "dist/server.js"]

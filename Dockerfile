# syntax=docker/dockerfile:1
#
# One multi-stage Dockerfile for every Node.js app of the platform; the build argument APP picks
# which one the image runs:
#
#   docker build --build-arg APP=user-service -t platform/user-service .
#
# (docker-compose.yml builds user-service, order-service and fulfillment-worker from it). It sits
# at the repository root because its build context is the whole monorepo (the apps import the
# workspace libs, and protos/ feeds the code generation), so `docker build .` finds it and
# .dockerignore applies without extra flags.
#
#   base       node + the npm the repository uses (package-lock.json is npm 11's)
#   manifests  only the workspace package.json files + package-lock.json: the dependency layers
#              below stay cached until one of those changes
#   build      every dependency, then `nx run-many -t build` (proto:generate runs first through
#              the build targets' dependsOn: ts-proto sources and the descriptor sets)
#   prod-deps  production dependencies only (`npm ci --omit=dev`)
#   runtime    prod node_modules + the built dist of the app and the libs + the files the libs
#              read at run time; runs as the unprivileged `node` user

ARG NODE_IMAGE=node:20.19.5-bookworm-slim

FROM ${NODE_IMAGE} AS base
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
RUN npm install --global npm@11.19.1 && npm cache clean --force
WORKDIR /app

FROM base AS manifests
COPY . /src
# The workspaces of package.json ("apps/*", "libs/*", "libs/*/domain", "tools"): npm ci needs
# every one of them to match package-lock.json.
RUN set -eu; cd /src; \
    cp package.json package-lock.json /app/; \
    for dir in apps/* libs/* libs/*/domain tools; do \
      if [ -f "$dir/package.json" ]; then cp --parents "$dir/package.json" /app/; fi; \
    done

FROM base AS build
COPY --from=manifests /app ./
# No install scripts: package.json's allowScripts denies every one the tree has, locally too.
RUN npm ci --ignore-scripts
COPY . .
ENV NX_DAEMON=false \
    NX_NO_CLOUD=true \
    NX_SKIP_NX_CACHE=true
RUN npx nx run-many -t build -p user-service order-service fulfillment-worker --output-style=static
# /out: what the runtime needs from the build, laid out as in the repository so that the
# workspace symlinks of node_modules (node_modules/@platform/x -> ../../libs/x) resolve:
#   - each built workspace's package.json (its "exports" point Node at ./dist/index.js) and dist/
#   - migrations/ (libs/events, libs/user/domain, libs/order/domain read their SQL at start)
#   - descriptors/ (libs/proto: the FileDescriptorSets served by reflection)
#   - protos/ (libs/proto loads the .proto files at run time, from <lib>/../../protos)
# libs/testing holds test harnesses only and stays out.
RUN set -eu; \
    for dir in apps/* libs/* libs/*/domain; do \
      if [ ! -d "$dir/dist" ] || [ "$dir" = libs/testing ]; then continue; fi; \
      mkdir -p "/out/$dir"; \
      cp -r "$dir/package.json" "$dir/dist" "/out/$dir/"; \
      for extra in migrations descriptors; do \
        if [ -d "$dir/$extra" ]; then cp -r "$dir/$extra" "/out/$dir/"; fi; \
      done; \
      find "/out/$dir/dist" \( -name '*.map' -o -name '*.d.ts' -o -name '*.tsbuildinfo' \) -delete; \
    done; \
    cp -r protos /out/protos

FROM base AS prod-deps
COPY --from=manifests /app ./
# --omit=optional as well: vitest (an optional peer of @platform/grpc, for its testing helpers)
# is marked devOptional in the lockfile, which --omit=dev alone keeps, with vite and rolldown.
# No production dependency of the platform is optional.
RUN npm ci --omit=dev --omit=optional --ignore-scripts && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
# user-service | order-service | fulfillment-worker
ARG APP
ENV NODE_ENV=production \
    APP=${APP}
WORKDIR /app
# Everything under /app belongs to root and is read-only for the app's user.
COPY --from=prod-deps /app ./
COPY --from=build /out/libs ./libs
COPY --from=build /out/protos ./protos
COPY --from=build /out/apps/${APP} ./apps/${APP}
# The container health probe (grpc.health.v1 Check, or GET /metrics for the worker).
COPY deploy/healthcheck.mjs ./deploy/healthcheck.mjs
# /app/main.js -> the chosen app's entry point (Node resolves it to its real path, so the app's
# relative imports work). /data is the only writable place: data directories, generated keys
# and the shared public key set go to volumes mounted below it (see docker-compose.yml).
RUN set -eu; \
    if [ -z "${APP}" ] || [ ! -f "apps/${APP}/dist/main.js" ]; then \
      echo "build argument APP must name an app with a dist/main.js (user-service, order-service, fulfillment-worker); got '${APP}'" >&2; \
      exit 1; \
    fi; \
    ln -s "apps/${APP}/dist/main.js" /app/main.js; \
    mkdir -p /data/user-service /data/order-service /data/auth; \
    chown -R node:node /data
USER node
WORKDIR /data
CMD ["node", "/app/main.js"]

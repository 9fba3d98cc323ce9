# The gateway image of infrastructure/kubernetes: nginx with the web client built in (web/: `npm run build` writes
# web/dist). Its configuration is not in the image: the Deployment mounts nginx.conf and the templates from
# ConfigMaps (base/gateway/gateway.yaml). Build from the repository's root:
#   docker build -f infrastructure/kubernetes/gateway.Dockerfile -t osool-gateway .
FROM node:22-alpine AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci
# Sources only: a checkout's node_modules and dist stay out.
COPY web/index.html web/tsconfig.json web/vite.config.ts ./
COPY web/public ./public
COPY web/src ./src
RUN npm run build

FROM nginx:1.27-alpine
# Where the gateway's nginx.conf looks for the build: the web root's dist/, as compose mounts web/ at the web root.
COPY --from=web /web/dist /usr/share/nginx/html/dist
# The Deployment runs it as the image's nginx user (101) with a read-only root file system.
USER 101

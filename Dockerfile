# syntax=docker/dockerfile:1

# Crossdock: one static binary (web console, worker and admin commands).
# Migrations, templates and static assets are embedded in the binary, so the
# runtime image holds nothing else.
#
#   docker build -t crossdock .
#   docker run --rm crossdock --help
#
# go.mod asks for go 1.26.8 and the golang images set GOTOOLCHAIN=local, so a
# stale local golang:1.26 (older patch release) fails the build: pull again
# (`docker build --pull .` / `docker compose build --pull`).

ARG GO_VERSION=1.26

# ---- build ------------------------------------------------------------------
FROM golang:${GO_VERSION} AS build
WORKDIR /src

# Dependencies first: this layer is rebuilt only when go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download

COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/crossdock .

# ---- runtime ----------------------------------------------------------------
# Distroless static: CA certificates and tzdata, no shell, no package manager.
# The :nonroot variant runs as uid/gid 65532; stated numerically so that
# Kubernetes' runAsNonRoot can verify it.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/crossdock /crossdock
USER 65532:65532
EXPOSE 8080
# No HEALTHCHECK: the image has no shell or HTTP client. Probe GET /healthz
# (liveness) and GET /readyz (readiness) from the orchestrator or load balancer.
ENTRYPOINT ["/crossdock"]
CMD ["serve"]

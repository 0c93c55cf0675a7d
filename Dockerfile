# syntax=docker/dockerfile:1
# Build:  docker build -t chatbot .
# Run:    docker run --rm -p 8080:8080 chatbot
#         (sessions in Redis: add -e CHATBOT_REDIS_ADDR=redis.internal:6379)
# The knowledge base is compiled into the binary (go:embed); mount a folder and set
# CHATBOT_KB_DIR to serve an editor's copy instead.

FROM golang:1.26 AS build
WORKDIR /src
# Modules first, so code changes do not invalidate the download layer.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/chatbot ./cmd/chatbot

# distroless/static: no shell, no package manager, a nonroot user (65532) built in.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/chatbot /chatbot
USER nonroot:nonroot
# Inside the container the server must listen on every interface to be reachable. Change the port
# with -e CHATBOT_LISTEN (not --listen): the health check reads the same variable.
ENV CHATBOT_LISTEN=0.0.0.0:8080
EXPOSE 8080
# No curl in distroless: the binary probes its own /healthz (`chatbot healthcheck`).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
	CMD ["/chatbot", "healthcheck"]
ENTRYPOINT ["/chatbot"]
CMD ["serve"]

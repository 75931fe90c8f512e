#!/usr/bin/env bash
# Make sure PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) answer.
# Order of attempts: already running; installed but stopped (start them);
# Docker available (docker compose up postgres redis). Otherwise explain.
set -euo pipefail
cd "$(dirname "$0")/.."

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # port name
  for _ in $(seq 1 60); do up "$1" && return 0; sleep 0.5; done
  echo "$2 did not come up on 127.0.0.1:$1" >&2; return 1
}

if ! up 5432 && command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  echo "starting the installed PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
  wait_for 5432 PostgreSQL || true
fi
if ! up 6379 && command -v redis-server >/dev/null 2>&1; then
  echo "starting the installed Redis"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir /tmp --logfile /tmp/crossdock-redis.log
  wait_for 6379 Redis || true
fi
if { ! up 5432 || ! up 6379; } && command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  echo "starting PostgreSQL and Redis with docker compose"
  docker compose -f docker-compose.yml -f deploy/compose.host-ports.yml up -d --wait postgres redis
fi
missing=0
up 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432 (install it, or Docker for 'docker compose up -d postgres')" >&2; missing=1; }
up 6379 || { echo "Redis is not reachable on 127.0.0.1:6379 (install it, or Docker for 'docker compose up -d redis')" >&2; missing=1; }
exit $missing

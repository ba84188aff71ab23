#!/usr/bin/env bash
# Starts the local PostgreSQL and Redis the tests use, if they are not answering yet.
# Under CI=true a service that still does not answer is an error.
set -uo pipefail
pg_up()    { pg_isready -q -h 127.0.0.1 -p 5432; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! pg_up && command -v pg_ctlcluster >/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
if ! redis_up && command -v redis-server >/dev/null; then
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi
for _ in $(seq 1 30); do pg_up && redis_up && break; sleep 1; done

status=0
pg_up    || { echo "ensure-services: PostgreSQL on 127.0.0.1:5432 is not answering" >&2; status=1; }
redis_up || { echo "ensure-services: Redis on 127.0.0.1:6379 is not answering" >&2; status=1; }
if [ "$status" -ne 0 ] && [ "${CI:-}" = "true" ]; then exit 1; fi
exit 0

#!/usr/bin/env bash
# redis: Debian's redis-server driven by redis-benchmark on loopback, both under the
# allocator the runner preloads (the environment is inherited). SET, GET, LPUSH, LPOP,
# SADD, HSET and a big MSET over 200,000 keys of 64-1024 B values, then an INFO check.
# Prints the requests served per second of the whole run. Fails, rather than waits, when
# the server is gone: redis-benchmark retries a vanished server forever.
#   redis.sh THREADS(ignored) [scale]
set -euo pipefail
scale=${2:-1}
n=$(python3 -c "print(max(1000, int(60000 * $scale)))")
dir=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
# A free port: a server that cannot bind exits, and another port is tried (a ping alone
# could be answered by someone else's server on that port).
for _ in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 20000))
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" >/dev/null &
  server=$!
  for _ in $(seq 100); do
    kill -0 "$server" 2>/dev/null || break
    [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && break 2
    sleep 0.05
  done
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=""
done
[ -n "$server" ] || { echo "redis.sh: redis-server did not start" >&2; exit 1; }
start=$(date +%s.%N)
for d in 64 1024; do
  timeout 120 redis-benchmark -p "$port" -n "$n" -c 8 -r 200000 -d "$d" -q -t set,get,lpush,lpop,sadd,hset,mset >/dev/null ||
    { echo "redis.sh: redis-benchmark failed or timed out (server alive: $(kill -0 "$server" 2>/dev/null && echo yes || echo no))" >&2; exit 1; }
done
end=$(date +%s.%N)
kill -0 "$server" 2>/dev/null || { echo "redis.sh: redis-server exited during the run" >&2; exit 1; }
keys=$(redis-cli -p "$port" dbsize)
redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
wait "$server" 2>/dev/null || true
server=""
python3 -c "print('bench name=redis keys=$keys ops_per_s=%.0f' % (14 * $n / ($end - $start)))"

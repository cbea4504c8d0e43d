#!/usr/bin/env bash
# redis: Debian's redis-server driven by redis-benchmark on loopback, both under the
# allocator the runner preloads (the environment is inherited). SET, GET, LPUSH, LPOP,
# SADD, HSET and a big MSET over 200,000 keys of 64-1024 B values, then an INFO check.
# Prints the requests served per second of the whole run.
#   redis.sh THREADS(ignored) [scale]
set -euo pipefail
scale=${2:-1}
n=$(python3 -c "print(max(1000, int(60000 * $scale)))")
port=$((20000 + RANDOM % 20000))
dir=$(mktemp -d)
trap 'redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" >/dev/null &
for _ in $(seq 100); do
  [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && break
  sleep 0.05
done
start=$(date +%s.%N)
for d in 64 1024; do
  redis-benchmark -p "$port" -n "$n" -c 8 -r 200000 -d "$d" -q -t set,get,lpush,lpop,sadd,hset,mset >/dev/null
done
end=$(date +%s.%N)
keys=$(redis-cli -p "$port" dbsize)
python3 -c "print('bench name=redis keys=$keys ops_per_s=%.0f' % (14 * $n / ($end - $start)))"

#!/usr/bin/env bash
# Server-choice bench: aiohttp vs Starlette on Granian, one worker each, same endpoints.
# Usage: bash bench/server_choice/run.sh /path/to/venv-with-granian-starlette-aiohttp
set -euo pipefail
VENV=${1:?venv with granian, starlette and aiohttp}
cd "$(dirname "$0")"
export BENCH_BLOB=/tmp/bench-blob BENCH_SINK=/tmp/bench-sink
[ -f "$BENCH_BLOB" ] || head -c 1073741824 /dev/urandom > "$BENCH_BLOB"
run() {
  local name=$1 port=$2
  sleep 1
  local small=$(wrk -t2 -c32 -d5s "http://127.0.0.1:$port/small" | awk '/Requests\/sec/ {print $2}')
  local down=$(curl -s -o /dev/null -w '%{speed_download}' "http://127.0.0.1:$port/blob")
  local up=$(curl -s -o /dev/null -w '%{speed_upload}' -T "$BENCH_BLOB" "http://127.0.0.1:$port/upload")
  printf '| %s | %.0f | %.0f | %.0f |\n' "$name" "$small" "$(echo "$down/1048576" | bc -l)" "$(echo "$up/1048576" | bc -l)"
}
echo "| server | small GET req/s | 1 GiB download MiB/s | 1 GiB upload MiB/s |"
echo "|---|---|---|---|"
"$VENV/bin/python" -c "import apps; from aiohttp import web; web.run_app(apps.make_aiohttp(), host='127.0.0.1', port=5091, print=None, access_log=None)" &
PID=$!; run aiohttp 5091; kill $PID; wait $PID 2>/dev/null || true
"$VENV/bin/granian" --interface asgi --host 127.0.0.1 --port 5092 --workers 1 --log-level error apps:starlette_app &
PID=$!; run "starlette+granian" 5092; kill $PID; wait $PID 2>/dev/null || true

#!/bin/bash
# nginx as an iomb server (DESIGN §3.2), so `iomb run --server bench/http/nginx_server.sh` and
# matrix [[server]] entries can measure it like the four models: one worker process serving
# GET / as "Hello, World!" text/plain on 127.0.0.1, an ephemeral port unless --port is given,
# the ready line on stdout once it accepts connections, and a stopped line after SIGTERM.
# Other iomb server flags (--protocol http, --threads ...) are accepted and ignored; --threads N
# sets worker_processes. Exits 77 (skipped) when nginx is not installed.
set -u

port=0
workers=1
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --threads) workers="$2"; shift 2 ;;
    --*=*) shift ;;
    --*) if [ $# -gt 1 ] && [ "${2#--}" = "$2" ]; then shift 2; else shift; fi ;;
    *) shift ;;
  esac
done

nginx_bin=$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; })
if [ -z "$nginx_bin" ]; then
  echo "nginx is not installed (apt-get install nginx-light)" >&2
  exit 77
fi

dir=$(mktemp -d /tmp/iomb-nginx-XXXXXX)
nginx_pid=0
cleanup() { rm -rf "$dir"; }
trap cleanup EXIT

# Port 0: nginx cannot report the port it got, so try random high ports until one binds.
start() {
  cat > "$dir/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes $workers;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 65536; }
http {
  access_log off;
  keepalive_requests 100000000;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  server {
    listen 127.0.0.1:$1 backlog=4096;
    location / { default_type text/plain; return 200 "Hello, World!"; }
  }
}
CONF
  "$nginx_bin" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" </dev/null >&2 &
  nginx_pid=$!
  for _ in $(seq 100); do
    kill -0 "$nginx_pid" 2>/dev/null || return 1
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  kill -KILL "$nginx_pid" 2>/dev/null
  return 1
}

stop() {
  kill -TERM "$nginx_pid" 2>/dev/null
  wait "$nginx_pid" 2>/dev/null
  printf '{"event":"stopped","model":"nginx","pid":%d}\n' $$
  exit 0
}
trap stop TERM INT

tries=1
[ "$port" = 0 ] && tries=20
for _ in $(seq "$tries"); do
  p=$port
  [ "$port" = 0 ] && p=$((20000 + RANDOM % 40000))
  if start "$p"; then
    printf '{"event":"listening","model":"nginx","mode":"workers-%d","host":"127.0.0.1","port":%d,"pid":%d}\n' \
      "$workers" "$p" $$
    # wait returns early when a trapped signal arrives; the trap then stops nginx and exits.
    wait "$nginx_pid"
    echo "nginx exited unexpectedly" >&2
    cat "$dir/error.log" >&2
    exit 1
  fi
done
echo "nginx did not start:" >&2
cat "$dir/error.log" >&2
exit 1

#!/bin/sh
# The image's entry point: the first argument names the role. `exec` makes Node PID 1, so it receives
# SIGTERM itself and drains (the API finishes its requests, the worker its tasks) before the container stops.
set -eu
role="${1:-api}"
[ "$#" -gt 0 ] && shift
# Paths are relative to the image's WORKDIR (/app).
case "$role" in
  api) exec node --import tsx api/main.ts "$@" ;;
  worker) exec node --import tsx worker/main.ts "$@" ;;
  migrate) exec node --import tsx scripts/migrate.ts "$@" ;;
  *)
    echo "usage: <image> api | worker | migrate (got: $role)" >&2
    exit 64
    ;;
esac

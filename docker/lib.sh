# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are for the scripts that source this file
# Sourced by the demo's scripts: where things are, the compose command, and the waits they share.

DEMO=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$DEMO")
# The unpacked bundle's examples: the connector configs the demo deploys
BUNDLE_DIR="$DEMO/target/bundle"
CONNECT_URL=${CONNECT_URL:-http://localhost:8083}
PROJECT=cdc-connect-demo

# Compose v2 (docker compose) where there is one, else the v1 docker-compose command.
if docker compose version >/dev/null 2>&1; then
  COMPOSE=(docker compose)
else
  COMPOSE=(docker-compose)
fi

compose() {
  "${COMPOSE[@]}" -p "$PROJECT" -f "$DEMO/docker-compose.yml" "$@"
}

die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

step() {
  printf '==> %s\n' "$*"
}

# Waits until every container of the demo reports healthy; fails early on one that is unhealthy or stopped.
wait_healthy() {
  local timeout=${1:-600}
  local deadline=$((SECONDS + timeout))
  local ids id line name state health waiting
  while true; do
    mapfile -t ids < <(compose ps -q)
    [[ ${#ids[@]} -gt 0 ]] || die "no container of the demo is running: run docker/up"
    waiting=()
    for id in "${ids[@]}"; do
      line=$(docker inspect -f '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$id")
      read -r name state health <<<"$line"
      name=${name#/}
      if [[ $state != running ]]; then
        die "$name is $state; see: ${COMPOSE[*]} -p $PROJECT logs ${name}"
      fi
      case $health in
        healthy) ;;
        unhealthy) die "$name is unhealthy; see: ${COMPOSE[*]} -p $PROJECT logs ${name}" ;;
        *) waiting+=("$name") ;;
      esac
    done
    if [[ ${#waiting[@]} -eq 0 ]]; then
      return 0
    fi
    if ((SECONDS >= deadline)); then
      die "still not healthy after ${timeout}s: ${waiting[*]}"
    fi
    printf '    waiting for: %s\n' "${waiting[*]}"
    sleep 5
  done
}

# The unpacked bundle's folder (cdcconnect-cdc-connect-<version>), as docker/build leaves it.
bundle_folder() {
  local folders=("$BUNDLE_DIR"/*/)
  [[ -d ${folders[0]} ]] || die "no unpacked bundle in $BUNDLE_DIR: run docker/build"
  printf '%s\n' "${folders[0]%/}"
}

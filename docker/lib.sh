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

# One line per container of the demo: "<service> <state> <health> <exit code>", state as Docker gives it
# (created, running, restarting, exited, paused, dead), health "none" for a container without a check.
# Compose v2's "ps" lists only running containers unless told -a, so a worker that crashed at start would
# vanish from a plain "ps" and look like nothing is wrong.
container_states() {
  if [[ ${COMPOSE[*]} == "docker compose" ]]; then
    compose ps -a --format json | parse_ps_json
  else
    local id
    for id in $(compose ps -a -q); do
      docker inspect -f '{{index .Config.Labels "com.docker.compose.service"}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{.State.ExitCode}}' "$id"
    done
  fi
}

# Reads "docker compose ps -a --format json" (Compose v2: one JSON object per line since 2.21, one JSON array
# before) and prints container_states' lines. Plain bash, so the host needs no JSON tool.
parse_ps_json() {
  local input line service state health code
  input=$(cat)
  # The array form holds every container on one line: one container object per line instead. Only a
  # container object starts with "ID" (the objects nested in Publishers start with "URL").
  input=${input//\},\{\"ID\"/$'}\n{"ID"'}
  while IFS= read -r line; do
    [[ $line =~ \"Service\":\"([^\"]*)\" ]] || continue
    service=${BASH_REMATCH[1]}
    state=unknown health=none code=0
    if [[ $line =~ \"State\":\"([^\"]*)\" ]]; then state=${BASH_REMATCH[1]}; fi
    if [[ $line =~ \"Health\":\"([^\"]+)\" ]]; then health=${BASH_REMATCH[1]}; fi
    if [[ $line =~ \"ExitCode\":(-?[0-9]+) ]]; then code=${BASH_REMATCH[1]}; fi
    printf '%s %s %s %s\n' "$service" "$state" "$health" "$code"
  done <<<"$input"
}

# Judges container_states' lines (stdin) against the services the demo needs (arguments). Prints one line:
# "ready", "waiting: <services>" (exit status 2), or what is wrong and where to look (exit status 1).
assess_states() {
  local service state health code waiting=() problems=() expected seen=" "
  while read -r service state health code; do
    [[ -n $service ]] || continue
    seen+="$service "
    case $state in
      running)
        case $health in
          healthy | none) ;;
          unhealthy) problems+=("$service is unhealthy") ;;
          *) waiting+=("$service") ;;
        esac
        ;;
      created) waiting+=("$service") ;;
      restarting) problems+=("$service is restarting: it crashed (last exit code $code) and Docker restarts it") ;;
      exited | dead) problems+=("$service has stopped ($state, exit code $code)") ;;
      *) problems+=("$service is $state") ;;
    esac
  done
  for expected in "$@"; do
    if [[ $seen != *" $expected "* ]]; then
      problems+=("$expected has no container: run docker/up")
    fi
  done
  if [[ ${#problems[@]} -gt 0 ]]; then
    local joined
    joined=$(printf '%s; ' "${problems[@]}")
    printf '%s\n' "${joined%; }"
    return 1
  fi
  if [[ ${#waiting[@]} -gt 0 ]]; then
    printf 'waiting: %s\n' "${waiting[*]}"
    return 2
  fi
  printf 'ready\n'
}

# Waits until every container of the demo reports healthy; fails early, naming it, on one that is unhealthy,
# restarting (crashing) or stopped, or a service that has no container.
wait_healthy() {
  local timeout=${1:-600}
  local deadline=$((SECONDS + timeout))
  local services service verdict status
  services=()
  # a loop, not mapfile: macOS still ships bash 3.2
  while IFS= read -r service; do services+=("$service"); done < <(compose config --services)
  while true; do
    status=0
    verdict=$(container_states | assess_states "${services[@]}") || status=$?
    case $status in
      0) return 0 ;;
      1) die "$verdict; see: ${COMPOSE[*]} -p $PROJECT logs <service>" ;;
    esac
    if ((SECONDS >= deadline)); then
      die "still not healthy after ${timeout}s: ${verdict#waiting: }"
    fi
    printf '    %s\n' "$verdict"
    sleep 5
  done
}

# The unpacked bundle's folder (cdcconnect-cdc-connect-<version>), as docker/build leaves it.
bundle_folder() {
  local folders=("$BUNDLE_DIR"/*/)
  [[ -d ${folders[0]} ]] || die "no unpacked bundle in $BUNDLE_DIR: run docker/build"
  printf '%s\n' "${folders[0]%/}"
}

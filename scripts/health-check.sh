#!/bin/sh
# Health of every Osool service (or one) through the gateway's internal listener, for people, scripts and Prometheus.
#
#   scripts/health-check.sh [--service NAME] [--quick | --full] [--format console|json|prometheus]
#                           [--url URL] [--timeout SECONDS]
#
#   --service NAME   one service (agent, search, auth, chat-history, chain, monitoring); default: all of them
#   --quick          /health/live: is the process answering
#   --full           /health/ready with each dependency check, its status and latency (the default)
#   --format         console (default), json, or prometheus (text exposition, for a textfile collector)
#   --url URL        the internal gateway (default $OSOOL_INTERNAL_URL or http://127.0.0.1:8081)
#   --timeout N      seconds to wait for each service (default 5)
#
# Exit status: 0 healthy, 1 degraded, 2 unhealthy, 3 unreachable (the worst service decides); 64 for bad usage.
# Needs curl; jq is not needed (the health report is read with awk).

set -u

SERVICES="auth search chat-history chain monitoring agent"
url="${OSOOL_INTERNAL_URL:-http://127.0.0.1:8081}"
only=""
mode="full"
format="console"
timeout=5

usage() {
    sed -n '4,13p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 64
}

while [ $# -gt 0 ]; do
    case "$1" in
        --service) [ $# -ge 2 ] || usage; only="$2"; shift 2 ;;
        --service=*) only="${1#*=}"; shift ;;
        --quick) mode="quick"; shift ;;
        --full) mode="full"; shift ;;
        --format) [ $# -ge 2 ] || usage; format="$2"; shift 2 ;;
        --format=*) format="${1#*=}"; shift ;;
        --url) [ $# -ge 2 ] || usage; url="$2"; shift 2 ;;
        --url=*) url="${1#*=}"; shift ;;
        --timeout) [ $# -ge 2 ] || usage; timeout="$2"; shift 2 ;;
        --timeout=*) timeout="${1#*=}"; shift ;;
        -h|--help) usage ;;
        *) echo "unknown option: $1" >&2; usage ;;
    esac
done

case "$format" in console|json|prometheus) ;; *) echo "unknown format: $format" >&2; usage ;; esac
case "$timeout" in ''|*[!0-9.]*) echo "--timeout takes seconds, not: $timeout" >&2; usage ;; esac
if [ -n "$only" ]; then
    case " $SERVICES " in *" $only "*) SERVICES="$only" ;; *) echo "unknown service: $only" >&2; usage ;; esac
fi
command -v curl >/dev/null 2>&1 || { echo "curl is needed" >&2; exit 3; }
url="${url%/}"

# rank STATE: the exit status of a state.
rank() {
    case "$1" in healthy) echo 0 ;; degraded) echo 1 ;; unhealthy) echo 2 ;; *) echo 3 ;; esac
}

# The top-level status of a health report, and its checks one per line: name<TAB>status<TAB>latency_ms<TAB>message
# (the message still JSON-escaped, as the report had it). The top-level status is the first one in the report.
parse() {
    awk '
    {
        body = body $0
    }
    END {
        if (match(body, /"status":"[a-z]+"/)) {
            print substr(body, RSTART + 10, RLENGTH - 11)
        } else {
            print "unreachable"
        }
        rest = body
        pattern = "\"[^\"]+\":\\{\"status\":\"[a-z]+\",\"message\":\"([^\"\\\\]|\\\\.)*\",\"latency_ms\":[0-9.eE+-]+\\}"
        while (match(rest, pattern)) {
            entry = substr(rest, RSTART, RLENGTH)
            rest = substr(rest, RSTART + RLENGTH)
            name = entry; sub(/^"/, "", name); sub(/":\{.*$/, "", name)
            status = entry; sub(/^.*\{"status":"/, "", status); sub(/".*$/, "", status)
            message = entry; sub(/^.*"message":"/, "", message); sub(/","latency_ms":.*$/, "", message)
            latency = entry; sub(/^.*"latency_ms":/, "", latency); sub(/\}$/, "", latency)
            printf "%s\t%s\t%s\t%s\n", name, status, latency, message
        }
    }'
}

tmp="$(mktemp -d 2>/dev/null || mktemp -d -t osool-health)"
trap 'rm -rf "$tmp"' EXIT INT TERM
worst=0
for service in $SERVICES; do
    path="/$service/health/ready"
    [ "$mode" = "quick" ] && path="/$service/health/live"
    # %{http_code} and %{time_total} after the body; curl's own failure (refused, timed out) leaves code 000.
    meta="$(curl -sS -o "$tmp/$service.body" -w '%{http_code} %{time_total}' --max-time "$timeout" \
        "$url$path" 2>"$tmp/$service.err")" || true
    code="${meta% *}"
    seconds="${meta#* }"
    [ -n "$code" ] || code="000"
    case "$seconds" in ''|*[!0-9.]*) seconds=0 ;; esac
    if [ "$mode" = "quick" ]; then
        if [ "$code" = "200" ] && grep -q '"status":"alive"' "$tmp/$service.body" 2>/dev/null; then
            state="healthy"
        elif [ "$code" = "000" ] || [ "$code" = "502" ] || [ "$code" = "504" ]; then
            state="unreachable"
        else
            state="unhealthy"
        fi
        : > "$tmp/$service.checks"
    else
        if [ "$code" = "000" ] || [ "$code" = "502" ] || [ "$code" = "504" ]; then
            state="unreachable"
            : > "$tmp/$service.checks"
        else
            parse < "$tmp/$service.body" > "$tmp/$service.parsed"
            state="$(head -n 1 "$tmp/$service.parsed")"
            tail -n +2 "$tmp/$service.parsed" > "$tmp/$service.checks"
            case "$state" in healthy|degraded|unhealthy) ;; *) state="unreachable" ;; esac
        fi
    fi
    echo "$service $state $code $seconds" >> "$tmp/results"
    r="$(rank "$state")"
    [ "$r" -gt "$worst" ] && worst="$r"
done

overall="$(case "$worst" in 0) echo healthy ;; 1) echo degraded ;; 2) echo unhealthy ;; *) echo unreachable ;; esac)"
ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }

case "$format" in
console)
    while read -r service state code seconds; do
        printf '%-14s %-12s %8s ms  (HTTP %s)\n' "$service" "$state" "$(ms "$seconds")" "$code"
        while IFS="$(printf '\t')" read -r name status latency message; do
            printf '    %-14s %-10s %8s ms  %s\n' "$name" "$status" "$latency" "$message"
        done < "$tmp/$service.checks"
    done < "$tmp/results"
    echo "overall: $overall"
    ;;
json)
    printf '{"status":"%s","mode":"%s","url":"%s","services":[' "$overall" "$mode" "$url"
    first=1
    while read -r service state code seconds; do
        [ "$first" = 1 ] || printf ','
        first=0
        printf '{"service":"%s","status":"%s","http_status":%s,"latency_ms":%s,"checks":[' \
            "$service" "$state" "$(awk -v c="$code" 'BEGIN { print c + 0 }')" "$(ms "$seconds")"
        inner=1
        while IFS="$(printf '\t')" read -r name status latency message; do
            [ "$inner" = 1 ] || printf ','
            inner=0
            printf '{"name":"%s","status":"%s","latency_ms":%s,"message":"%s"}' "$name" "$status" "$latency" "$message"
        done < "$tmp/$service.checks"
        printf ']}'
    done < "$tmp/results"
    printf ']}\n'
    ;;
prometheus)
    echo '# HELP osool_health_state 0 healthy, 1 degraded, 2 unhealthy, 3 unreachable'
    echo '# TYPE osool_health_state gauge'
    while read -r service state code seconds; do
        echo "osool_health_state{service=\"$service\",mode=\"$mode\"} $(rank "$state")"
    done < "$tmp/results"
    echo '# HELP osool_health_latency_seconds Time the health request took'
    echo '# TYPE osool_health_latency_seconds gauge'
    while read -r service state code seconds; do
        echo "osool_health_latency_seconds{service=\"$service\",mode=\"$mode\"} $seconds"
    done < "$tmp/results"
    # Each family's samples together, as the exposition format requires.
    echo '# HELP osool_health_check_up 1 when the dependency check passed'
    echo '# TYPE osool_health_check_up gauge'
    while read -r service state code seconds; do
        while IFS="$(printf '\t')" read -r name status latency message; do
            up=0
            [ "$status" = "healthy" ] && up=1
            echo "osool_health_check_up{service=\"$service\",check=\"$name\"} $up"
        done < "$tmp/$service.checks"
    done < "$tmp/results"
    echo '# HELP osool_health_check_latency_seconds Time the dependency check took'
    echo '# TYPE osool_health_check_latency_seconds gauge'
    while read -r service state code seconds; do
        while IFS="$(printf '\t')" read -r name status latency message; do
            seconds="$(awk -v l="$latency" 'BEGIN { printf "%g", l / 1000 }')"
            echo "osool_health_check_latency_seconds{service=\"$service\",check=\"$name\"} $seconds"
        done < "$tmp/$service.checks"
    done < "$tmp/results"
    ;;
esac
exit "$worst"

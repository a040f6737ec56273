# shellcheck shell=bash
# Services the tests need, for `.ci/run` to source before pytest:
#   - Debian's chromium (the e2e browser test drives it through Playwright);
#   - a throwaway PostgreSQL cluster in a temp dir on a free loopback port, with a database,
#     an owner role and a service role (the postgres-marked tests).
# Exports ALLOCATOR_TEST_POSTGRES_URL (owner), ALLOCATOR_TEST_POSTGRES_SERVICE_URL and
# ALLOCATOR_TEST_POSTGRES_SERVICE_ROLE, and stops the cluster on exit.
# Works on a fresh Debian machine with only Python, gcc and apt (as root, or as a user
# whose PostgreSQL and chromium are already installed).

_svc_log() { echo "[services] $*" >&2; }

_svc_as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

_svc_apt_install() {
    if [ -z "${_SVC_APT_UPDATED:-}" ]; then
        _svc_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        _SVC_APT_UPDATED=1
    fi
    _svc_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "$@" >/dev/null
}

_svc_pg_bin() {
    find /usr/lib/postgresql -maxdepth 3 -path '*/bin/initdb' 2>/dev/null | sort -V | tail -n 1 |
        xargs -r dirname
}

_svc_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

_svc_secret() {
    python3 -c 'import secrets; print(secrets.token_hex(16))'
}

_svc_stop() {
    if [ -n "${_SVC_PGDATA:-}" ] && [ -d "$_SVC_PGDATA" ]; then
        _svc_run_pg "$_SVC_PGBIN/pg_ctl" -D "$_SVC_PGDATA" -m fast -w stop >/dev/null 2>&1 || true
        rm -rf "$_SVC_PGROOT"
        _svc_log "PostgreSQL stopped"
    fi
}

_svc_run_pg() {
    # Run a PostgreSQL program as the postgres OS user when we are root (initdb refuses root).
    if [ "$(id -u)" -eq 0 ]; then
        local quoted
        quoted=$(printf '%q ' "$@")
        su postgres -s /bin/sh -c "$quoted"
    else
        "$@"
    fi
}

_svc_start() {
    if [ ! -x /usr/bin/chromium ]; then
        _svc_log "installing chromium"
        _svc_apt_install chromium
    fi
    _SVC_PGBIN=$(_svc_pg_bin)
    if [ -z "$_SVC_PGBIN" ]; then
        _svc_log "installing postgresql"
        # Keep the package from starting its own cluster (we start a throwaway one below).
        local policy=/usr/sbin/policy-rc.d added_policy=""
        if [ ! -e "$policy" ]; then
            _svc_as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod +x $policy"
            added_policy=1
        fi
        _svc_apt_install postgresql
        if [ -n "$added_policy" ]; then _svc_as_root rm -f "$policy"; fi
        _SVC_PGBIN=$(_svc_pg_bin)
    fi
    _SVC_PGROOT=$(mktemp -d /tmp/allocator-pg.XXXXXX)
    _SVC_PGDATA="$_SVC_PGROOT/data"
    local port owner_pw service_pw
    port=$(_svc_free_port)
    owner_pw=$(_svc_secret)
    service_pw=$(_svc_secret)
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$_SVC_PGROOT"; fi
    trap _svc_stop EXIT
    _svc_run_pg "$_SVC_PGBIN/initdb" -D "$_SVC_PGDATA" -U postgres -A trust -E UTF8 \
        --no-locale >"$_SVC_PGROOT/initdb.log" 2>&1 ||
        { cat "$_SVC_PGROOT/initdb.log" >&2; return 1; }
    # Roles log in with passwords over TCP; the superuser uses the cluster's own socket.
    _svc_run_pg sh -c "printf '%s\n' 'local all postgres trust' \
        'host all all 127.0.0.1/32 scram-sha-256' > '$_SVC_PGDATA/pg_hba.conf'"
    _svc_run_pg "$_SVC_PGBIN/pg_ctl" -D "$_SVC_PGDATA" -w -t 60 -l "$_SVC_PGROOT/server.log" \
        -o "-p $port -k $_SVC_PGROOT -c listen_addresses=127.0.0.1 -c fsync=off" start \
        >/dev/null || { cat "$_SVC_PGROOT/server.log" >&2; return 1; }
    _svc_run_pg "$_SVC_PGBIN/psql" -q -v ON_ERROR_STOP=1 -h "$_SVC_PGROOT" -p "$port" \
        -U postgres -d postgres -c "CREATE ROLE allocator_owner LOGIN PASSWORD '$owner_pw'" \
        -c "CREATE ROLE allocator_service LOGIN PASSWORD '$service_pw'" \
        -c "CREATE DATABASE allocator_test OWNER allocator_owner" >/dev/null
    local base="127.0.0.1:$port/allocator_test"
    export ALLOCATOR_TEST_POSTGRES_URL="postgresql+psycopg://allocator_owner:$owner_pw@$base"
    export ALLOCATOR_TEST_POSTGRES_SERVICE_URL="postgresql+psycopg://allocator_service:$service_pw@$base"
    export ALLOCATOR_TEST_POSTGRES_SERVICE_ROLE=allocator_service
    _svc_log "PostgreSQL $("$_SVC_PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

_svc_start

#!/usr/bin/env bash
# The deploy examples (docs/operations.md, "Deploy"), checked as far as this
# machine allows (no Docker daemon, no Kubernetes cluster, no running systemd):
#
# 1. Kubernetes (examples/kubernetes/*.yaml): every document against the
#    Kubernetes API's JSON schemas, strictly (unknown keys refused), with the
#    npm package kubernetes-models (tests/tools/validate_k8s.mjs); broken
#    copies must be refused. Then what the examples promise: the CronJobs
#    Forbid concurrent runs and run `cartsync run --due`, the parallel one is
#    an Indexed Job of N > 1 pods, pods run non-root with a read-only root
#    filesystem and an emptyDir on /tmp, credentials come from the Secret, and
#    the project in the ConfigMaps passes `cartsync check` (its state URL a
#    postgres:// one with the password a secret), every env: reference in it
#    being a key of the Secret.
# 2. systemd (examples/systemd/): `systemd-analyze verify` of the service and
#    the timer, with no output at all (it only warns about unknown keys); the
#    binary path points at the staged binary, MANPATH at its man pages (the
#    units' Documentation=). A broken copy must be refused. Then the unit's
#    ExecStart command line is run (paths moved into a temp dir) on a small
#    project: it must succeed and write the SQLite state and the metrics file.
# 3. Docker: the build steps of the Dockerfile are
#    tools/scripts/docker-build-steps.sh, run here into a temp prefix (reusing
#    BUILD_DIR's build: CARTSYNC_BUILD_DIR), and the staged binary must run
#    `--version` as an unprivileged user; every shared library it needs must
#    come from the runtime stage's packages or bookworm-slim's base; the
#    Dockerfile must RUN nothing but that script, run as a non-root USER from
#    debian:bookworm-slim, with ENTRYPOINT cartsync.
#
# Usage: deploy_check.sh BUILD_DIR (built, with its cartsync target)
set -euo pipefail
build="$(realpath "$1")"
root="$(cd "$(dirname "$0")/../.." && pwd)"
prefix="${AJV_PREFIX:-$root/build/node}"
k8s="$root/examples/kubernetes"
sd="$root/examples/systemd"
steps="$root/tools/scripts/docker-build-steps.sh"

[[ -d $prefix/node_modules/kubernetes-models ]] && [[ -d $prefix/node_modules/yaml ]] ||
  npm install --silent --no-audit --no-fund --prefix "$prefix" kubernetes-models@5.1.0 yaml@2 >/dev/null
export AJV_PREFIX="$prefix"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/cartsync-deploy.XXXXXX")"
chmod 0755 "$tmp"  # the unprivileged user runs the staged binary from here
trap 'rm -rf "$tmp"' EXIT
# ok, bad, expect, refuse, check_summary; `failures` counts.
source "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"
quiet() {  # quiet COMMAND…: its output only when it fails
  local log="$tmp/quiet.log"
  "$@" >"$log" 2>&1 || { cat "$log" >&2; return 1; }
}

# --- 1. Kubernetes ------------------------------------------------------------------

validate() { node "$root/tests/tools/validate_k8s.mjs" "$@"; }
for f in "$k8s"/*.yaml; do
  expect "kubernetes: $(basename "$f") valid against the Kubernetes schemas (strict)" validate "$f"
done
broken() {  # broken NAME SED-EXPRESSION FILE: a copy with one change, which must be refused
  sed -e "$2" "$3" >"$tmp/broken-$1.yaml"
  cmp -s "$3" "$tmp/broken-$1.yaml" && { bad "broken copy $1: the change did not apply"; return; }
  refuse "kubernetes: refuses $1" validate "$tmp/broken-$1.yaml"
}
broken "a misspelled key" 's/concurrencyPolicy:/concurencyPolicy:/' "$k8s/cronjob.yaml"
broken "a misspelled nested key" 's/readOnlyRootFilesystem:/readOnlyRootFileSystem:/' "$k8s/cronjob.yaml"
broken "a value of the wrong type" 's/runAsNonRoot: true/runAsNonRoot: "yes"/' "$k8s/cronjob.yaml"
broken "an unknown enum value" 's/completionMode: Indexed/completionMode: Indexd/' "$k8s/parallel-runners.yaml"
broken "a missing required field" '/^  schedule:/d' "$k8s/parallel-runners.yaml"
broken "an unknown kind" 's/^kind: Secret/kind: Secrets/' "$k8s/secret.yaml"

# What the manifests promise (python3-yaml).
expect "kubernetes: CronJobs forbid concurrency, run 'cartsync run --due', pods non-root and read-only" \
  python3 - "$k8s" <<'PY'
import glob, sys, yaml
docs = [d for f in sorted(glob.glob(sys.argv[1] + "/*.yaml")) for d in yaml.safe_load_all(open(f)) if d]
crons = [d for d in docs if d["kind"] == "CronJob"]
assert len(crons) == 2, "two CronJobs"
indexed = 0
for c in crons:
    name = c["metadata"]["name"]
    assert c["spec"]["concurrencyPolicy"] == "Forbid", name
    job = c["spec"]["jobTemplate"]["spec"]
    if job.get("completionMode") == "Indexed":
        assert job["parallelism"] > 1 and job["completions"] == job["parallelism"], name
        indexed += 1
    pod = job["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0, name
    assert pod["restartPolicy"] == "Never", name
    (ctr,) = pod["containers"]
    assert ctr["args"][:2] == ["run", "--due"], (name, ctr["args"])
    sc = ctr["securityContext"]
    assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False, name
    assert sc["capabilities"]["drop"] == ["ALL"], name
    mounts = {m["mountPath"]: m["name"] for m in ctr["volumeMounts"]}
    vols = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in vols[mounts["/tmp"]], name
    assert vols[mounts["/project"]]["configMap"]["name"] == "cartsync-project", name
    assert vols[mounts["/project/carts.d"]]["configMap"]["name"] == "cartsync-carts", name
    assert ctr["envFrom"] == [{"secretRef": {"name": "cartsync-credentials"}}], name
    assert ctr["args"][-1] == "/project", name
assert indexed == 1, "one Indexed Job of parallel runners"
PY

# The project the ConfigMaps carry, written out as the pods see it: the
# kubelet's layout of a ConfigMap volume (each key a symlink KEY ->
# ..data/KEY, ..data a symlink to a timestamped directory), carts.d nested in
# the project's mount.
expect "kubernetes: the ConfigMaps' project written out (as ConfigMap volumes lay it out)" \
  python3 - "$k8s" "$tmp/k8s-project" <<'PY'
import os, sys, yaml
src, out = sys.argv[1], sys.argv[2]
docs = [d for d in yaml.safe_load_all(open(src + "/project-configmap.yaml")) if d]
where = {"cartsync-project": out, "cartsync-carts": out + "/carts.d"}
for d in docs:
    mount = where[d["metadata"]["name"]]
    stamp = os.path.join(mount, "..2026_01_01_00_00_00.000000001")
    os.makedirs(stamp)
    os.symlink(os.path.basename(stamp), os.path.join(mount, "..data"))
    for k, v in d["data"].items():
        open(os.path.join(stamp, k), "w").write(v)
        os.symlink("..data/" + k, os.path.join(mount, k))
PY
expect "kubernetes: the ConfigMaps' project passes cartsync check" \
  quiet "$build/tools/cartsync" check "$tmp/k8s-project"
expect "kubernetes: its state is postgres://, the password a secret reference, not in the URL" \
  bash -c '"$1" plan "$2" --format json >"$3" && python3 - "$3" <<'"'"'PY'"'"'
import json, sys
state = json.load(open(sys.argv[1]))["state"]
assert state["url"].startswith("postgres://") and "@" in state["url"], state
assert ":" not in state["url"].split("://")[1].split("@")[0], state
assert state["password"]["secret"].startswith("env:"), state
PY' _ "$build/tools/cartsync" "$tmp/k8s-project" "$tmp/k8s-plan.json"
expect "kubernetes: every env: secret the project names is a key of the Secret" python3 - "$k8s" "$tmp/k8s-project" <<'PY'
import glob, re, sys, yaml
secret = [d for d in yaml.safe_load_all(open(sys.argv[1] + "/secret.yaml")) if d][0]
keys = set(secret["stringData"])
names = set()
for f in glob.glob(sys.argv[2] + "/**/*.toml", recursive=True):
    names |= set(re.findall(r'secret\s*=\s*"env:(\w+)"', open(f).read()))
assert names and names <= keys, (sorted(names - keys), sorted(keys))
PY

# --- 3 (first: 2 uses its staged binary). Docker build steps ------------------------

staging="$tmp/staging/usr/local"
expect "docker: docker-build-steps.sh build (reusing $build) installs into a staging prefix" \
  quiet env CARTSYNC_BUILD_DIR="$build" bash "$steps" build "$root" "$staging"
bin="$staging/bin/cartsync"
chmod -R a+rX "$tmp/staging"
if [[ $(id -u) -eq 0 ]]; then
  expect "docker: the staged binary runs --version as an unprivileged user (nobody)" \
    runuser -u nobody -- "$bin" --version
else
  expect "docker: the staged binary runs --version (as $(id -un))" "$bin" --version
fi
expect "docker: man pages and completions staged" test -f "$staging/share/man/man1/cartsync-run.1"
# Each library the binary needs (NEEDED, resolved by ldd) belongs to a runtime-stage package
# or to a package debian:bookworm-slim always has.
runtime_libs_ok() {
  local base="libc6 libgcc-s1 libstdc++6 zlib1g" pkgs lib path pkg missing=0
  pkgs=" $(bash "$steps" runtime-packages | tr '\n' ' ') $base "
  for lib in $(objdump -p "$bin" | awk '/NEEDED/ {print $2}'); do
    path=$(ldd "$bin" | awk -v l="$lib" '$1 == l {print $3}')
    path=$(readlink -f "$path")
    pkg=$(dpkg -S "$path" 2>/dev/null || dpkg -S "${path#/usr}" 2>/dev/null || dpkg -S "/usr$path" 2>/dev/null || true)
    pkg=${pkg%%:*}
    if [[ -z $pkg || $pkgs != *" $pkg "* ]]; then
      printf '  %s (%s) comes from "%s", not a runtime package\n' "$lib" "$path" "$pkg" >&2
      missing=1
    fi
  done
  return $missing
}
expect "docker: every shared library the binary needs is in the runtime stage's packages" runtime_libs_ok
dockerfile_ok() {
  local f="$root/Dockerfile" runs
  grep -qE '^FROM debian:bookworm AS build$' "$f" || { echo "  no 'FROM debian:bookworm AS build'" >&2; return 1; }
  grep -qE '^FROM debian:bookworm-slim AS runtime$' "$f" || { echo "  no bookworm-slim runtime stage" >&2; return 1; }
  # Every RUN (with its continuation lines) runs only docker-build-steps.sh (and an rm of it).
  runs=$(awk '/^RUN / {cont = 1} cont {print} cont && !/\\$/ {cont = 0}' "$f" |
    sed -E 's/^RUN //; s/\\$//; s/&&/\n/g' | sed -E 's/^ +//; s/ +$//' | grep -v '^$' |
    grep -vE '^(BUILD_DIR=[^ ]+ )?/usr/local/sbin/docker-build-steps.sh (build-deps|build /src /staging/usr/local|runtime-deps|user)$' |
    grep -vE '^rm /usr/local/sbin/docker-build-steps.sh$' || true)
  [[ -z $runs ]] || { printf '  a RUN step outside docker-build-steps.sh: %s\n' "$runs" >&2; return 1; }
  local user
  user=$(awk '/^USER / {u = $2} END {print u}' "$f")
  [[ -n $user && ${user%%:*} != 0 && ${user%%:*} != root ]] || { echo "  the last USER is '$user'" >&2; return 1; }
  grep -qF 'ENTRYPOINT ["/usr/local/bin/cartsync"]' "$f" || { echo "  no ENTRYPOINT cartsync" >&2; return 1; }
  grep -qF 'COPY --from=build /staging/usr/local/ /usr/local/' "$f" || { echo "  the staging prefix is not copied" >&2; return 1; }
  # The user the script creates is the USER the image runs as.
  grep -qE "^CARTSYNC_UID=${user%%:*}\$" "$steps" || { echo "  USER $user is not docker-build-steps.sh's uid" >&2; return 1; }
}
expect "docker: the Dockerfile runs only docker-build-steps.sh, as a non-root USER, ENTRYPOINT cartsync" dockerfile_ok
dockerignore_ok() {
  local p
  for p in .git build 'build-*' '**/node_modules' '**/.cartsync' '*.db'; do
    grep -qxF "$p" "$root/.dockerignore" || { echo "  .dockerignore lacks $p" >&2; return 1; }
  done
}
expect "docker: .dockerignore keeps build trees, git, state and node modules out" dockerignore_ok

# --- 2. systemd -------------------------------------------------------------------------

if command -v systemd-analyze >/dev/null; then
  units="$tmp/units"
  mkdir -p "$units" "$tmp/man"
  for u in cartsync.service cartsync.timer; do
    sed "s|/usr/local/bin/cartsync|$bin|g" "$sd/$u" >"$units/$u"
  done
  verify_quiet() {  # no output at all: verify only warns about unknown keys and options
    local out rc=0
    out=$(MANPATH="$staging/share/man" systemd-analyze verify "$@" 2>&1) || rc=$?
    [[ -n $out ]] && printf '%s\n' "$out" >&2
    [[ $rc -eq 0 && -z $out ]]
  }
  expect "systemd: systemd-analyze verify cartsync.service cartsync.timer (no warnings)" \
    verify_quiet "$units/cartsync.service" "$units/cartsync.timer"
  mkdir -p "$tmp/broken-units"
  sed 's/^Type=oneshot/Typ=oneshot/' "$units/cartsync.service" >"$tmp/broken-units/cartsync.service"
  refuse "systemd: refuses a unit with a misspelled key" verify_quiet "$tmp/broken-units/cartsync.service"
  sed 's/^ProtectSystem=strict/ProtectSystem=strictly/' "$units/cartsync.service" >"$tmp/broken-units/cartsync.service"
  refuse "systemd: refuses a unit with a bad value" verify_quiet "$tmp/broken-units/cartsync.service"
else
  bad "systemd: systemd-analyze is not installed (Debian package systemd)"
fi
expect "systemd: the unit is hardened (DynamicUser, ProtectSystem=strict, StateDirectory, EnvironmentFile) and oneshot" \
  bash -c 'for l in Type=oneshot DynamicUser=yes ProtectSystem=strict StateDirectory=cartsync \
    EnvironmentFile=/etc/cartsync/credentials.env NoNewPrivileges=yes; do grep -qx "$l" "$1" || { echo "  no $l" >&2; exit 1; }; done
    grep -q "^ExecStart=/usr/local/bin/cartsync run --due " "$1"' _ "$sd/cartsync.service"
# The ExecStart line itself, its paths moved into $tmp: a project of one cart
# whose services are off (nothing to reach over the network) must run and
# leave the SQLite state and the metrics file in the state directory.
mkdir -p "$tmp/etc/cartsync/carts.d" "$tmp/var/lib/cartsync"
cat >"$tmp/etc/cartsync/cartsync.toml" <<'EOF'
[wms.main]
system = "directory"
path = "exchange"
EOF
cat >"$tmp/etc/cartsync/carts.d/acme.toml" <<'EOF'
[cart]
id = "acme"
client = "acme"
platform = "shopify"

[api]
store_url = "https://acme.myshopify.com"
access_token = { secret = "env:ACME_SHOPIFY_TOKEN" }
EOF
exec_start=$(sed -n 's/^ExecStart=//p' "$sd/cartsync.service" |
  sed "s|/usr/local/bin/cartsync|$bin|; s|/var/lib/cartsync|$tmp/var/lib/cartsync|g; s|/etc/cartsync|$tmp/etc/cartsync|g")
expect "systemd: the unit's ExecStart command runs (exit 0)" quiet bash -c "$exec_start"
expect "systemd: ... and leaves state.db and cartsync.prom in the state directory" \
  test -s "$tmp/var/lib/cartsync/state.db" -a -s "$tmp/var/lib/cartsync/cartsync.prom"

if [[ $failures -gt 0 ]]; then
  echo "$failures deploy check(s) failed" >&2
  exit 1
fi
echo "all deploy checks passed"

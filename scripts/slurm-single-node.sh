#!/usr/bin/env bash
# A single-node Slurm cluster on this machine (munged, slurmctld and slurmd), for the tests that
# submit `sim sweep --emit-jobs` job arrays to the real scheduler. Needs root and Debian's
# `slurm-wlm` and `munge` (installed by .ci/run).
#
#   scripts/slurm-single-node.sh start    # idempotent: does nothing when the node is already up
#   scripts/slurm-single-node.sh stop     # stops what start started and removes its state
#   scripts/slurm-single-node.sh status   # exit 0 when the node accepts jobs
#
# What makes Slurm 22.05 work as root in a container without systemd or cgroups:
# ProctrackType=proctrack/linuxproc, TaskPlugin=task/none, no cgroup.conf, SlurmUser=root, a
# munge key under /etc/munge owned by munge, and ReturnToService=2 (a node that was down comes
# back by itself once slurmd registers).
set -euo pipefail

CONF=/etc/slurm/slurm.conf
MARK="# peercast-sim single-node test cluster (scripts/slurm-single-node.sh)"
STATE=/var/lib/peercast-slurm
RUN=/run/peercast-slurm
NODE=$(hostname -s)

die() { echo "slurm-single-node: $*" >&2; exit 1; }

node_ready() {
  # The node is up when sinfo (through slurmctld) reports it idle, mixed or allocated.
  local state
  state=$(timeout 5 sinfo -h -n "$NODE" -o %T 2>/dev/null | head -n1) || return 1
  case "$state" in idle*|mix*|alloc*|completing*) return 0 ;; *) return 1 ;; esac
}

start_munge() {
  if timeout 5 munge -n </dev/null 2>/dev/null | timeout 5 unmunge >/dev/null 2>&1; then return; fi
  if [ ! -s /etc/munge/munge.key ]; then
    mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null ||
      dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown munge:munge /etc/munge/munge.key
  chmod 400 /etc/munge/munge.key
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 1 50); do
    if munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then return; fi
    sleep 0.1
  done
  die "munged did not start"
}

write_config() {
  if [ -e "$CONF" ] && ! head -n1 "$CONF" | grep -qF "$MARK"; then
    die "$CONF exists and was not written by this script; not touching it"
  fi
  local cpus memory
  cpus=$(nproc)
  # Declare less memory than the machine has, so slurmd never drains the node for having less.
  memory=$(( $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) / 2 ))
  mkdir -p /etc/slurm "$STATE/ctld" "$STATE/d" "$RUN"
  cat >"$CONF" <<CONFIG
$MARK
ClusterName=peercast
SlurmctldHost=$NODE
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
SlurmctldLogFile=$STATE/slurmctld.log
SlurmdLogFile=$STATE/slurmd.log
NodeName=$NODE CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONFIG
}

start() {
  [ "$(id -u)" -eq 0 ] || die "must run as root"
  command -v slurmctld >/dev/null || die "slurm-wlm is not installed"
  if node_ready; then echo "slurm-single-node: already running ($NODE)"; return; fi
  start_munge
  write_config
  pgrep -x slurmctld >/dev/null || /usr/sbin/slurmctld -i
  pgrep -x slurmd >/dev/null || /usr/sbin/slurmd
  for _ in $(seq 1 100); do
    if node_ready; then echo "slurm-single-node: started ($NODE)"; return; fi
    sleep 0.2
  done
  # A node left down by an earlier run: ReturnToService=2 revives it on registration, and an
  # explicit resume covers a node that registered before the controller was ready.
  scontrol update NodeName="$NODE" State=RESUME 2>/dev/null || true
  for _ in $(seq 1 100); do
    if node_ready; then echo "slurm-single-node: started ($NODE)"; return; fi
    sleep 0.2
  done
  die "the node did not come up; see $STATE/slurmctld.log and $STATE/slurmd.log"
}

stop_pid() {
  local file=$1
  [ -s "$file" ] || return 0
  local pid
  pid=$(cat "$file")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$file"
}

stop() {
  stop_pid "$RUN/slurmd.pid"
  stop_pid "$RUN/slurmctld.pid"
  stop_pid /run/munge/munged.pid
  if [ -e "$CONF" ] && head -n1 "$CONF" | grep -qF "$MARK"; then rm -f "$CONF"; fi
  rm -rf "$STATE" "$RUN"
  echo "slurm-single-node: stopped"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) node_ready ;;
  *) die "usage: $0 start|stop|status" ;;
esac

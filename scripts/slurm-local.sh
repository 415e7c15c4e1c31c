#!/usr/bin/env bash
# A one-host SLURM cluster for tests and CI (Debian's slurm-wlm and munge): munged, slurmctld
# and slurmd on this machine, one partition "local" holding this host.
#
#   scripts/slurm-local.sh start    # installs the packages if missing, writes the config, starts
#   scripts/slurm-local.sh stop     # stops the daemons started by start
#   scripts/slurm-local.sh status   # sinfo, or exit 1 when the cluster is not up
#
# Everything lives under $MMOE_SLURM_DIR (default /tmp/mmoe-slurm): slurm.conf, state, spool,
# logs, pid files. Client commands need SLURM_CONF=$MMOE_SLURM_DIR/slurm.conf (start prints it).
# Root only (the daemons run as root; munged as its own user). Not for production clusters.
set -euo pipefail

dir=${MMOE_SLURM_DIR:-/tmp/mmoe-slurm}
conf=$dir/slurm.conf
host=$(hostname -s)

die() { echo "slurm-local: $*" >&2; exit 1; }

start() {
  [ "$(id -u)" -eq 0 ] || die "run as root (the daemons need it)"
  if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >/dev/null
  fi
  mkdir -p "$dir/state" "$dir/spool" /run/munge /var/log/munge /var/lib/munge /etc/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge /etc/munge
  chmod 0755 /run/munge
  if [ ! -s /etc/munge/munge.key ]; then
    if command -v mungekey >/dev/null; then mungekey --create --force >/dev/null 2>&1 || true; fi
    if [ ! -s /etc/munge/munge.key ]; then
      dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
    fi
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
  fi
  if ! pgrep -x munged >/dev/null; then
    runuser -u munge -- /usr/sbin/munged
  fi
  # More CPUs than the host has, so tests can run several small jobs side by side; slurmd is
  # told to accept the configured numbers (config_overrides).
  local cpus=$(( $(nproc) > 8 ? $(nproc) : 8 ))
  local memory=$(( $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) - 512 ))
  cat > "$conf" <<CONF
ClusterName=mmoe-local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SlurmdParameters=config_overrides
ReturnToService=2
JobRequeue=1
KillWait=30
MinJobAge=300
SlurmctldTimeout=30
SlurmdTimeout=30
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF=$conf
  slurmctld -f "$conf"
  slurmd -f "$conf"
  for _ in $(seq 1 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
      echo "slurm-local: up ($host, $cpus CPUs); export SLURM_CONF=$conf"
      return 0
    fi
    scontrol update NodeName="$host" State=RESUME >/dev/null 2>&1 || true
    sleep 1
  done
  die "the node did not come up; see $dir/slurmctld.log and $dir/slurmd.log"
}

stop() {
  for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid"; do
    if [ -s "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
  done
  sleep 1
  echo "slurm-local: stopped"
}

status() {
  [ -f "$conf" ] || die "not started (no $conf)"
  SLURM_CONF=$conf sinfo
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: scripts/slurm-local.sh start|stop|status" ;;
esac

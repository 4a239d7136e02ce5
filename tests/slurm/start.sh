#!/usr/bin/env bash
# Start a one-node Slurm on this machine (Debian's slurmctld, slurmd and munge; run as root), for the SLURM
# sweep test (tests/test_slurm.py) and .ci/run. Idempotent: a node that already answers idle is left alone.
# Writes /etc/slurm/slurm.conf (only if absent or written by this script), starts munged, slurmctld and slurmd,
# and waits until `sinfo` shows the node idle. Exit 0 when it is; 1 with the reason otherwise.
set -euo pipefail
host=$(hostname -s)
conf=/etc/slurm/slurm.conf
marker="# written by grassroots tests/slurm/start.sh"

state() { sinfo -h -N -n "$host" -o %T 2>/dev/null | head -n1 | tr -d '*~#'; }

if [[ "$(state)" =~ ^(idle|mixed|allocated)$ ]]; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "tests/slurm/start.sh: must run as root (it starts munged, slurmctld and slurmd)" >&2
  exit 1
fi
for bin in munged slurmctld slurmd sinfo; do
  command -v "$bin" >/dev/null || { echo "tests/slurm/start.sh: $bin not found (apt-get install slurmctld slurmd slurm-client munge)" >&2; exit 1; }
done

# memory Slurm may hand out: what the machine has less 1 GB, at most 8 GB (jobs ask for less)
mem=$(awk '/MemTotal/ {m = int($2 / 1024) - 1024; if (m > 8192) m = 8192; print m}' /proc/meminfo)
cpus=$(nproc)
if [[ ! -f $conf ]] || grep -qF "$marker" "$conf"; then
  mkdir -p /etc/slurm
  cat > "$conf" <<CONF
$marker
ClusterName=grassroots
SlurmctldHost=$host
AuthType=auth/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
SlurmdTimeout=60
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
fi
mkdir -p /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true

if ! pgrep -x munged >/dev/null; then
  [[ -s /etc/munge/munge.key ]] || { dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
  runuser -u munge -- /usr/sbin/munged
fi
pgrep -x slurmctld >/dev/null || slurmctld
pgrep -x slurmd >/dev/null || slurmd

for _ in $(seq 1 60); do
  s=$(state)
  case "$s" in
    idle|mixed|allocated) exit 0 ;;
    down|drained|draining|drain) scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true ;;
  esac
  sleep 1
done
echo "tests/slurm/start.sh: node $host is not idle after 60 s (state: ${s:-none}); see /var/log/slurm/*.log" >&2
exit 1

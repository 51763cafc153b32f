# shellcheck shell=bash
# The slurm.conf lines both test clusters share (scripts/slurm_cluster.sh, the single node, and
# scripts/ns_cluster.sh, the namespace nodes): their plugins, scheduler and timeouts. Sourced by
# both; it only defines functions. Each cluster writes its own names, hosts, ports and paths
# around these.

# slurm_conf_plugins [MORE_SCHED_PARAMS]: logging levels, plugins and the scheduler. MORE is
# appended to SchedulerParameters (e.g. ",default_queue_depth=200").
slurm_conf_plugins() {
  cat <<CONF
SlurmctldDebug=info
SlurmdDebug=info
MpiDefault=none
SwitchType=switch/none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,sched_interval=2,bf_interval=1${1:-}
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
CONF
}

# slurm_conf_timing MIN_JOB_AGE [requeue] [CTLD_TIMEOUT]: nodes back in service, how long
# finished jobs stay known, and timeouts short enough for tests. "requeue" writes JobRequeue=1;
# a CTLD_TIMEOUT writes SlurmctldTimeout.
slurm_conf_timing() {
  echo "ReturnToService=2"
  if [[ ${2:-} == requeue ]]; then echo "JobRequeue=1"; fi
  cat <<CONF
MinJobAge=$1
KillWait=5
InactiveLimit=0
Waittime=0
MessageTimeout=10
CONF
  if [[ -n ${3:-} ]]; then echo "SlurmctldTimeout=$3"; fi
  cat <<CONF
SlurmdTimeout=60
TCPTimeout=5
CONF
}

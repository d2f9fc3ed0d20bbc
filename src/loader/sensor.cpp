#include "loader/sensor.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/membarrier.h>
#include <spdlog/spdlog.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <string>

#include "loader/kretprobe.h"
#include "loader/lru_evictions.h"
#include "nightjar/abi.h"
#include "nightjar_bpf.skel.h"
#include "util/files.h"
#include "util/host.h"

namespace nj {

const char* to_string(Transport t) { return t == Transport::ringbuf ? "ringbuf" : "perfbuf"; }

namespace {

// A verifier log is one message of up to megabytes: it is kept whole.
int libbpf_log(enum libbpf_print_level level, const char* fmt, va_list args) {
  va_list copy;
  va_copy(copy, args);
  const int len = vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  if (len <= 0) return 0;
  std::string buf(static_cast<size_t>(len) + 1, '\0');
  vsnprintf(buf.data(), buf.size(), fmt, args);
  buf.resize(static_cast<size_t>(len));
  while (!buf.empty() && buf.back() == '\n') buf.pop_back();
  switch (level) {
    case LIBBPF_WARN: spdlog::warn("libbpf: {}", buf); break;
    case LIBBPF_INFO: spdlog::debug("libbpf: {}", buf); break;
    default: spdlog::trace("libbpf: {}", buf); break;
  }
  return 0;
}

bool is_pow2(uint64_t v) { return v && !(v & (v - 1)); }

}  // namespace

void route_libbpf_logs() { libbpf_set_print(libbpf_log); }

void SkeletonDeleter::operator()(::nightjar_bpf* skel) const { nightjar_bpf__destroy(skel); }
void LinkDeleter::operator()(::bpf_link* link) const { bpf_link__destroy(link); }

Result<std::unique_ptr<Sensor>> Sensor::open(const SensorConfig& config, const KernelFeatures& features) {
  if (!features.btf())
    return Error{ENOENT, "kernel BTF not found at /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF is required)"};
  if (config.transport == Transport::ringbuf && !features.ringbuf())
    return Error{ENOTSUP, "this kernel has no BPF ring buffer: use --transport perfbuf"};
  if (!is_pow2(config.ringbuf_bytes) || config.ringbuf_bytes < 4096)
    return Error{EINVAL, "ring buffer size must be a power of two of at least 4096 bytes"};
  if (!is_pow2(config.perf_pages)) return Error{EINVAL, "perf buffer pages must be a power of two"};

  std::unique_ptr<Sensor> s(new Sensor());
  s->config_ = config;
  s->skel_.reset(nightjar_bpf__open());
  if (!s->skel_) return os_error(errno, "opening the BPF object");
  if (auto r = s->configure(features); !r) return r.error();
  if (int err = nightjar_bpf__load(s->skel_.get()); err)
    return os_error(err, "loading BPF programs (run with -v for the verifier log)");
  if (auto g = GracePeriod::create()) s->grace_.emplace(std::move(*g));
  else spdlog::debug("{}", g.error().message);
  if (config.attach && !config.load_all_of) {
    if (auto r = s->attach_all(); !r) return r.error();
  }
  return s;
}

// The member order destroys the links before the skeleton.
Sensor::~Sensor() = default;

void Sensor::stop() {
  if (skel_->bss) {
    __atomic_store_n(&skel_->bss->nj_stopping, true, __ATOMIC_SEQ_CST);
  } else {
    // No mmapped global data (kernels before 5.5): the flag goes in through
    // the map, with whatever else the section holds.
    const __u32 key = 0;
    std::vector<char> data(bpf_map__value_size(skel_->maps.bss));
    auto* flag = reinterpret_cast<decltype(skel_->bss)>(data.data());
    if (bpf_map_lookup_elem(bpf_map__fd(skel_->maps.bss), &key, data.data()) == 0) {
      flag->nj_stopping = true;
      bpf_map_update_elem(bpf_map__fd(skel_->maps.bss), &key, data.data(), BPF_ANY);
    }
  }
  // A program that read the flag before it was set may still be sending:
  // after a grace period, what those programs sent is in the buffers and
  // counted (grace_period.h says why not membarrier alone).
  wait_for_running_programs();
  // Nothing is sent any more: the order no longer matters, but the links go
  // in the reverse of their attach order all the same.
  while (!links_.empty()) links_.pop_back();
  link_progs_.clear();
  // Their misses are read before they go: the final report still has them.
  kretprobe_missed_ = kretprobe_misses();
  kretprobes_.clear();
}

void Sensor::wait_for_running_programs() const {
  if (grace_) {
    auto r = grace_->wait();
    if (r) return;
    spdlog::debug("{}; trying membarrier", r.error().message);
  }
  // Without either, destroying the links gives them about the same time in
  // practice.
  if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) != 0)
    spdlog::debug("membarrier: {}; stopping without waiting for a grace period", std::strerror(errno));
}

Result<void> Sensor::configure(const KernelFeatures& features) {
  auto* rodata = skel_->rodata;
  rodata->nj_use_ringbuf = config_.transport == Transport::ringbuf;
  rodata->nj_wakeup_bytes = config_.wakeup_bytes;
  rodata->nj_argv_max = config_.argv_max;
  rodata->nj_self_pid = config_.self_pid;
  rodata->nj_watch_depth = config_.watch_depth;
  rodata->nj_watch_reads = config_.watch_reads;
  rodata->nj_file_modify_window_ns = config_.modify_window_ns;
  rodata->nj_net_conn_end = config_.connection_end;
  rodata->nj_udp_window_ns = config_.udp_window_ns;
  rodata->nj_exec_mem_window_ns = config_.exec_memory_window_ns;

  const int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return os_error(ncpu, "counting CPUs");
  bpf_map__set_max_entries(skel_->maps.nj_scratch_map, ncpu);
  bpf_map__set_max_entries(skel_->maps.nj_net_sock_map, config_.connection_table);
  // As many connects may be awaited as sockets followed.
  bpf_map__set_max_entries(skel_->maps.nj_net_await_map, config_.connection_table);
  bpf_map__set_max_entries(skel_->maps.nj_udp_flow_map, config_.udp_flow_table);
  // The transport not in use keeps its minimum size.
  if (config_.transport == Transport::ringbuf) bpf_map__set_max_entries(skel_->maps.nj_rb, config_.ringbuf_bytes);

  struct bpf_program* prog;
  bpf_object__for_each_program(prog, skel_->obj) bpf_program__set_autoload(prog, false);

  auto enable = [&](const std::string& name) -> struct bpf_program* {
    struct bpf_program* p = bpf_object__find_program_by_name(skel_->obj, name.c_str());
    if (p) bpf_program__set_autoload(p, true);
    return p;
  };

  if (config_.load_all_of) {
    // A program that loads only where its requirement holds
    // (loads_only_where_met) is left out elsewhere: the sensor would attach
    // an alternate for it, or leave its optional hook out
    // (module:module_load without CONFIG_MODULES).
    for (const auto& [prog, need] : programs_with_needs(*config_.load_all_of)) {
      if (loads_only_where_met(*config_.load_all_of, need) && !requirement_met(features, need)) {
        spdlog::info("{} not loadable here: missing {}", prog, describe(need));
        continue;
      }
      if (!enable(prog)) return Error{ENOENT, "program " + prog + " missing from the BPF object"};
    }
    return {};
  }

  choices_ = choose_programs(features, config_.families, config_.backend);
  for (const Choice& c : choices_) {
    if (!c.variant) {
      if (c.hook->required)
        return Error{ENOTSUP, "hook " + c.hook->name + " cannot be attached on this kernel: " + c.reason};
      // An optional hook only adds detail (e.g. script levels with their
      // identities); say what is missing without alarming.
      spdlog::info("optional hook {} not attached ({})", c.hook->name, c.reason);
      programs_.push_back({c.hook->name, "", Backend::tracepoint, false, c.reason});
      continue;
    }
    if (config_.backend && c.variant->backend != *config_.backend) spdlog::warn("hook {}: {}", c.hook->name, c.reason);
    for (size_t i = 0; i < c.variant->programs.size(); i++) {
      const std::string& name = c.variant->programs[i];
      AttachedProgram ap{c.hook->name, name, c.variant->backend, false, ""};
      auto use = program_for(features, *c.variant, i);
      if (!use) {
        ap.error = "missing " + describe(c.variant->needs[i]);
        spdlog::debug("{}: {} skipped ({})", c.hook->name, name, ap.error);
        programs_.push_back(ap);
        continue;
      }
      if (use->program != name) {
        spdlog::info("hook {}: {} instead of {} (missing {})", c.hook->name, use->program, name,
                     describe(c.variant->needs[i]));
        ap.program = use->program;
      }
      if (!enable(ap.program)) return Error{ENOENT, "program " + ap.program + " missing from the BPF object"};
      programs_.push_back(ap);
    }
  }
  return {};
}

// A kretsyscall program goes on a return probe of our own making
// (kretprobe.h says why); where tracefs cannot make one, libbpf's.
LinkPtr Sensor::attach_program(::bpf_program* p) {
  const std::string_view section = bpf_program__section_name(p);
  constexpr std::string_view kret = "kretsyscall/";
  if (section.substr(0, kret.size()) != kret || !tracing_) return LinkPtr(bpf_program__attach(p));
  const std::string_view sys = section.substr(kret.size());
  std::string_view name = bpf_program__name(p);
  if (name.substr(0, 6) == "kret__") name.remove_prefix(6);
  auto probe = open_syscall_kretprobe(*tracing_, kretprobe_event_name(*kretprobe_owner_, name), sys,
                                      kretprobe_maxactive(sys, libbpf_num_possible_cpus()));
  if (!probe) {
    spdlog::warn("{}: {}; using a return probe with the kernel's default room instead", bpf_program__name(p),
                 probe.error().message);
    return LinkPtr(bpf_program__attach(p));
  }
  LinkPtr link(bpf_program__attach_perf_event(p, probe->perf_fd));
  if (link) {
    kretprobes_.push_back(std::move(probe->event));
    return link;
  }
  close(probe->perf_fd);
  spdlog::warn("{}: attaching to its return probe: {}; using libbpf's", bpf_program__name(p), std::strerror(errno));
  {
    KretprobeEvent unused = std::move(probe->event);  // removed before libbpf makes its own
  }
  return LinkPtr(bpf_program__attach(p));
}

// Return probes of a sensor that is gone (killed) each hold their
// instances' memory: removed first. Only from the initial PID namespace,
// where pids and start times are the host's, as in the events' names.
void Sensor::prepare_kretprobes() {
  tracing_ = kprobe_events_dir();
  const auto start = process_start_time(getpid());
  if (!tracing_ || !start) {
    tracing_.reset();
    return;
  }
  static std::atomic<unsigned> sensors{0};
  kretprobe_owner_ = KretprobeOwner{getpid(), *start, ++sensors};
  const auto text = read_file(*tracing_ + "/kprobe_events");
  if (!text || !in_initial_pid_ns()) return;
  const auto stale = stale_kretprobe_events(
      *text, [](const KretprobeOwner& o) { return process_start_time(o.pid) == std::optional<uint64_t>(o.start); });
  if (const size_t n = remove_kprobe_events(*tracing_, stale))
    spdlog::info("removed {} return probes left by a sensor that is gone", n);
}

Result<void> Sensor::attach_all() {
  prepare_kretprobes();
  for (auto& ap : programs_) {
    if (ap.program.empty() || !ap.error.empty()) continue;
    struct bpf_program* p = bpf_object__find_program_by_name(skel_->obj, ap.program.c_str());
    LinkPtr link = attach_program(p);
    if (!link) {
      int err = errno;
      ap.error = std::strerror(err);
      const Hook* hook = nullptr;
      for (auto& c : choices_)
        if (c.hook->name == ap.hook) hook = c.hook;
      if (hook && hook->required) return os_error(err, "attaching " + ap.program + " (hook " + ap.hook + ")");
      spdlog::warn("hook {}: {} not attached: {}", ap.hook, ap.program, ap.error);
      continue;
    }
    ap.attached = true;
    struct bpf_link_info info {};
    uint32_t len = sizeof(info);
    const bool is_link = bpf_obj_get_info_by_fd(bpf_link__fd(link.get()), &info, &len) == 0;
    link_progs_.emplace_back(ap.program, is_link ? info.prog_id : 0);
    links_.push_back(std::move(link));
  }
  return {};
}

Result<void> Sensor::add_watch(const nj_watch_key& key, const nj_watch& value) {
  if (bpf_map_update_elem(bpf_map__fd(skel_->maps.nj_watch_map), &key, &value, BPF_ANY) != 0)
    return os_error(errno, "adding a file watch");
  return {};
}

Result<void> Sensor::exclude_fs(uint32_t magic) {
  const uint32_t one = 1;
  if (bpf_map_update_elem(bpf_map__fd(skel_->maps.nj_fs_exclude_map), &magic, &one, BPF_ANY) != 0)
    return os_error(errno, "excluding a filesystem");
  return {};
}

namespace {

// The keys first, then the deletions: a hash map iterated while deleting
// can start over or skip keys.
template <class K>
Result<size_t> retain_keys(int fd, const std::function<bool(const K&)>& keep, const char* what) {
  std::vector<K> gone;
  K key{}, next{};
  const K* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, &next) == 0) {
    if (!keep(next)) gone.push_back(next);
    key = next;
    prev = &key;
  }
  if (errno != ENOENT) return os_error(errno, std::string("listing ") + what);
  for (const K& k : gone)
    if (bpf_map_delete_elem(fd, &k) != 0 && errno != ENOENT) return os_error(errno, std::string("removing ") + what);
  return gone.size();
}

}  // namespace

Result<size_t> Sensor::retain_watches(const std::function<bool(const nj_watch_key&)>& keep) {
  return retain_keys<nj_watch_key>(bpf_map__fd(skel_->maps.nj_watch_map), keep, "file watches");
}

Result<size_t> Sensor::retain_excluded_fs(const std::function<bool(uint32_t)>& keep) {
  return retain_keys<uint32_t>(bpf_map__fd(skel_->maps.nj_fs_exclude_map), keep, "excluded filesystems");
}

std::vector<std::string> Sensor::detached_programs() const {
  std::vector<std::string> gone;
  for (size_t i = 0; i < links_.size() && i < link_progs_.size(); i++) {
    const auto& [name, prog_id] = link_progs_[i];
    struct bpf_link_info info {};
    uint32_t len = sizeof(info);
    // Only an answer is evidence: a refused query (EPERM where the kernel
    // wants CAP_BPF for every bpf() command) says nothing about the link.
    if (prog_id && bpf_obj_get_info_by_fd(bpf_link__fd(links_[i].get()), &info, &len) == 0 && info.prog_id != prog_id)
      gone.push_back(name);
  }
  return gone;
}

int Sensor::ringbuf_fd() const { return bpf_map__fd(skel_->maps.nj_rb); }
int Sensor::perf_fd() const { return bpf_map__fd(skel_->maps.nj_perf); }

std::vector<ProgramStats> Sensor::program_stats() const {
  std::vector<ProgramStats> out;
  struct bpf_program* prog;
  bpf_object__for_each_program(prog, skel_->obj) {
    int fd = bpf_program__fd(prog);
    if (fd < 0) continue;
    struct bpf_prog_info info = {};
    __u32 len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) continue;
    out.push_back(
        {bpf_program__name(prog), info.verified_insns, info.xlated_prog_len / 8, info.run_cnt, info.run_time_ns});
  }
  return out;
}

uint64_t Sensor::kretprobe_misses() const {
  if (kretprobes_.empty()) return 0;
  std::vector<std::string> events;
  for (const auto& k : kretprobes_) events.push_back(k.event());
  const auto profile = read_file(*tracing_ + "/kprobe_profile", 16 << 20);
  return profile ? kprobe_misses(*profile, events) : 0;
}

namespace {

// The entries of a hash map now, read in batches of whole buckets (each
// under its lock): an entry there throughout is counted once, even while
// programs add and delete others.
Result<uint64_t> count_entries(const struct bpf_map* map) {
  constexpr uint32_t kBatch = 1024;
  std::vector<char> keys(size_t{kBatch} * bpf_map__key_size(map));
  std::vector<char> values(size_t{kBatch} * bpf_map__value_size(map));
  uint64_t in = 0, out = 0, total = 0;
  for (bool first = true;; first = false) {
    __u32 n = kBatch;
    const int err =
        bpf_map_lookup_batch(bpf_map__fd(map), first ? nullptr : &in, &out, keys.data(), values.data(), &n, nullptr);
    if (err && errno != ENOENT) return os_error(errno, std::string("counting the entries of ") + bpf_map__name(map));
    total += n;
    if (err) return total;  // ENOENT: this batch was the last
    in = out;
  }
}

// An LRU table whose evictions are counted (lru_evictions.h): its
// programs' counters of adds under a new key and of deletes (none: they
// never delete), and the last count.
using StatField = decltype(nj_cpu_stats::net_sock_added) nj_cpu_stats::*;
struct CountedTable {
  const struct bpf_map* map;
  StatField added;
  StatField removed;
  uint64_t* evicted;
};

uint64_t stat_sum(const std::vector<struct nj_cpu_stats>& per, StatField field) {
  uint64_t n = 0;
  for (const auto& p : per) n += p.*field;
  return n;
}

}  // namespace

Result<KernelCounters> Sensor::counters() const {
  const int ncpu = libbpf_num_possible_cpus();
  std::vector<struct nj_cpu_stats> per(static_cast<size_t>(ncpu));
  __u32 key = 0;
  if (bpf_map_lookup_elem(bpf_map__fd(skel_->maps.nj_stats), &key, per.data()) != 0)
    return os_error(errno, "reading nj_stats");
  // The LRU tables' evictions: their adds before their entries are
  // counted, their deletes after (lru_evictions.h).
  const std::array<CountedTable, 2> tables{{
      {skel_->maps.nj_net_sock_map, &nj_cpu_stats::net_sock_added, &nj_cpu_stats::net_sock_removed, &sock_evicted_},
      {skel_->maps.nj_udp_flow_map, &nj_cpu_stats::net_udp_added, nullptr, &udp_evicted_},
  }};
  std::vector<Result<uint64_t>> live;
  for (const auto& t : tables) live.push_back(count_entries(t.map));
  std::vector<struct nj_cpu_stats> after(per.size());
  const bool read_after = bpf_map_lookup_elem(bpf_map__fd(skel_->maps.nj_stats), &key, after.data()) == 0;
  for (size_t i = 0; i < tables.size(); i++) {
    const CountedTable& t = tables[i];
    if (live[i] && read_after)
      *t.evicted =
          lru_evictions(stat_sum(per, t.added), t.removed ? stat_sum(after, t.removed) : 0, *live[i], *t.evicted);
    else
      spdlog::debug("{} evictions not counted this time: {}", bpf_map__name(t.map),
                    live[i] ? "reading nj_stats failed" : live[i].error().message);
  }
  KernelCounters c;
  c.sock_evicted = sock_evicted_;
  c.udp_flow_evicted = udp_evicted_;
  for (size_t i = 0; i < per.size(); i++) {
    for (size_t f = 0; f < NJ_FAM_MAX; f++) {
      c.sent_by_family[f] += per[i].sent[f];
      c.lost_by_family[f] += per[i].lost[f];
    }
    c.enter_map_full += per[i].enter_map_full;
    c.read_errors += per[i].read_errors;
    c.scratch_busy += per[i].scratch_busy;
    c.file_folded += per[i].file_deduped;
    c.file_excluded += per[i].file_filtered;
    c.udp_folded += per[i].net_udp_folded;
    c.udp_unexamined += per[i].net_udp_unexamined;
    // A result that could not be awaited is a connection table's loss too.
    c.sock_evicted += per[i].net_result_unawaited;
    c.after_stop += per[i].after_stop;
  }
  if (!kretprobes_.empty()) {
    std::vector<std::string> events;
    for (const auto& k : kretprobes_) events.push_back(k.event());
    if (auto profile = read_file(*tracing_ + "/kprobe_profile", 16 << 20))
      c.runs_missed += kprobe_misses(*profile, events);
  }
  for (size_t f = 0; f < NJ_FAM_MAX; f++) {
    c.sent += c.sent_by_family[f];
    c.lost += c.lost_by_family[f];
  }
  struct bpf_program* prog;
  bpf_object__for_each_program(prog, skel_->obj) {
    struct bpf_prog_info info = {};
    __u32 len = sizeof(info);
    if (bpf_program__fd(prog) >= 0 && bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) == 0)
      c.runs_missed += info.recursion_misses;
  }
  return c;
}

}  // namespace nj

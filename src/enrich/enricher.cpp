#include "enrich/enricher.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <cstring>

#include "families/process/exec_view.h"

namespace nj {

namespace {


const nj_task& task_of(const Record& r) {
  return std::visit(
      [](const auto& v) -> const nj_task& {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, StrPart>) {
          static const nj_task none{};
          return none;
        } else {
          return v.task;
        }
      },
      r);
}

}  // namespace

std::string cgroup2_mount(const std::string& mounts_path) {
  std::ifstream in(mounts_path);
  std::string dev, dir, type, rest;
  while (in >> dev >> dir >> type) {
    std::getline(in, rest);
    if (type == "cgroup2") return dir;
  }
  return "";
}

Enricher::Enricher(EnricherOptions opts)
    : opts_(std::move(opts)),
      table_(opts_.table),
      users_(UserDbOptions{opts_.passwd, opts_.group, std::chrono::seconds(1), {}}),
      hasher_(HasherOptions{opts_.hash_cache_entries, opts_.hash_max_bytes}) {
  if (opts_.cgroup_root.empty()) opts_.cgroup_root = cgroup2_mount();
  if (opts_.hash) worker_ = std::thread([this] { hasher_loop(); });
}

Enricher::~Enricher() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

ProcKey Enricher::key_of(uint32_t pid, uint64_t start_ns) const {
  return ProcKey{pid, ns_to_ticks(start_ns, opts_.clock_ticks)};
}

void Enricher::seed() { table_.seed(ProcFs(opts_.proc_root)); }

void Enricher::update_table(const Event& ev, const ExecView* exec, uint64_t now_ns) {
  const nj_task& t = task_of(ev.main);
  const ProcKey self = key_of(t.pid, t.start_ns);
  const ProcKey parent = key_of(t.ppid, t.parent_start_ns);
  if (auto* r = std::get_if<nj_exec>(&ev.main)) {
    if (r->retval != 0 || !exec) {
      table_.observe(self, parent);
      return;
    }
    const ExecView& v = *exec;
    ProcInfo p;
    p.key = self;
    p.parent = parent;
    p.name = comm_of(t);
    p.executable = v.exe.value_or("");
    p.args = v.argv;
    p.args_truncated = v.argv_truncated;
    p.uid = t.uid;
    p.euid = t.euid;
    p.gid = t.gid;
    p.egid = t.egid;
    table_.on_exec(p);
  } else if (auto* f = std::get_if<nj_fork>(&ev.main)) {
    table_.on_fork(key_of(f->child_pid, f->child_start_ns), self, comm_of(t), t.uid, t.euid, t.gid, t.egid);
    table_.observe(self, parent);
  } else if (std::holds_alternative<nj_exit>(ev.main)) {
    table_.on_exit(self, parent, now_ns);
  } else {
    table_.observe(self, parent);
  }
}

void Enricher::names(Enrichment& en, const nj_task& t) {
  en.user = users_.user_name(t.euid);
  en.real_user = users_.user_name(t.uid);
  en.group = users_.group_name(t.egid);
  en.real_group = users_.group_name(t.gid);
}

// cgroup id (the cgroup directory's inode on cgroup2) -> container and
// unit, cached. On a miss, /proc/<pid>/cgroup names the path (confirmed by
// the directory's inode); a process already gone is found by walking the
// cgroup2 tree instead (at most every 200 ms: its directory outlives it).
void Enricher::cgroup(Enrichment& en, const nj_task& t) {
  auto it = cgroups_.find(t.cgroup_id);
  if (it == cgroups_.end()) {
    cg_misses_++;
    std::string path = read_cgroup_path(static_cast<pid_t>(t.pid), opts_.proc_root);
    struct stat st;
    if (path.empty() || stat((opts_.cgroup_root + path).c_str(), &st) != 0 || st.st_ino != t.cgroup_id)
      path = scan_cgroups(t.cgroup_id);
    if (path.empty()) return;
    cache_cgroup(t.cgroup_id, path);
    it = cgroups_.find(t.cgroup_id);
  } else {
    cg_hits_++;
    cgroup_lru_.splice(cgroup_lru_.begin(), cgroup_lru_, it->second.lru);
  }
  en.container = it->second.container;
  en.systemd_unit = it->second.unit;
}

void Enricher::cache_cgroup(uint64_t id, const std::string& path) {
  if (cgroups_.count(id)) return;
  auto container = container_from_cgroup(path);
  auto unit = container ? std::nullopt : systemd_unit_from_cgroup(path);
  cgroup_lru_.push_front(id);
  cgroups_[id] = CgroupEntry{container, unit, cgroup_lru_.begin()};
  while (cgroups_.size() > opts_.cgroup_cache_entries) {
    cgroups_.erase(cgroup_lru_.back());
    cgroup_lru_.pop_back();
    cg_evictions_++;
  }
}

std::string Enricher::scan_cgroups(uint64_t wanted) {
  auto now = std::chrono::steady_clock::now();
  if (opts_.cgroup_root.empty() || now - last_cgroup_scan_ < std::chrono::milliseconds(200)) return "";
  last_cgroup_scan_ = now;
  std::string found;
  std::error_code ec;
  namespace fs = std::filesystem;
  for (fs::recursive_directory_iterator it(opts_.cgroup_root, fs::directory_options::skip_permission_denied, ec), end;
       it != end; it.increment(ec)) {
    if (ec) break;
    if (!it->is_directory(ec)) continue;
    struct stat st;
    if (stat(it->path().c_str(), &st) != 0 || st.st_ino != wanted) continue;
    found = it->path().string().substr(opts_.cgroup_root.size());
    break;
  }
  return found;
}

Enrichment Enricher::enrich(const Event& ev, const nj_task& t, const ProcKey& self) {
  Enrichment en;
  const bool fork = std::holds_alternative<nj_fork>(ev.main);
  // A fork event is about the child: its parent is the caller.
  const ProcKey parent = fork ? self : key_of(t.ppid, t.parent_start_ns);
  en.parent = table_.snapshot(parent);
  if (en.parent) en.seeded_parent = en.parent->from_procfs;
  if (!std::holds_alternative<nj_exec>(ev.main))
    en.self = table_.snapshot(fork ? key_of(std::get<nj_fork>(ev.main).child_pid,
                                            std::get<nj_fork>(ev.main).child_start_ns)
                                   : self);
  const bool exec = std::holds_alternative<nj_exec>(ev.main);
  if (exec || opts_.ancestry_on_every_event) {
    if (fork) {
      if (en.parent) {
        en.ancestors.push_back(en.parent);
        for (auto& a : table_.ancestors(parent, opts_.ancestry_depth - 1)) en.ancestors.push_back(std::move(a));
      }
    } else {
      en.ancestors = table_.ancestors(self, opts_.ancestry_depth);
    }
  }
  names(en, t);
  cgroup(en, t);
  return en;
}

void Enricher::submit(Event&& ev, uint64_t now_ns, const Out& out) {
  std::optional<ExecView> exec;
  if (std::holds_alternative<nj_exec>(ev.main)) exec = make_exec_view(ev);
  update_table(ev, exec ? &*exec : nullptr, now_ns);
  const nj_task& t = task_of(ev.main);
  const ProcKey self = key_of(t.pid, t.start_ns);
  Enrichment en = enrich(ev, t, self);
  en.exec = std::move(exec);

  auto* r = std::get_if<nj_exec>(&ev.main);
  if (!opts_.hash || !r || r->retval != 0) {
    out(EnrichedEvent{std::move(ev), std::move(en)});
    return;
  }
  // The executed file's identity, as stat() reports it.
  const FileId id{makedev(r->dev >> 20, r->dev & 0xFFFFF), r->ino};
  const std::string proc_exe = opts_.proc_root + "/" + std::to_string(t.pid) + "/exe";
  std::string path = en.exec->exe.value_or("");
  if (r->flags & NJ_EXEC_EXE_UNLINKED) path.clear();  // a memfd or deleted file has no path
  auto cached = hasher_.cached_executable(proc_exe, path, id);
  if (cached) {
    en.sha256 = cached->sha256;
    en.hash_reason = cached->reason;
    out(EnrichedEvent{std::move(ev), std::move(en)});
    return;
  }
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (parked_.size() >= opts_.parked_max) {
      hash_queue_full_++;
      en.hash_reason = "queue-full";
      out(EnrichedEvent{std::move(ev), std::move(en)});
      return;
    }
    jobs_.push_back(HashJob{next_job_, proc_exe, path, id});
  }
  cv_.notify_one();
  parked_.emplace(next_job_++, Parked{EnrichedEvent{std::move(ev), std::move(en)}, now_ns + opts_.hash_wait_ns});
}

void Enricher::hasher_loop() {
  for (;;) {
    HashJob job;
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [&] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    HashResult res = hasher_.hash_executable(job.proc_exe, job.path, job.expected);
    std::lock_guard<std::mutex> lk(mu_);
    done_.emplace_back(job.id, std::move(res));
  }
}

void Enricher::release_ready(uint64_t now_ns, const Out& out, bool all) {
  std::deque<std::pair<uint64_t, HashResult>> done;
  {
    std::lock_guard<std::mutex> lk(mu_);
    done.swap(done_);
  }
  for (auto& [id, res] : done) {
    auto it = parked_.find(id);
    if (it == parked_.end()) continue;  // already released on timeout
    it->second.e.en.sha256 = res.sha256;
    it->second.e.en.hash_reason = res.reason;
    out(std::move(it->second.e));
    parked_.erase(it);
  }
  for (auto it = parked_.begin(); it != parked_.end();) {
    if (all || now_ns >= it->second.deadline_ns) {
      hash_timeouts_++;
      it->second.e.en.hash_reason = "timeout";
      out(std::move(it->second.e));
      it = parked_.erase(it);
    } else {
      ++it;
    }
  }
}

void Enricher::poll(uint64_t now_ns, const Out& out) {
  release_ready(now_ns, out, false);
  table_.expire(now_ns);
}

void Enricher::flush(const Out& out) {
  // Give pending hashes their wait, then release whatever is left.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(opts_.hash_wait_ns);
  while (!parked_.empty() && std::chrono::steady_clock::now() < deadline) {
    release_ready(0, out, false);
    if (!parked_.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  release_ready(0, out, true);
}

EnricherStats Enricher::stats() {
  EnricherStats s;
  s.table = table_.stats();
  s.hasher = hasher_.stats();
  s.users_reloads = users_.stats().reloads;
  s.cgroup_cache_size = cgroups_.size();
  s.cgroup_cache_hits = cg_hits_;
  s.cgroup_cache_misses = cg_misses_;
  s.cgroup_cache_evictions = cg_evictions_;
  s.parked = parked_.size();
  s.hash_timeouts = hash_timeouts_;
  s.hash_queue_full = hash_queue_full_;
  return s;
}

}  // namespace nj

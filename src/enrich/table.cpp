#include "enrich/table.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>

#include "util/files.h"
#include "util/host.h"

namespace nj {

// ---- /proc ----

std::vector<uint32_t> ProcFs::pids() const {
  std::vector<uint32_t> out;
  DIR* d = opendir(root_.c_str());
  if (!d) return out;
  while (struct dirent* e = readdir(d)) {
    char* end = nullptr;
    unsigned long v = strtoul(e->d_name, &end, 10);
    if (end && *end == '\0' && v > 0) out.push_back(static_cast<uint32_t>(v));
  }
  closedir(d);
  return out;
}

namespace {

// "Uid:\t0\t0\t0\t0" -> first two values (real, effective).
bool parse_ids(const std::string& status, const char* field, uint32_t& real, uint32_t& effective) {
  auto pos = status.find(field);
  if (pos == std::string::npos) return false;
  std::istringstream in(status.substr(pos + strlen(field)));
  return static_cast<bool>(in >> real >> effective);
}

}  // namespace

std::optional<ProcInfo> ProcFs::read(uint32_t pid, size_t args_bytes_max) const {
  const std::string dir = root_ + "/" + std::to_string(pid);
  auto stat = read_file(dir + "/stat", 4096);
  if (!stat) return std::nullopt;
  // comm may hold spaces and parentheses: it ends at the last ')'.
  auto open = stat->find('(');
  auto close = stat->rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  ProcInfo p;
  p.key.pid = pid;
  p.name = stat->substr(open + 1, close - open - 1);
  std::istringstream rest(stat->substr(close + 2));
  std::string state;
  uint64_t ppid = 0;
  rest >> state >> ppid;
  const auto start = stat_start_time(*stat);
  if (!start) return std::nullopt;
  p.key.start = *start;
  p.parent.pid = static_cast<uint32_t>(ppid);
  // Kernel threads have no executable and are not processes we report.
  char buf[4096];
  ssize_t n = readlink((dir + "/exe").c_str(), buf, sizeof(buf) - 1);
  if (n > 0) p.executable.assign(buf, static_cast<size_t>(n));
  auto cmdline = read_file(dir + "/cmdline", args_bytes_max + 1);
  if (cmdline) {
    if (cmdline->size() > args_bytes_max) {
      cmdline->resize(args_bytes_max);
      p.args_truncated = true;
    }
    size_t s = 0;
    while (s < cmdline->size()) {
      size_t e = cmdline->find('\0', s);
      if (e == std::string::npos) e = cmdline->size();
      p.args.push_back(cmdline->substr(s, e - s));
      s = e + 1;
    }
  }
  auto status = read_file(dir + "/status", 16384);
  if (status) {
    parse_ids(*status, "Uid:", p.uid, p.euid);
    parse_ids(*status, "Gid:", p.gid, p.egid);
  }
  p.from_procfs = true;
  return p;
}

// ---- the table ----

ProcessTable::ProcessTable(ProcessTableOptions opts) : opts_(opts) {}

ProcessTableStats ProcessTable::stats() const {
  ProcessTableStats s;
  s.size = entries_.size();
  s.hits = entries_.hits();
  s.misses = entries_.misses();
  s.evictions = entries_.evictions();
  s.expired = expired_;
  s.seeded = seeded_;
  return s;
}

ProcessTable::Slot& ProcessTable::upsert(const ProcKey& key) {
  if (Slot* s = entries_.touch(key)) return *s;
  auto info = std::make_shared<ProcInfo>();
  info->key = key;
  return *entries_.put(key, std::move(info));
}

// Copy on write: a snapshot handed out earlier keeps what it saw. Snapshots
// live on the pipeline thread only, so the count is exact.
ProcInfo& ProcessTable::edit(Slot& s) {
  if (s.use_count() > 1) s = std::make_shared<ProcInfo>(*s);
  return *s;
}

// The oldest recorded exit, dropped if its entry is still there and still
// exited (the cap may have taken it already).
bool ProcessTable::expire_front() {
  const ProcKey key = exited_.front().second;
  exited_.pop_front();
  Slot* s = entries_.peek(key);
  if (!s || !(*s)->exited) return false;
  entries_.erase(key);
  expired_++;
  return true;
}

void ProcessTable::enforce_cap() {
  // Exited processes go first (oldest exit first), then the live process
  // used least recently.
  while (entries_.size() > opts_.max_entries) {
    bool expired = false;
    while (!exited_.empty() && !expired) expired = expire_front();
    if (!expired) entries_.evict_oldest();
  }
}

void ProcessTable::trim_args(ProcInfo& p) const {
  size_t total = 0;
  for (size_t i = 0; i < p.args.size(); i++) {
    total += p.args[i].size() + 1;
    if (total > opts_.args_bytes_max) {
      p.args.resize(i + 1);
      size_t keep = p.args[i].size() - std::min(p.args[i].size(), total - opts_.args_bytes_max);
      p.args[i].resize(keep);
      p.args_truncated = true;
      break;
    }
  }
}

void ProcessTable::seed_one(const ProcInfo& p) {
  if (entries_.peek(p.key)) return;  // an event got here first: it is newer
  Slot& s = upsert(p.key);
  ProcInfo& info = edit(s);
  info = p;
  trim_args(info);
  index_live(p.key);
  seeded_++;
  enforce_cap();
}

void ProcessTable::seed(const ProcFs& fs) {
  for (uint32_t pid : fs.pids()) {
    auto p = fs.read(pid, opts_.args_bytes_max);
    if (!p) continue;  // exited during the scan
    // /proc gives only the parent's pid: its start time comes from the
    // parent's own entry when the parent is (or will be) seeded too.
    seed_one(*p);
  }
  // Second pass: fill in parents' start times now that all are known.
  std::map<uint32_t, uint64_t> start_of;
  for (auto& [k, s] : entries_)
    if (!s->exited) start_of[k.pid] = k.start;
  for (auto& [k, s] : entries_)
    if (s->from_procfs && s->parent.start == 0) {
      auto f = start_of.find(s->parent.pid);
      if (f != start_of.end()) edit(s).parent.start = f->second;
    }
}

// The entry for `key` with what the kernel record says of the process.
ProcInfo& ProcessTable::identify(const ProcKey& key, const ProcKey& parent, const std::string& name, uint32_t uid,
                                 uint32_t euid, uint32_t gid, uint32_t egid) {
  ProcInfo& p = edit(upsert(key));
  p.parent = parent;
  p.name = name;
  p.uid = uid;
  p.euid = euid;
  p.gid = gid;
  p.egid = egid;
  return p;
}

void ProcessTable::on_fork(const ProcKey& child, const ProcKey& parent, const std::string& name, uint32_t uid,
                           uint32_t euid, uint32_t gid, uint32_t egid) {
  ProcInfo& c = identify(child, parent, name, uid, euid, gid, egid);
  index_live(child);
  // Until it execs, the child runs its parent's image.
  if (const ProcInfo* p = find(parent)) {
    c.executable = p->executable;
    c.args = p->args;
    c.args_truncated = p->args_truncated;
  }
  enforce_cap();
}

void ProcessTable::on_event(const ProcKey& key, const ProcKey& parent, const std::string& name, uint32_t uid,
                            uint32_t euid, uint32_t gid, uint32_t egid) {
  if (entries_.peek(key)) return observe(key, parent);
  identify(key, parent, name, uid, euid, gid, egid);
  index_live(key);
  enforce_cap();
}

void ProcessTable::on_exec(const ProcInfo& p) {
  ProcInfo& info = edit(upsert(p.key));
  bool exited = info.exited;
  uint64_t exited_at = info.exited_at_ns;
  info = p;
  info.exited = exited;  // an exit seen before a late exec stays seen
  info.exited_at_ns = exited_at;
  if (!exited) index_live(p.key);
  trim_args(info);
  enforce_cap();
}

void ProcessTable::on_exit(const ProcKey& key, const ProcKey& parent, uint64_t now_ns) {
  Slot& s = upsert(key);
  if (!(s->parent == parent)) edit(s).parent = parent;
  if (!s->exited) {
    ProcInfo& info = edit(s);
    info.exited = true;
    info.exited_at_ns = now_ns;
    exited_.emplace_back(now_ns, key);
  }
  auto l = live_.find(key.pid);
  if (l != live_.end() && l->second == key.start) live_.erase(l);
  enforce_cap();
}

void ProcessTable::observe(const ProcKey& key, const ProcKey& parent) {
  Slot* s = entries_.touch(key);
  if (s && !((*s)->parent == parent)) edit(*s).parent = parent;
}

void ProcessTable::on_creds(const ProcKey& key, uint32_t uid, uint32_t euid, uint32_t gid, uint32_t egid) {
  Slot* s = entries_.touch(key);
  if (!s) return;
  const ProcInfo& p = **s;
  if (p.uid == uid && p.euid == euid && p.gid == gid && p.egid == egid) return;
  ProcInfo& info = edit(*s);
  info.uid = uid;
  info.euid = euid;
  info.gid = gid;
  info.egid = egid;
}

const ProcInfo* ProcessTable::find(const ProcKey& key) {
  Slot* s = entries_.get(key);
  return s ? s->get() : nullptr;
}

std::shared_ptr<const ProcInfo> ProcessTable::snapshot(const ProcKey& key) {
  Slot* s = entries_.get(key);
  return s ? *s : nullptr;
}

std::vector<std::shared_ptr<const ProcInfo>> ProcessTable::ancestors(const ProcKey& key, size_t depth) {
  std::vector<std::shared_ptr<const ProcInfo>> out;
  const ProcInfo* cur = find(key);
  ProcKey next = cur ? cur->parent : ProcKey{};
  while (cur && out.size() < depth && next.pid != 0) {
    auto p = snapshot(next);
    if (!p || p->key == cur->key) break;
    cur = p.get();
    next = p->parent;
    out.push_back(std::move(p));
  }
  return out;
}

std::shared_ptr<const ProcInfo> ProcessTable::live(uint32_t pid) {
  auto l = live_.find(pid);
  if (l == live_.end()) return nullptr;
  auto p = snapshot(ProcKey{pid, l->second});
  if (!p) live_.erase(l);  // evicted: the pid says no more than the number
  return p && !p->exited ? p : nullptr;
}

void ProcessTable::expire(uint64_t now_ns) {
  while (!exited_.empty() && now_ns >= exited_.front().first + opts_.exited_grace_ns) expire_front();
}

}  // namespace nj

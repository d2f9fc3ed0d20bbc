#include "families/process/tracker.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <type_traits>
#include <variant>

#include "families/process/complete.h"
#include "families/process/records.h"
#include "util/host.h"

namespace nj {

namespace {

// The process family's wire structs, from its registry rows.
template <typename T>
constexpr bool kProcessRecord = false;
#define NJ_PROCESS_RECORD_TRAIT(type, T, family, action, hooks) \
  template <>                                                   \
  constexpr bool kProcessRecord<T> = true;
NJ_PROCESS_RECORDS(NJ_PROCESS_RECORD_TRAIT)
#undef NJ_PROCESS_RECORD_TRAIT

ProcInfo exec_info(const ProcKey& self, const ProcKey& parent, const nj_task& t, const ExecView& v) {
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
  return p;
}

// The executable's identity, in the st_dev encoding stat() reports.
FileId exe_id(const nj_exec& r) { return FileId{makedev(r.dev >> 20, r.dev & 0xFFFFF), r.ino}; }

std::string tail_of(const std::string& cut) { return cut.substr(kCutPathMark.size()); }

}  // namespace

ProcessTracker::ProcessTracker(const TrackerContext& ctx)
    : table_(ctx.table),
      proc_root_(ctx.proc_root),
      clock_ticks_(ctx.clock_ticks),
      fold_window_ns_(ctx.fold_window_ns),
      host_mnt_ns_(host_mount_ns(proc_root_, probe_)),
      own_mnt_ns_(probe_.readlink(proc_root_ + "/self/ns/mnt")) {}

ProcKey ProcessTracker::key_of(uint32_t pid, uint64_t start_ns) const {
  return ProcKey{pid, ns_to_ticks(start_ns, clock_ticks_)};
}

void ProcessTracker::seed() { table_.seed(ProcFs(proc_root_)); }

void ProcessTracker::poll(uint64_t now_ns) { table_.expire(now_ns); }

void ProcessTracker::add_stats(EnricherStats& s) const { s.table = table_.stats(); }

void ProcessTracker::track(const Event& ev, Enrichment& en, uint64_t now_ns) {
  std::visit([&](const auto& r) { handle(ev, r, en, now_ns); }, ev.main);
}

// Any record the overloads in tracker.h do not take: another family's,
// which only says who acted and who its parent is. A process record lands
// here only when its handler is missing, and then does not compile.
template <typename R>
void ProcessTracker::handle(const Event&, const R& r, Enrichment&, uint64_t) {
  static_assert(!kProcessRecord<R>, "a process record without a handler in ProcessTracker");
  if constexpr (requires { r.task; }) observe(r.task);
}

void ProcessTracker::observe(const nj_task& t) {
  table_.on_event(self_of(t), parent_of(t), comm_of(t), t.uid, t.euid, t.gid, t.egid);
}

void ProcessTracker::on(const Event& ev, const nj_exec& r, Enrichment& en, uint64_t now_ns) {
  ExecView& exec = en.view.emplace<ExecView>(make_exec_view(ev));
  complete_paths(r, exec);
  en.subject.ancestry = true;
  // execvp and its kin try each PATH directory in turn: the failures of one
  // process wait briefly for the exec that works, which lists them.
  const uint64_t fold_key = (static_cast<uint64_t>(r.task.pid) << 32) ^ r.task.start_ns;
  if (r.retval != 0) {
    // From its arrival here, not its kernel time: the pipeline before the
    // enricher (perf buffers' merge window, a slow machine) must not eat it.
    if (fold_window_ns_) en.hold = Hold{fold_key, now_ns + fold_window_ns_};
    observe(r.task);
    return;
  }
  if (fold_window_ns_) en.absorb = fold_key;
  exec.privilege = privilege_of(r, exec);
  table_.on_exec(exec_info(self_of(r.task), parent_of(r.task), r.task, exec));
  en.hash_request = hash_request(r, exec);
}

// A fork event is about the child: its parent is the caller.
void ProcessTracker::on(const nj_fork& r, Enrichment& en) {
  const nj_task& t = r.task;
  const ProcKey child = key_of(r.child_pid, r.child_start_ns);
  table_.on_fork(child, self_of(t), comm_of(t), t.uid, t.euid, t.gid, t.egid);
  observe(t);
  en.subject.self = child;
  en.subject.parent = self_of(t);
}

void ProcessTracker::on(const nj_exit& r, uint64_t now_ns) {
  table_.on_exit(self_of(r.task), parent_of(r.task), now_ns);
}

void ProcessTracker::on(const nj_unshare& r) { observe(r.task); }

// Before the table forgets the ids the process had. The file's set-id
// bits are read only when the ids changed (rare), and only from the file
// the kernel ran: a path that now names another file says nothing.
std::optional<PrivilegeChange> ProcessTracker::privilege_of(const nj_exec& r, const ExecView& v) {
  const auto before = table_.snapshot(self_of(r.task));
  if (!before) return std::nullopt;
  const ExecIds from{before->uid, before->euid, before->gid, before->egid};
  const ExecIds to{r.task.uid, r.task.euid, r.task.gid, r.task.egid};
  if (!privilege_change(from, to, std::nullopt)) return std::nullopt;
  std::optional<uint32_t> mode;
  struct stat st {};
  if (v.exe && !(r.flags & NJ_EXEC_EXE_UNLINKED) && ::stat(v.exe->c_str(), &st) == 0) {
    const FileId id = exe_id(r);
    if (st.st_dev == id.dev && st.st_ino == id.ino) mode = st.st_mode;
  }
  return privilege_change(from, to, mode);
}

HashRequest ProcessTracker::hash_request(const nj_exec& r, const ExecView& v) const {
  HashRequest h;
  h.id = exe_id(r);
  h.proc_exe = proc_root_ + "/" + std::to_string(r.task.pid) + "/exe";
  // A memfd or deleted file has no path.
  if (!(r.flags & NJ_EXEC_EXE_UNLINKED)) h.path = v.exe.value_or("");
  return h;
}

// While the process may still be there to ask. Its /proc links are read
// only for a process in the host's mount namespace: elsewhere they are
// relative to another root than the walk's.
void ProcessTracker::complete_paths(const nj_exec& r, ExecView& v) const {
  if (!v.cwd_truncated && !v.exe_truncated) return;
  const std::string dir = proc_root_ + "/" + std::to_string(r.task.pid);
  const bool same_ns = links_comparable(probe_.readlink(dir + "/ns/mnt"), host_mnt_ns_, own_mnt_ns_);
  if (v.cwd_truncated && v.cwd && same_ns) {
    if (auto full = complete_from_link(tail_of(*v.cwd), dir + "/cwd", probe_)) {
      v.cwd = *full;
      v.cwd_truncated = false;
    }
  }
  if (r.retval != 0 || !v.exe_truncated || !v.exe) return;
  std::vector<std::string> candidates;
  if (v.filename) candidates.push_back(absolute_path(*v.filename, v.cwd_truncated ? "" : v.cwd.value_or("")));
  if (same_ns)
    if (auto link = complete_from_link(tail_of(*v.exe), dir + "/exe", probe_)) candidates.push_back(*link);
  if (auto full = complete_file(tail_of(*v.exe), candidates, exe_id(r), probe_)) {
    v.exe = *full;
    v.exe_truncated = false;
  }
}

}  // namespace nj

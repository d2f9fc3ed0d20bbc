#include "encode/encoder.h"

#include <charconv>
#include <csignal>
#include <cstring>

#include "decode/decode.h"

namespace nj {

namespace {

const char* syscall_name(uint32_t s) {
  switch (s) {
    case NJ_SYS_EXECVE: return "execve";
    case NJ_SYS_EXECVEAT: return "execveat";
    case NJ_SYS_CLONE: return "clone";
    case NJ_SYS_CLONE3: return "clone3";
    case NJ_SYS_FORK: return "fork";
    case NJ_SYS_VFORK: return "vfork";
    default: return nullptr;
  }
}

const char* backend_name(uint8_t b) {
  switch (b) {
    case NJ_BACKEND_TRACEPOINT: return "tracepoint";
    case NJ_BACKEND_KPROBE: return "kprobe";
    case NJ_BACKEND_FENTRY: return "fentry";
    default: return "unknown";
  }
}

std::string dev_string(uint32_t dev) {
  // Kernel-internal dev_t: 12-bit major above a 20-bit minor.
  return std::to_string(dev >> 20) + ":" + std::to_string(dev & 0xFFFFF);
}


std::string basename_of(const std::string& p) {
  auto s = p.find_last_of('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}

// 16 lowercase hex digits, zero-padded.
std::string_view hex_id(uint64_t v, char (&buf)[16]) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; i--, v >>= 4) buf[i] = kHex[v & 15];
  return {buf, sizeof(buf)};
}

// ECS process.command_line: the arguments joined by spaces.
std::string command_line(const std::vector<std::string>& argv) {
  std::string out;
  for (size_t i = 0; i < argv.size(); i++) {
    if (i) out += ' ';
    out += argv[i];
  }
  return out;
}

}  // namespace

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  if (abbrev) return std::string("SIG") + abbrev;
  return "SIG" + std::to_string(sig);
}

std::string errno_name(int err) {
  const char* n = strerrorname_np(err);
  return n ? n : "E" + std::to_string(err);
}

std::vector<std::string> clone_flag_names(uint64_t flags) {
  static const std::pair<uint64_t, const char*> names[] = {
      {0x00000100, "CLONE_VM"},          {0x00000200, "CLONE_FS"},         {0x00000400, "CLONE_FILES"},
      {0x00000800, "CLONE_SIGHAND"},     {0x00001000, "CLONE_PIDFD"},      {0x00002000, "CLONE_PTRACE"},
      {0x00004000, "CLONE_VFORK"},       {0x00008000, "CLONE_PARENT"},     {0x00010000, "CLONE_THREAD"},
      {0x00020000, "CLONE_NEWNS"},       {0x00040000, "CLONE_SYSVSEM"},    {0x00080000, "CLONE_SETTLS"},
      {0x00100000, "CLONE_PARENT_SETTID"}, {0x00200000, "CLONE_CHILD_CLEARTID"}, {0x00800000, "CLONE_UNTRACED"},
      {0x01000000, "CLONE_CHILD_SETTID"}, {0x02000000, "CLONE_NEWCGROUP"}, {0x04000000, "CLONE_NEWUTS"},
      {0x08000000, "CLONE_NEWIPC"},      {0x10000000, "CLONE_NEWUSER"},    {0x20000000, "CLONE_NEWPID"},
      {0x40000000, "CLONE_NEWNET"},      {0x80000000, "CLONE_IO"},         {0x100000000ull, "CLONE_CLEAR_SIGHAND"},
      {0x200000000ull, "CLONE_INTO_CGROUP"}, {0x00000080, "CLONE_NEWTIME"},
  };
  std::vector<std::string> out;
  for (auto& [bit, name] : names)
    if (flags & bit) out.push_back(name);
  return out;
}

Encoder::Encoder(HostInfo host, const WallClock& clock, HeadReader read_head)
    : host_(std::move(host)), clock_(clock), read_head_(std::move(read_head)) {}

void Encoder::str(std::string_view key, std::string_view value, const char* field) {
  if (!w_.kv(key, value)) escaped_.push_back(field);
}

void Encoder::time_kv(std::string_view key, uint64_t boot_ns) {
  TimeBuf buf;
  w_.kv(key, std::string_view(buf, format_time(clock_.to_wall_ns(boot_ns), buf)));
}

void Encoder::entity_kv(uint32_t pid, uint64_t start_ticks) {
  EntityIdBuf buf;
  w_.kv("entity_id", std::string_view(buf, entity_id_ticks(host_.boot_id, pid, start_ticks, buf)));
}

void Encoder::begin(uint64_t boot_ns, const char* kind, const char* category, const char* type,
                    const char* action, const char* outcome, uint64_t event_id) {
  w_.clear();
  escaped_.clear();
  w_.begin_object();
  time_kv("@timestamp", boot_ns);
  w_.key("event");
  w_.begin_object();
  w_.kv("kind", kind);
  w_.key("category");
  w_.begin_array();
  w_.string(category);
  w_.end_array();
  w_.key("type");
  w_.begin_array();
  w_.string(type);
  w_.end_array();
  w_.kv("action", action);
  if (outcome) w_.kv("outcome", outcome);
  if (event_id) {
    char id[16];
    w_.kv("id", hex_id(event_id, id));
  }
  w_.kv("module", "nightjar");
  w_.end_object();
  host_block();
}

void Encoder::host_block() {
  w_.key("host");
  w_.begin_object();
  w_.kv("name", host_.name);
  if (!host_.id.empty()) w_.kv("id", host_.id);
  w_.kv("boot_id", host_.boot_id);
  w_.key("os");
  w_.begin_object();
  w_.kv("kernel", host_.kernel);
  w_.end_object();
  w_.kv("architecture", host_.arch);
  w_.end_object();
}

void Encoder::users(const nj_task& t) {
  // ECS: user/group are the effective ids, real_* the real ones.
  auto one = [&](const char* key, uint32_t id, const std::optional<std::string>* name) {
    w_.key(key);
    w_.begin_object();
    char buf[12];
    w_.kv("id", std::string_view(buf, static_cast<size_t>(std::to_chars(buf, buf + sizeof(buf), id).ptr - buf)));
    if (name && *name) str("name", **name, "process.user.name");
    w_.end_object();
  };
  one("user", t.euid, en_ ? &en_->user : nullptr);
  one("real_user", t.uid, en_ ? &en_->real_user : nullptr);
  one("group", t.egid, en_ ? &en_->group : nullptr);
  one("real_group", t.gid, en_ ? &en_->real_group : nullptr);
}

void Encoder::args_fields(const std::vector<std::string>& args, const char* field_prefix) {
  w_.key("args");
  if (!w_.string_array(args)) escaped_.push_back(field_prefix);
  w_.kn("args_count", static_cast<uint64_t>(args.size()));
}

// What the process table knows of a process's image: executable and args.
void Encoder::image(const ProcInfo& p, const char* prefix) {
  if (!p.executable.empty()) str("executable", p.executable, prefix);
  if (!p.args.empty()) args_fields(p.args, prefix);
}

// Container, unit, ancestry: after the process block, on every event.
void Encoder::context_fields(const nj_task& /*t*/) {
  if (!en_ || !en_->container) return;
  w_.key("container");
  w_.begin_object();
  w_.kv("id", en_->container->id);
  w_.kv("runtime", en_->container->runtime);
  w_.end_object();
}

void Encoder::nightjar_context() {
  if (!en_) return;
  if (en_->systemd_unit) str("systemd_unit", *en_->systemd_unit, "nightjar.systemd_unit");
  if (!en_->ancestors.empty()) {
    w_.key("ancestors");
    w_.begin_array();
    for (const auto& ap : en_->ancestors) {
      const ProcInfo& a = *ap;
      w_.begin_object();
      w_.kn("pid", a.key.pid);
      entity_kv(a.key.pid, a.key.start);
      if (!a.executable.empty()) str("executable", a.executable, "nightjar.ancestors.executable");
      str("name", a.name, "nightjar.ancestors.name");
      w_.end_object();
    }
    w_.end_array();
  }
  if (!en_->hash_reason.empty()) {
    w_.key("hash");
    w_.begin_object();
    w_.kv("reason", en_->hash_reason);
    w_.end_object();
  }
}

void Encoder::parent_block(const nj_task& t) {
  w_.key("parent");
  w_.begin_object();
  w_.kn("pid", t.ppid);
  entity_kv(t.ppid, ns_to_ticks(t.parent_start_ns, host_.clock_ticks));
  time_kv("start", t.parent_start_ns);
  if (en_ && en_->parent) {
    str("name", en_->parent->name, "process.parent.name");
    image(*en_->parent, "process.parent.args");
  }
  w_.end_object();
}

// pid, thread, entity id, start, parent, users: what every event says about
// the process it is about.
void Encoder::task_common(const nj_task& t) {
  w_.kn("pid", t.pid);
  w_.key("thread");
  w_.begin_object();
  w_.kn("id", t.tid);
  w_.end_object();
  entity_kv(t.pid, ns_to_ticks(t.start_ns, host_.clock_ticks));
  time_kv("start", t.start_ns);
  parent_block(t);
  users(t);
}

void Encoder::nightjar_begin(const nj_hdr& h) {
  w_.key("nightjar");
  w_.begin_object();
  w_.kv("backend", backend_name(h.backend));
  w_.kn("event_id", h.event_id);
}

void Encoder::nightjar_end() {
  if (!escaped_.empty()) {
    w_.key("escaped_fields");
    w_.begin_array();
    for (const char* f : escaped_) w_.string(f);
    w_.end_array();
  }
  w_.end_object();  // nightjar
  w_.end_object();  // document
}

const std::string& Encoder::encode(const Event& ev, const Enrichment* en) {
  en_ = en;
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, nj_exec>) exec(ev);
        if constexpr (std::is_same_v<T, nj_fork>) fork(r);
        if constexpr (std::is_same_v<T, nj_exit>) exit(r);
        if constexpr (std::is_same_v<T, nj_unshare>) unshare(r);
      },
      ev.main);
  return w_.str();
}

void Encoder::exec(const Event& ev) {
  std::optional<ExecView> local;  // only when not decoded by the enricher
  const ExecView& v = en_ && en_->exec ? *en_->exec : local.emplace(make_exec_view(ev));
  const nj_exec& r = v.rec;
  const bool ok = r.retval == 0;
  const std::string cwd = v.cwd.value_or("");
  begin(r.hdr.ts_ns, "event", "process", "start", "exec", ok ? "success" : "failure", r.hdr.event_id);

  std::string executable;
  if (v.exe)
    executable = *v.exe + ((r.flags & NJ_EXEC_EXE_UNLINKED) ? " (deleted)" : "");
  else if (v.filename)
    executable = absolute_path(*v.filename, cwd);

  w_.key("process");
  w_.begin_object();
  task_common(r.task);
  if (ok)
    str("name", comm_of(r.task), "process.name");
  else if (!executable.empty())
    str("name", basename_of(executable), "process.name");
  if (!executable.empty()) str("executable", executable, "process.executable");
  if (v.argv_present) {
    args_fields(v.argv, "process.args");
    str("command_line", command_line(v.argv), "process.command_line");
  }
  if (v.cwd) str("working_directory", cwd, "process.working_directory");
  if (en_ && en_->sha256) {
    w_.key("hash");
    w_.begin_object();
    w_.kv("sha256", *en_->sha256);
    w_.end_object();
  }
  w_.end_object();
  context_fields(r.task);

  if (!ok) {
    w_.key("error");
    w_.begin_object();
    w_.kv("code", errno_name(-r.retval));
    w_.kv("message", strerror(-r.retval));
    w_.end_object();
  }

  nightjar_begin(r.hdr);
  if (const char* sc = syscall_name(r.syscall)) w_.kv("syscall", sc);
  if (r.syscall == NJ_SYS_EXECVEAT) {
    w_.kn("dirfd", r.dirfd);
    w_.kn("at_flags", r.at_flags);
  }
  if (v.filename) str("filename", *v.filename, "nightjar.filename");
  if (!ok) str("caller_name", comm_of(r.task), "nightjar.caller_name");
  if (ok) {
    w_.key("exe");
    w_.begin_object();
    w_.kv("device", dev_string(r.dev));
    w_.kn("inode", r.ino);
    w_.kn("nlink", r.nlink);
    if (v.exe_truncated) w_.kb("path_truncated", true);
    w_.end_object();
    if (r.old_tid != r.task.pid) w_.kn("exec_thread", r.old_tid);
  }
  w_.kn("cgroup_id", r.task.cgroup_id);
  if (r.task.loginuid != 0xffffffffu) w_.kn("login_uid", r.task.loginuid);
  if (r.argc) w_.kn("argc", r.argc);
  if (v.argv_truncated) w_.kb("argv_truncated", true);
  if (r.flags & NJ_EXEC_ARGV_UNREADABLE) w_.kb("argv_unreadable", true);
  if (r.flags & NJ_EXEC_NO_ENTER) w_.kb("syscall_entry_unseen", true);
  if (r.flags & NJ_EXEC_PARTS_LOST) w_.kb("parts_lost", true);
  if (ev.incomplete) w_.kb("incomplete", true);
  if (auto chain = script_chain(v, read_head_)) {
    w_.key("script");
    w_.begin_object();
    str("path", absolute_path(chain->script, cwd), "nightjar.script.path");
    w_.key("interpreters");
    w_.begin_array();
    for (auto& lvl : chain->interpreters) {
      w_.begin_object();
      str("path", lvl.path, "nightjar.script.interpreters.path");
      if (!lvl.args.empty()) {
        w_.key("args");
        if (!w_.string_array(lvl.args)) escaped_.push_back("nightjar.script.interpreters.args");
      }
      if (lvl.dev || lvl.ino) {
        w_.kv("device", dev_string(lvl.dev));
        w_.kn("inode", lvl.ino);
      }
      w_.end_object();
    }
    w_.end_array();
    w_.kv("source", chain->source);
    w_.end_object();
  }
  nightjar_context();
  nightjar_end();
}

void Encoder::fork(const nj_fork& r) {
  begin(r.hdr.ts_ns, "event", "process", "start", "fork", "success", r.hdr.event_id);
  const nj_task& t = r.task;
  // The event is about the new process; the caller is its parent.
  w_.key("process");
  w_.begin_object();
  w_.kn("pid", r.child_pid);
  if (r.child_vpid && r.child_vpid != r.child_pid) w_.kn("vpid", r.child_vpid);
  entity_kv(r.child_pid, ns_to_ticks(r.child_start_ns, host_.clock_ticks));
  time_kv("start", r.child_start_ns);
  str("name", comm_of(t), "process.name");
  if (en_ && en_->self) image(*en_->self, "process.args");
  w_.key("parent");
  w_.begin_object();
  w_.kn("pid", t.pid);
  w_.key("thread");
  w_.begin_object();
  w_.kn("id", t.tid);
  w_.end_object();
  entity_kv(t.pid, ns_to_ticks(t.start_ns, host_.clock_ticks));
  time_kv("start", t.start_ns);
  str("name", comm_of(t), "process.parent.name");
  if (en_ && en_->parent) image(*en_->parent, "process.parent.args");
  w_.end_object();
  users(t);
  w_.end_object();
  context_fields(t);
  nightjar_begin(r.hdr);
  if (const char* sc = syscall_name(r.syscall)) w_.kv("syscall", sc);
  if (!(r.flags & NJ_FORK_NO_ENTER)) {
    w_.key("clone_flags");
    w_.begin_array();
    for (auto& f : clone_flag_names(r.clone_flags)) w_.string(f);
    w_.end_array();
    w_.kn("clone_flags_raw", r.clone_flags);
    w_.kn("exit_signal", r.clone_flags & 0xff);
  } else {
    w_.kb("syscall_entry_unseen", true);
  }
  w_.key("parent_of_caller");
  w_.begin_object();
  w_.kn("pid", t.ppid);
  entity_kv(t.ppid, ns_to_ticks(t.parent_start_ns, host_.clock_ticks));
  w_.end_object();
  w_.kn("cgroup_id", t.cgroup_id);
  nightjar_context();
  nightjar_end();
}

void Encoder::exit(const nj_exit& r) {
  const int sig = r.exit_code & 0x7f;
  begin(r.hdr.ts_ns, "event", "process", "end", "exit", nullptr, r.hdr.event_id);
  w_.key("process");
  w_.begin_object();
  task_common(r.task);
  str("name", comm_of(r.task), "process.name");
  if (en_ && en_->self) image(*en_->self, "process.args");
  if (!sig) w_.kn("exit_code", static_cast<uint32_t>((r.exit_code >> 8) & 0xff));
  time_kv("end", r.hdr.ts_ns);
  w_.end_object();
  context_fields(r.task);
  nightjar_begin(r.hdr);
  w_.key("exit");
  w_.begin_object();
  w_.kn("status", r.exit_code);
  if (sig) {
    w_.kn("signal", sig);
    w_.kv("signal_name", signal_name(sig));
    w_.kb("core_dumped", r.exit_code & 0x80);
  }
  w_.end_object();
  w_.kn("cgroup_id", r.task.cgroup_id);
  nightjar_context();
  nightjar_end();
}

void Encoder::unshare(const nj_unshare& r) {
  const bool ok = r.retval == 0;
  begin(r.hdr.ts_ns, "event", "process", "change", "unshare", ok ? "success" : "failure", r.hdr.event_id);
  w_.key("process");
  w_.begin_object();
  task_common(r.task);
  str("name", comm_of(r.task), "process.name");
  if (en_ && en_->self) image(*en_->self, "process.args");
  w_.end_object();
  context_fields(r.task);
  if (!ok) {
    w_.key("error");
    w_.begin_object();
    w_.kv("code", errno_name(-r.retval));
    w_.kv("message", strerror(-r.retval));
    w_.end_object();
  }
  nightjar_begin(r.hdr);
  w_.key("unshare");
  w_.begin_object();
  w_.key("flags");
  w_.begin_array();
  for (auto& f : clone_flag_names(r.flags)) w_.string(f);
  w_.end_array();
  w_.kn("flags_raw", r.flags);
  w_.end_object();
  w_.kn("cgroup_id", r.task.cgroup_id);
  nightjar_context();
  nightjar_end();
}

}  // namespace nj

// The process family's events as JSON: exec (and failed exec), fork, exit
// and unshare, one encode_record overload per record type.
#include "families/process/encode.h"

#include <cstring>
#include <optional>

#include "decode/decode.h"
#include "families/process/exec_view.h"

namespace nj {

namespace {

std::string basename_of(const std::string& p) {
  auto s = p.find_last_of('/');
  return s == std::string::npos ? p : p.substr(s + 1);
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

std::vector<std::string> clone_flag_names(uint64_t flags) {
  static const std::pair<uint64_t, const char*> names[] = {
      {0x00000100, "CLONE_VM"},
      {0x00000200, "CLONE_FS"},
      {0x00000400, "CLONE_FILES"},
      {0x00000800, "CLONE_SIGHAND"},
      {0x00001000, "CLONE_PIDFD"},
      {0x00002000, "CLONE_PTRACE"},
      {0x00004000, "CLONE_VFORK"},
      {0x00008000, "CLONE_PARENT"},
      {0x00010000, "CLONE_THREAD"},
      {0x00020000, "CLONE_NEWNS"},
      {0x00040000, "CLONE_SYSVSEM"},
      {0x00080000, "CLONE_SETTLS"},
      {0x00100000, "CLONE_PARENT_SETTID"},
      {0x00200000, "CLONE_CHILD_CLEARTID"},
      {0x00800000, "CLONE_UNTRACED"},
      {0x01000000, "CLONE_CHILD_SETTID"},
      {0x02000000, "CLONE_NEWCGROUP"},
      {0x04000000, "CLONE_NEWUTS"},
      {0x08000000, "CLONE_NEWIPC"},
      {0x10000000, "CLONE_NEWUSER"},
      {0x20000000, "CLONE_NEWPID"},
      {0x40000000, "CLONE_NEWNET"},
      {0x80000000, "CLONE_IO"},
      {0x100000000ull, "CLONE_CLEAR_SIGHAND"},
      {0x200000000ull, "CLONE_INTO_CGROUP"},
      {0x00000080, "CLONE_NEWTIME"},
  };
  std::vector<std::string> out;
  for (auto& [bit, name] : names)
    if (flags & bit) out.push_back(name);
  return out;
}

namespace {

// A successful exec: the process now runs the new image.
void new_image(Encoder& e, const ExecView& v, const std::string& cwd) {
  const nj_exec& r = v.rec;
  std::string executable;
  if (v.exe) executable = *v.exe + ((r.flags & NJ_EXEC_EXE_UNLINKED) ? " (deleted)" : "");
  else if (v.filename) executable = absolute_path(*v.filename, cwd);
  e.str("name", comm_of(r.task), "process.name");
  if (!executable.empty()) e.str("executable", executable, "process.executable");
  if (v.argv_present) {
    e.args_fields(v.argv, "process.args");
    e.str("command_line", command_line(v.argv), "process.command_line");
  }
}

// A failed exec changed nothing: the process is still the caller, with the
// name the kernel has for it and the image the process table knows. What
// it asked to run is the event's file (file.*, nightjar.attempt).
void caller_image(Encoder& e, const nj_exec& r) {
  e.str("name", comm_of(r.task), "process.name");
  if (e.en() && e.en()->self) e.image(*e.en()->self, "process.args");
}

void attempted_file(Encoder& e, const ExecView& v, const std::string& cwd) {
  if (!v.filename) return;
  const std::string path = absolute_path(*v.filename, cwd);
  e.w().key("file");
  e.w().begin_object();
  e.str("path", path, "file.path");
  e.str("name", basename_of(path), "file.name");
  e.w().end_object();
}

// The failed execs of the same process folded into this one (a PATH
// search): what each tried and why it failed.
void failed_attempts(Encoder& e) {
  if (!e.en() || e.en()->absorbed.empty()) return;
  e.w().key("failed_attempts");
  e.w().begin_array();
  for (const Event& ev : e.en()->absorbed) {
    const ExecView v = make_exec_view(ev);
    e.w().begin_object();
    if (v.filename) e.str("path", absolute_path(*v.filename, v.cwd.value_or("")), "nightjar.failed_attempts.path");
    e.w().kv("error", errno_name(errno_of(v.rec.retval)));
    e.w().kn("event_id", v.rec.hdr.event_id);
    e.w().end_object();
  }
  e.w().end_array();
}

// nightjar.privilege_change: the effective ids before and after an exec
// that changed them (process.user / process.group are the after).
void privilege_fields(Encoder& e, const PrivilegeChange& c) {
  auto& w = e.w();
  w.key("privilege_change");
  w.begin_object();
  w.kn("from_euid", c.from_euid);
  w.kn("to_euid", c.to_euid);
  w.kn("from_egid", c.from_egid);
  w.kn("to_egid", c.to_egid);
  if (c.setuid) w.kb("setuid", *c.setuid);
  if (c.setgid) w.kb("setgid", *c.setgid);
  w.end_object();
}

}  // namespace

void encode_record(Encoder& e, const Event& ev, const nj_exec& /*rec*/) {
  std::optional<ExecView> local;  // only when not decoded by the enricher
  const ExecView* decoded = e.en() ? std::get_if<ExecView>(&e.en()->view) : nullptr;
  const ExecView& v = decoded ? *decoded : local.emplace(make_exec_view(ev));
  const nj_exec& r = v.rec;
  const bool ok = r.retval == 0;
  const std::string cwd = v.cwd.value_or("");
  e.begin(r.hdr.ts_ns, "event", "process", "start", "exec", ok ? "success" : "failure", r.hdr.event_id);

  e.w().key("process");
  e.w().begin_object();
  e.task_common(r.task);
  if (ok) new_image(e, v, cwd);
  else caller_image(e, r);
  if (v.cwd)
    e.str("working_directory", (r.flags & NJ_EXEC_CWD_UNLINKED) ? cwd + " (deleted)" : cwd,
          "process.working_directory");
  if (e.en() && e.en()->sha256) {
    e.w().key("hash");
    e.w().begin_object();
    e.w().kv("sha256", *e.en()->sha256);
    e.w().end_object();
  }
  e.w().end_object();
  e.context_fields(r.task);

  if (!ok) {
    e.error_block(errno_of(r.retval));
    attempted_file(e, v, cwd);
  }

  e.nightjar_begin(r.hdr);
  if (const char* sc = syscall_name(r.syscall)) e.w().kv("syscall", sc);
  if (r.syscall == NJ_SYS_EXECVEAT) {
    e.w().kn("dirfd", r.dirfd);
    e.w().kn("at_flags", r.at_flags);
  }
  if (v.filename) e.str("filename", *v.filename, "nightjar.filename");
  failed_attempts(e);
  if (!ok && v.argv_present) {
    e.w().key("attempt");
    e.w().begin_object();
    e.args_fields(v.argv, "nightjar.attempt.args");
    e.w().end_object();
  }
  if (ok) {
    e.w().key("exe");
    e.w().begin_object();
    e.w().kv("device", dev_string(r.dev));
    e.w().kn("inode", r.ino);
    e.w().kn("nlink", r.nlink);
    if (v.exe_truncated) e.w().kb("path_truncated", true);
    e.w().end_object();
    if (r.old_tid != r.task.pid) e.w().kn("exec_thread", r.old_tid);
    if (v.privilege) privilege_fields(e, *v.privilege);
  }
  e.w().kn("cgroup_id", r.task.cgroup_id);
  if (r.task.loginuid != 0xffffffffu) e.w().kn("login_uid", r.task.loginuid);
  if (r.argc) e.w().kn("argc", r.argc);
  if (v.argv_truncated) e.w().kb("argv_truncated", true);
  if (v.cwd_truncated) e.w().kb("working_directory_truncated", true);
  if (r.flags & NJ_EXEC_ARGV_UNREADABLE) e.w().kb("argv_unreadable", true);
  if (r.flags & NJ_EXEC_NO_ENTER) e.w().kb("syscall_entry_unseen", true);
  if (r.flags & NJ_EXEC_PARTS_LOST) e.w().kb("parts_lost", true);
  if (ev.incomplete) e.w().kb("incomplete", true);
  if (auto chain = script_chain(v, e.read_head())) {
    e.w().key("script");
    e.w().begin_object();
    e.str("path", absolute_path(chain->script, cwd), "nightjar.script.path");
    e.w().key("interpreters");
    e.w().begin_array();
    for (auto& lvl : chain->interpreters) {
      e.w().begin_object();
      e.str("path", lvl.path, "nightjar.script.interpreters.path");
      if (!lvl.args.empty()) {
        e.w().key("args");
        if (!e.w().string_array(lvl.args)) e.escaped("nightjar.script.interpreters.args");
      }
      if (lvl.dev || lvl.ino) {
        e.w().kv("device", dev_string(lvl.dev));
        e.w().kn("inode", lvl.ino);
      }
      e.w().end_object();
    }
    e.w().end_array();
    e.w().kv("source", chain->source);
    e.w().end_object();
  }
  e.nightjar_context();
  e.nightjar_end();
}

void encode_record(Encoder& e, const Event& /*ev*/, const nj_fork& r) {
  e.begin(r.hdr.ts_ns, "event", "process", "start", "fork", "success", r.hdr.event_id);
  const nj_task& t = r.task;
  // The event is about the new process; the caller is its parent.
  e.w().key("process");
  e.w().begin_object();
  e.w().kn("pid", r.child_pid);
  if (r.child_vpid && r.child_vpid != r.child_pid) e.w().kn("vpid", r.child_vpid);
  e.entity_kv(r.child_pid, ns_to_ticks(r.child_start_ns, e.host().clock_ticks));
  e.time_kv("start", r.child_start_ns);
  e.str("name", comm_of(t), "process.name");
  if (e.en() && e.en()->self) e.image(*e.en()->self, "process.args");
  e.w().key("parent");
  e.w().begin_object();
  e.w().kn("pid", t.pid);
  e.w().key("thread");
  e.w().begin_object();
  e.w().kn("id", t.tid);
  e.w().end_object();
  e.entity_kv(t.pid, ns_to_ticks(t.start_ns, e.host().clock_ticks));
  e.time_kv("start", t.start_ns);
  e.str("name", comm_of(t), "process.parent.name");
  if (e.en() && e.en()->parent) e.image(*e.en()->parent, "process.parent.args");
  e.w().end_object();
  e.users(t);
  e.w().end_object();
  e.context_fields(t);
  e.nightjar_begin(r.hdr);
  if (const char* sc = syscall_name(r.syscall)) e.w().kv("syscall", sc);
  if (!(r.flags & NJ_FORK_NO_ENTER)) {
    e.w().key("clone_flags");
    e.w().begin_array();
    for (auto& f : clone_flag_names(r.clone_flags)) e.w().string(f);
    e.w().end_array();
    e.w().kn("clone_flags_raw", r.clone_flags);
    e.w().kn("exit_signal", r.clone_flags & 0xff);
  } else {
    e.w().kb("syscall_entry_unseen", true);
  }
  e.w().key("parent_of_caller");
  e.w().begin_object();
  e.w().kn("pid", t.ppid);
  e.entity_kv(t.ppid, ns_to_ticks(t.parent_start_ns, e.host().clock_ticks));
  e.w().end_object();
  e.w().kn("cgroup_id", t.cgroup_id);
  e.nightjar_context();
  e.nightjar_end();
}

void encode_record(Encoder& e, const Event& /*ev*/, const nj_exit& r) {
  const int sig = r.exit_code & 0x7f;
  e.begin(r.hdr.ts_ns, "event", "process", "end", "exit", nullptr, r.hdr.event_id);
  e.w().key("process");
  e.w().begin_object();
  e.task_common(r.task);
  e.str("name", comm_of(r.task), "process.name");
  if (e.en() && e.en()->self) e.image(*e.en()->self, "process.args");
  if (!sig) e.w().kn("exit_code", static_cast<uint32_t>((r.exit_code >> 8) & 0xff));
  e.time_kv("end", r.hdr.ts_ns);
  e.w().end_object();
  e.context_fields(r.task);
  e.nightjar_begin(r.hdr);
  e.w().key("exit");
  e.w().begin_object();
  e.w().kn("status", r.exit_code);
  if (sig) {
    e.w().kn("signal", sig);
    e.w().kv("signal_name", signal_name(sig));
    e.w().kb("core_dumped", r.exit_code & 0x80);
  }
  e.w().end_object();
  e.w().kn("cgroup_id", r.task.cgroup_id);
  e.nightjar_context();
  e.nightjar_end();
}

void encode_record(Encoder& e, const Event& /*ev*/, const nj_unshare& r) {
  const bool ok = r.retval == 0;
  e.begin(r.hdr.ts_ns, "event", "process", "change", "unshare", ok ? "success" : "failure", r.hdr.event_id);
  e.acting_process(r.task);
  e.context_fields(r.task);
  if (!ok) e.error_block(errno_of(r.retval));
  e.nightjar_begin(r.hdr);
  e.w().key("unshare");
  e.w().begin_object();
  e.w().key("flags");
  e.w().begin_array();
  for (auto& f : clone_flag_names(r.flags)) e.w().string(f);
  e.w().end_array();
  e.w().kn("flags_raw", r.flags);
  e.w().end_object();
  e.w().kn("cgroup_id", r.task.cgroup_id);
  e.nightjar_context();
  e.nightjar_end();
}

}  // namespace nj

#include "families/tamper/encode.h"

#include <variant>

#include "util/host.h"

namespace nj {

namespace {

// target.process: whom the action was aimed at. ECS has no target field
// set; this mirrors the process one (pid, thread, entity_id, name,
// executable, user) so the same queries read both.
void target_block(Encoder& e, const nj_tamper_op& op, const TamperView& v) {
  const nj_tamper_target& t = op.target;
  if (!(t.flags & (NJ_TGT_TASK | NJ_TGT_GLOBAL_PID | NJ_TGT_NS_PID))) return;
  auto& w = e.w();
  w.key("target");
  w.begin_object();
  w.key("process");
  w.begin_object();
  if (t.pid) w.kn("pid", t.pid);
  if (t.tid) {
    w.key("thread");
    w.begin_object();
    w.kn("id", t.tid);
    w.end_object();
  }
  if (t.flags & NJ_TGT_TASK) {
    e.entity_kv(t.pid, ns_to_ticks(t.start_ns, e.host().clock_ticks));
    e.time_kv("start", t.start_ns);
    e.str("name", std::string_view(t.comm, strnlen(t.comm, sizeof(t.comm))), "target.process.name");
    w.key("user");
    w.begin_object();
    w.kv("id", std::to_string(t.euid));
    w.end_object();
    w.key("real_user");
    w.begin_object();
    w.kv("id", std::to_string(t.uid));
    w.end_object();
  } else if (v.target) {
    // Resolved by pid in the process table (target_from stays "pid").
    e.entity_kv(t.pid, v.target->key.start);
    e.str("name", v.target->name, "target.process.name");
  }
  if (v.target && !v.target->executable.empty()) e.str("executable", v.target->executable, "target.process.executable");
  w.end_object();
  w.end_object();
}

// How the target was known: from the kernel's task, or only from the
// number the caller passed (global, or in the caller's pid namespace).
const char* target_source(const nj_tamper_target& t) {
  if (t.flags & NJ_TGT_TASK) return "kernel";
  if (t.flags & NJ_TGT_GLOBAL_PID) return "pid";
  if (t.flags & NJ_TGT_NS_PID) return "namespace_pid";
  if (t.flags & NJ_TGT_GROUP) return "group";
  return nullptr;
}

}  // namespace

const TamperView& tamper_view(Encoder& e, const Event& ev, uint16_t type, TamperView& local) {
  if (e.en())
    if (const auto* v = std::get_if<TamperView>(&e.en()->view)) return *v;
  local = make_tamper_view(type, ev);
  return local;
}

void tamper_head(Encoder& e, const nj_hdr& h, const nj_tamper_op& op, const TamperView& v, const TamperShape& s) {
  e.begin(h.ts_ns, "event", s.category, s.type, s.action, op.retval < 0 ? "failure" : "success", h.event_id);
  e.acting_process(op.task);
  target_block(e, op, v);
  e.context_fields(op.task);
  if (op.retval < 0) e.error_block(errno_of(op.retval));
}

void tamper_tail_begin(Encoder& e, const nj_hdr& h, const nj_tamper_op& op, const TamperView& v) {
  auto& w = e.w();
  e.nightjar_begin(h);
  if (const char* sc = syscall_name(op.syscall)) w.kv("syscall", sc);
  if (const char* src = target_source(op.target)) w.kv("target_from", src);
  if (v.target_is_sensor) w.kb("target_is_sensor", true);
  if (op.flags & NJ_TMP_NO_ENTER) w.kb("arguments_unknown", true);
  if (op.flags & NJ_TMP_PARTS_LOST) w.kb("parts_lost", true);
  w.key("tamper");
  w.begin_object();
}

void tamper_tail_end(Encoder& e, const nj_tamper_op& op) {
  e.w().end_object();
  e.w().kn("cgroup_id", op.task.cgroup_id);
  e.nightjar_context();
  e.nightjar_end();
}

const char* signal_result_name(uint64_t result) {
  static constexpr const char* kNames[] = {"delivered", "ignored", "already_pending", "queue_full", "info_lost"};
  return result < sizeof(kNames) / sizeof(kNames[0]) ? kNames[result] : "unknown";
}

std::string si_code_name(int32_t code) {
  switch (code) {
    case 0: return "SI_USER";
    case 0x80: return "SI_KERNEL";
    case -1: return "SI_QUEUE";
    case -6: return "SI_TKILL";
    case -7: return "SI_DETHREAD";
    default: return std::to_string(code);
  }
}

void encode_record(Encoder& e, const Event& ev, const nj_tmp_signal& r) {
  const nj_tamper_op& op = r.op;
  encode_tamper(e, ev, r, {"signal", "process", "info"}, [&](const TamperView&) {
    auto& w = e.w();
    const int sig = static_cast<int>(op.values[0]);
    w.key("signal");
    w.begin_object();
    w.kn("number", static_cast<uint64_t>(sig));
    w.kv("name", signal_name(sig));
    // Whom the caller named: kill's pid 0 is its own process group, -1
    // every process it may signal, below -1 the group -pid.
    const int32_t named = static_cast<int32_t>(op.args[0]);
    if (op.syscall == NJ_SYS_KILL && named <= 0) {
      w.kv("to", named == -1 ? "every_process" : "process_group");
      if (named < -1) w.kn("process_group", static_cast<uint64_t>(-static_cast<int64_t>(named)));
    } else {
      w.kv("to", op.syscall == NJ_SYS_TKILL || op.syscall == NJ_SYS_TGKILL || op.syscall == NJ_SYS_RT_TGSIGQUEUEINFO
                     ? "thread"
                     : "process");
    }
    if (op.values[4]) {
      w.kv("result", signal_result_name(op.values[2]));
      w.kv("code", si_code_name(static_cast<int32_t>(op.values[1])));
      if (op.values[3]) w.kb("thread_group", true);
    } else {
      w.kv("result", op.retval < 0 ? "refused" : "no_target_reached");
    }
    w.end_object();
  });
}

}  // namespace nj

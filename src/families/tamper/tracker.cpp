#include "families/tamper/tracker.h"

#include <unistd.h>

#include <variant>

#include "families/registry.h"
#include "families/tamper/view.h"
#include "util/host.h"

namespace nj {

TamperTracker::TamperTracker(const TrackerContext& ctx)
    : table_(ctx.table), clock_ticks_(ctx.clock_ticks), self_pid_(static_cast<uint32_t>(getpid())), users_(ctx.users) {}

void TamperTracker::track(const Event& ev, Enrichment& en, uint64_t /*now_ns*/) {
  std::visit(
      [&](const auto& r) {
        if constexpr (requires { r.op.target; }) on(r.hdr.type, r.op, ev, en);
      },
      ev.main);
}

void TamperTracker::on(uint16_t type, const nj_tamper_op& op, const Event& ev, Enrichment& en) {
  TamperView& v = en.view.emplace<TamperView>(make_tamper_view(type, ev));
  if (type == NJ_REC_TMP_CREDS) {
    if (users_) v.creds = creds_names(op, *users_);
    // The exec event compares with these (a setuid-root binary's gain).
    const nj_task& c = op.task;
    table_.on_creds(ProcKey{c.pid, ns_to_ticks(c.start_ns, clock_ticks_)}, c.uid, c.euid, c.gid, c.egid);
  }
  const nj_tamper_target& t = op.target;
  if (t.flags & NJ_TGT_TASK) {
    v.target = table_.snapshot(ProcKey{t.pid, ns_to_ticks(t.start_ns, clock_ticks_)});
    v.target_is_sensor = t.pid == self_pid_;
  } else if (t.flags & NJ_TGT_GLOBAL_PID) {
    // Only the number is known: the process the table holds live with that
    // pid now (a number in another pid namespace would name someone else).
    if (t.pid) v.target = table_.live(t.pid);
    v.target_is_sensor = t.pid == self_pid_;
  }
  if (v.target_is_sensor)
    if (const RecordInfo* info = record_info(type)) en.aimed_at_sensor = info->action;
}

}  // namespace nj

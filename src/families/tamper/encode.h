// The tamper family's encoders (src/encode/encoder.cpp dispatches to them by
// overload through families/encoders.h): the acting process, the target
// process (target.process), and each action's own fields under
// nightjar.tamper.
#pragma once

#include <cstdint>
#include <string>

#include "encode/encoder.h"
#include "families/tamper/view.h"

namespace nj {

void encode_record(Encoder& e, const Event& ev, const nj_tmp_signal& rec);

// Kernel code and namespaces (encode_kernel.cpp).
void encode_record(Encoder& e, const Event& ev, const nj_tmp_module_load& rec);
void encode_record(Encoder& e, const Event& ev, const nj_tmp_module_unload& rec);
void encode_record(Encoder& e, const Event& ev, const nj_tmp_bpf& rec);
void encode_record(Encoder& e, const Event& ev, const nj_tmp_mount& rec);
void encode_record(Encoder& e, const Event& ev, const nj_tmp_umount& rec);
void encode_record(Encoder& e, const Event& ev, const nj_tmp_mount_api& rec);
void encode_record(Encoder& e, const Event& ev, const nj_tmp_setns& rec);

// signal_generate's result (TRACE_SIGNAL_*): "delivered", "ignored", ...
const char* signal_result_name(uint64_t result);
// si_code of a signal sent from user space: "SI_USER", "SI_QUEUE", ...
std::string si_code_name(int32_t code);

// How an action's own fields are written, between the common blocks.
struct TamperShape {
  const char* action;
  const char* category;  // ECS event.category
  const char* type;      // ECS event.type
};

// The common document of every tamper event: `details` writes the action's
// fields inside nightjar.tamper.
template <typename R, typename Details>
void encode_tamper(Encoder& e, const Event& ev, const R& r, const TamperShape& s, Details&& details);

// Pieces encode_tamper is made of, for the template below.
const TamperView& tamper_view(Encoder& e, const Event& ev, uint16_t type, TamperView& local);
void tamper_head(Encoder& e, const nj_hdr& h, const nj_tamper_op& op, const TamperView& v, const TamperShape& s);
void tamper_tail_begin(Encoder& e, const nj_hdr& h, const nj_tamper_op& op, const TamperView& v);
void tamper_tail_end(Encoder& e, const nj_tamper_op& op);

template <typename R, typename Details>
void encode_tamper(Encoder& e, const Event& ev, const R& r, const TamperShape& s, Details&& details) {
  TamperView local;
  const TamperView& v = tamper_view(e, ev, r.hdr.type, local);
  tamper_head(e, r.hdr, r.op, v, s);
  tamper_tail_begin(e, r.hdr, r.op, v);
  details(v);
  tamper_tail_end(e, r.op);
}

}  // namespace nj

// The tamper family's encoders (src/encode/encoder.cpp dispatches to them by
// overload through families/encoders.h): the acting process, the target
// process (target.process), and each action's own fields under
// nightjar.tamper.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "encode/encoder.h"
#include "families/tamper/view.h"

namespace nj {

void encode_record(Encoder& e, const Event& ev, const nj_tmp_signal& rec);
void encode_record(Encoder& e, const Event& ev, const nj_tmp_creds& rec);  // encode_creds.cpp

// inject (encode_inject.cpp): ptrace, process_vm_readv/writev, /proc/<pid>/mem.
void encode_record(Encoder& e, const Event& ev, const nj_tmp_ptrace& rec);
void encode_record(Encoder& e, const Event& ev, const nj_tmp_vm_read& rec);
void encode_record(Encoder& e, const Event& ev, const nj_tmp_vm_write& rec);
void encode_record(Encoder& e, const Event& ev, const nj_tmp_mem_open& rec);
// "PTRACE_POKETEXT", ...; the number for requests not reported.
std::string ptrace_request_name(uint64_t request);
// A /proc/<pid>/mem open's f_mode read/write bits: "read", "write", "read_write".
const char* mem_open_mode(uint64_t fmode);

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

// The memory area (encode_mem.cpp): executable memory and renames.
void encode_record(Encoder& e, const Event& ev, const nj_tmp_exec_memory& rec);
void encode_record(Encoder& e, const Event& ev, const nj_tmp_rename& rec);
// PROT_* bits as names ("read", "write", "execute"; ["none"] for 0).
std::vector<std::string> prot_names(uint64_t prot);
// mmap's MAP_* flags as names ("private", "anonymous", "fixed", ...).
std::vector<std::string> map_flag_names(uint64_t flags);
// Why a memory_exec call was reported: "write_execute" (W+X at once),
// "was_writable" (X on memory that had VM_WRITE), "anonymous" (X on
// anonymous memory), "requested_execute" (only the request is known).
const char* memory_exec_reason(uint32_t syscall, uint64_t prot, uint64_t vma);
// A name dressed as a kernel thread: "[kworker/0:1]", "kworker/0:1", "kthreadd".
bool looks_like_kernel_thread(std::string_view name);

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

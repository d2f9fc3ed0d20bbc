// The injection actions' fields (docs/events/tamper.md: ptrace,
// process_vm_read, process_vm_write, proc_mem_open). Addresses and words
// are written as hexadecimal strings: JSON numbers lose precision past 2^53
// in most readers, and an address is read in hexadecimal anyway.
#include <cinttypes>
#include <cstdio>

#include "decode/decode.h"
#include "families/tamper/encode.h"

namespace nj {

namespace {

constexpr uint64_t kTraceMe = 0, kPokeText = 4, kPokeData = 5, kPokeUser = 6, kSetRegs = 13, kSetFpRegs = 15,
                   kAttach = 16, kSetRegSet = 0x4205, kSeize = 0x4206;

void hex_kv(Encoder& e, const char* key, uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
  e.w().kv(key, buf);
}

// A request that writes into the tracee (memory or registers) is a change
// of that process; attaching is access to it.
bool ptrace_changes(uint64_t request) {
  return request == kPokeText || request == kPokeData || request == kPokeUser || request == kSetRegs ||
         request == kSetFpRegs || request == kSetRegSet;
}

}  // namespace

std::string ptrace_request_name(uint64_t request) {
  switch (request) {
    case kTraceMe: return "PTRACE_TRACEME";
    case kPokeText: return "PTRACE_POKETEXT";
    case kPokeData: return "PTRACE_POKEDATA";
    case kPokeUser: return "PTRACE_POKEUSER";
    case kSetRegs: return "PTRACE_SETREGS";
    case kSetFpRegs: return "PTRACE_SETFPREGS";
    case kAttach: return "PTRACE_ATTACH";
    case kSetRegSet: return "PTRACE_SETREGSET";
    case kSeize: return "PTRACE_SEIZE";
    default: return std::to_string(request);
  }
}

void encode_record(Encoder& e, const Event& ev, const nj_tmp_ptrace& r) {
  const nj_tamper_op& op = r.op;
  const uint64_t request = op.values[0];
  encode_tamper(e, ev, r, {"ptrace", "process", ptrace_changes(request) ? "change" : "access"}, [&](const TamperView&) {
    auto& w = e.w();
    w.key("ptrace");
    w.begin_object();
    w.kv("request", ptrace_request_name(request));
    switch (request) {
      case kPokeText:
      case kPokeData:
        hex_kv(e, "address", op.args[2]);
        hex_kv(e, "word", op.args[3]);
        break;
      case kPokeUser:
        hex_kv(e, "offset", op.args[2]);  // into struct user
        hex_kv(e, "word", op.args[3]);
        break;
      case kSeize: hex_kv(e, "options", op.args[3]); break;
      case kSetRegSet: w.kn("regset", op.args[2]); break;
      case kSetRegs:
        if (op.values[2]) hex_kv(e, "instruction_pointer", op.values[1]);
        break;
      default: break;
    }
    w.end_object();
  });
}

namespace {

void encode_vm(Encoder& e, const Event& ev, const auto& r, const char* action, const char* type) {
  const nj_tamper_op& op = r.op;
  encode_tamper(e, ev, r, {action, "process", type}, [&](const TamperView&) {
    auto& w = e.w();
    w.key("process_vm");
    w.begin_object();
    w.kn("local_iovecs", op.args[2]);
    w.kn("remote_iovecs", op.args[4]);
    if (op.retval >= 0) w.kn("bytes", static_cast<uint64_t>(op.retval));
    if (op.values[2]) {
      hex_kv(e, "remote_address", op.values[0]);
      w.kn("remote_length", op.values[1]);
    }
    w.end_object();
  });
}

}  // namespace

void encode_record(Encoder& e, const Event& ev, const nj_tmp_vm_read& r) {
  encode_vm(e, ev, r, "process_vm_read", "access");
}

void encode_record(Encoder& e, const Event& ev, const nj_tmp_vm_write& r) {
  encode_vm(e, ev, r, "process_vm_write", "change");
}

const char* mem_open_mode(uint64_t fmode) {
  switch (fmode & 3) {
    case 1: return "read";
    case 2: return "write";
    case 3: return "read_write";
    default: return "none";
  }
}

void encode_record(Encoder& e, const Event& ev, const nj_tmp_mem_open& r) {
  const nj_tamper_op& op = r.op;
  encode_tamper(e, ev, r, {"proc_mem_open", "process", (op.values[0] & 2) ? "change" : "access"},
                [&](const TamperView& v) {
                  auto& w = e.w();
                  w.key("mem_open");
                  w.begin_object();
                  // Walked from the opened file's dentry, leaf first.
                  if (const TamperString* p = string_of(v, NJ_TF_PATH))
                    e.str("path", p->value, "nightjar.tamper.mem_open.path");
                  w.kv("mode", mem_open_mode(op.values[0]));
                  hex_kv(e, "flags", op.values[1]);
                  w.end_object();
                });
}

}  // namespace nj

#include "loader/features.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "util/files.h"

namespace nj {

SystemFeatures::SystemFeatures() : SystemFeatures(Paths{}) {}
SystemFeatures::SystemFeatures(Paths paths) : paths_(std::move(paths)) {}

bool SystemFeatures::btf() const {
  if (!btf_) btf_ = path_exists(paths_.btf);
  return *btf_;
}

bool SystemFeatures::ringbuf() const {
  if (!ringbuf_) ringbuf_ = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, nullptr) == 1;
  return *ringbuf_;
}

bool SystemFeatures::tracepoint(const std::string& category, const std::string& name) const {
  return path_exists(paths_.tracefs + "/events/" + category + "/" + name + "/id");
}

namespace {

// A pointer argument an fentry program reads must point to a complete type:
// where BTF only has a forward declaration (5.10's __x64_sys_* take a
// `struct pt_regs` that BTF never defines), the verifier refuses the
// program ("arg0 type FWD is not a struct").
bool args_complete(const struct btf* b, const struct btf_type* func) {
  const struct btf_type* proto = btf__type_by_id(b, func->type);
  if (!proto || !btf_is_func_proto(proto)) return false;
  const struct btf_param* p = btf_params(proto);
  for (unsigned i = 0; i < btf_vlen(proto); i++) {
    const struct btf_type* t = btf__type_by_id(b, p[i].type);
    while (t && (btf_is_typedef(t) || btf_is_mod(t))) t = btf__type_by_id(b, t->type);
    if (!t || !btf_is_ptr(t)) continue;
    const struct btf_type* target = btf__type_by_id(b, t->type);
    while (target && (btf_is_typedef(target) || btf_is_mod(target))) target = btf__type_by_id(b, target->type);
    if (target && btf_is_fwd(target)) return false;
  }
  return true;
}

}  // namespace

void SystemFeatures::load_btf() const {
  btf_names_.emplace();
  struct btf* b = btf__parse(paths_.btf.c_str(), nullptr);
  if (!b) return;
  const unsigned n = btf__type_cnt(b);
  for (unsigned id = 1; id < n; id++) {
    const struct btf_type* t = btf__type_by_id(b, id);
    if (!t) continue;
    const unsigned kind = btf_kind(t);
    if (kind != BTF_KIND_TYPEDEF && kind != BTF_KIND_FUNC) continue;
    // Functions fentry could not use are left out of the set.
    if (kind == BTF_KIND_FUNC && !args_complete(b, t)) continue;
    const char* name = btf__name_by_offset(b, t->name_off);
    if (name && *name) btf_names_->insert(name);
  }
  btf__free(b);
}

bool SystemFeatures::tp_btf(const std::string& name) const {
  if (!btf()) return false;
  if (!btf_names_) load_btf();
  return btf_names_->count("btf_trace_" + name) > 0;
}

bool SystemFeatures::kprobes() const {
  if (!kprobes_) kprobes_ = path_exists(paths_.kprobe_pmu) || path_exists(paths_.tracefs + "/kprobe_events");
  return *kprobes_;
}

void SystemFeatures::load_kallsyms() const {
  kallsyms_.emplace();
  std::ifstream in(paths_.kallsyms);
  std::string addr, type, name;
  while (in >> addr >> type) {
    std::getline(in, name);
    // " name [module]" -> "name"
    size_t b = name.find_first_not_of(" \t");
    if (b == std::string::npos) continue;
    size_t e = name.find_first_of(" \t", b);
    if (type == "t" || type == "T" || type == "W" || type == "w")
      kallsyms_->insert(name.substr(b, e == std::string::npos ? std::string::npos : e - b));
  }
}

bool SystemFeatures::kernel_function(const std::string& name) const {
  if (!kallsyms_) load_kallsyms();
  return kallsyms_->count(name) > 0;
}

std::string syscall_symbol(const std::string& syscall) {
#if defined(__x86_64__)
  return "__x64_sys_" + syscall;
#elif defined(__aarch64__)
  return "__arm64_sys_" + syscall;
#else
  return "sys_" + syscall;
#endif
}

bool SystemFeatures::syscall_function(const std::string& syscall) const {
  return kernel_function(syscall_symbol(syscall)) || kernel_function("sys_" + syscall);
}

bool SystemFeatures::btf_function(const std::string& name) const {
  if (!btf()) return false;
  if (!btf_names_) load_btf();
  return btf_names_->count(name) > 0;
}

bool SystemFeatures::fentry() const {
  if (fentry_) return *fentry_;
  fentry_ = false;
  // Not guessed from the version: load a two-instruction fentry program on
  // a function we hook and attach it. Kernels refuse at either step (no
  // trampoline for the arch, lockdown, a missing JIT: EPERM, ENOTSUP).
  struct btf* vmlinux = btf__parse(paths_.btf.c_str(), nullptr);
  if (!vmlinux) return false;
  int id = btf__find_by_name_kind(vmlinux, "wake_up_new_task", BTF_KIND_FUNC);
  btf__free(vmlinux);
  if (id <= 0) return false;
  const struct bpf_insn insns[] = {
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0},  // r0 = 0
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},                   // exit
  };
  LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY,
              .attach_btf_id = static_cast<__u32>(id));
  int prog = bpf_prog_load(BPF_PROG_TYPE_TRACING, "nj_fentry_probe", "GPL", insns, 2, &opts);
  if (prog < 0) return false;
  int link = bpf_link_create(prog, 0, BPF_TRACE_FENTRY, nullptr);
  if (link >= 0) {
    fentry_ = true;
    close(link);
  }
  close(prog);
  return *fentry_;
}

BpfAccess classify_bpf_error(int err) {
  if (err == 0) return BpfAccess::allowed;
  if (err == EPERM || err == EACCES) return BpfAccess::refused;
  return BpfAccess::unsupported;
}

BpfProbe probe_bpf_access() {
  const struct bpf_insn insns[] = {
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0},  // r0 = 0
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},                   // exit
  };
  const int prog = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "nj_access_probe", "GPL", insns, 2, nullptr);
  if (prog >= 0) {
    close(prog);
    return {};
  }
  const int err = errno;
  return BpfProbe{classify_bpf_error(err), err};
}

Result<void> check_privileges(CapUse use, uint64_t perf_pages_per_cpu) {
  const auto unmet = unmet_needs(sensor_cap_needs(read_privilege_context(perf_pages_per_cpu), use), effective_caps());
  if (!unmet.empty()) return Error{EPERM, "missing capabilities " + describe_needs(unmet)};
  const BpfProbe b = probe_bpf_access();
  if (b.access == BpfAccess::refused)
    return Error{b.err, std::string("bpf() refused (") + std::strerror(b.err) +
                            ") although the capabilities are held: lockdown, seccomp, an LSM or a user namespace"};
  return {};
}

std::string SystemFeatures::kernel_release() const {
  struct utsname u;
  if (uname(&u) != 0) return "unknown";
  return u.release;
}

bool ensure_tracefs() {
  if (path_exists("/sys/kernel/tracing/events")) return true;
  if (::mount("nodev", "/sys/kernel/tracing", "tracefs", 0, nullptr) == 0) return true;
  return path_exists("/sys/kernel/debug/tracing/events");
}

}  // namespace nj

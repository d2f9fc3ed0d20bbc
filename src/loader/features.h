// What the running kernel can do, probed once and memoised. The program
// table asks this, never the kernel version.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "util/caps.h"
#include "util/result.h"

namespace nj {

class KernelFeatures {
 public:
  virtual ~KernelFeatures() = default;
  virtual bool btf() const = 0;
  virtual bool ringbuf() const = 0;
  // A syscalls:/sched: style tracepoint exists (tracefs events directory).
  virtual bool tracepoint(const std::string& category, const std::string& name) const = 0;
  // A BTF-typed tracepoint (tp_btf) exists: vmlinux BTF has btf_trace_<name>.
  virtual bool tp_btf(const std::string& name) const = 0;
  // kprobes can be created at all (CONFIG_KPROBES, a kprobe PMU).
  virtual bool kprobes() const = 0;
  // A kernel function that can be probed (listed in kallsyms).
  virtual bool kernel_function(const std::string& name) const = 0;
  // The syscall entry symbol kprobes would use (__x64_sys_X or sys_X).
  virtual bool syscall_function(const std::string& syscall) const = 0;
  // fentry/fexit programs load and attach (BPF trampolines work).
  virtual bool fentry() const = 0;
  // The kernel's BTF describes this function completely enough for fentry:
  // it exists and its pointer arguments point to complete types.
  virtual bool btf_function(const std::string& name) const = 0;
  virtual std::string kernel_release() const = 0;
};

// The real kernel, read through /sys and /proc. Roots are overridable so the
// probing code itself can be tested on a fake tree.
class SystemFeatures final : public KernelFeatures {
 public:
  struct Paths {
    std::string btf = "/sys/kernel/btf/vmlinux";
    std::string tracefs = "/sys/kernel/tracing";
    std::string kallsyms = "/proc/kallsyms";
    std::string kprobe_pmu = "/sys/bus/event_source/devices/kprobe/type";
  };
  SystemFeatures();
  explicit SystemFeatures(Paths paths);

  bool btf() const override;
  bool ringbuf() const override;
  bool tracepoint(const std::string& category, const std::string& name) const override;
  bool tp_btf(const std::string& name) const override;
  bool kprobes() const override;
  bool kernel_function(const std::string& name) const override;
  bool syscall_function(const std::string& syscall) const override;
  bool fentry() const override;
  bool btf_function(const std::string& name) const override;
  std::string kernel_release() const override;

 private:
  void load_kallsyms() const;
  void load_btf() const;

  Paths paths_;
  mutable std::optional<bool> btf_, ringbuf_, kprobes_, fentry_;
  mutable std::optional<std::set<std::string>> kallsyms_;
  mutable std::optional<std::set<std::string>> btf_names_;
};

// Whether bpf() may load a tracing program here. EPERM and EACCES are a
// matter of privileges (capabilities, or lockdown, seccomp, an LSM, a user
// namespace); any other error is the kernel's (no bpf(), no such program
// type). Told apart so that `probe` never blames the kernel for a missing
// capability.
enum class BpfAccess { allowed, refused, unsupported };
BpfAccess classify_bpf_error(int err);
struct BpfProbe {
  BpfAccess access = BpfAccess::allowed;
  int err = 0;  // errno of the refusal
};
// Loads (and unloads) a two-instruction tracepoint program: the program
// type needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN), as the sensor's do.
BpfProbe probe_bpf_access();

// Whether this process holds the capabilities `use` needs (with perf
// buffers of this many pages per CPU, 0: the ring buffer), and bpf() lets
// it load a tracing program. The error names what is missing.
Result<void> check_privileges(CapUse use, uint64_t perf_pages_per_cpu = 0);

// The symbol of a syscall's entry point on this architecture.
std::string syscall_symbol(const std::string& syscall);

// Mounts tracefs at /sys/kernel/tracing when it is not mounted (tracepoint
// attachment needs it). Returns false if it could not.
bool ensure_tracefs();

}  // namespace nj

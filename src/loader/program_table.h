// Which BPF programs implement each hook on each backend, and the choice of
// one variant per hook for the running kernel. Pure: decided from a
// KernelFeatures, so it is tested without root.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "families/registry.h"
#include "loader/features.h"

namespace nj {

enum class Backend { tracepoint, kprobe, fentry };
const char* to_string(Backend b);
std::optional<Backend> backend_from_string(const std::string& s);

// What a program needs from the kernel to attach.
struct Requirement {
  enum class Kind { tracepoint, tp_btf, kprobe, ksyscall, fentry, fentry_syscall } kind;
  std::string category;  // tracepoint category
  std::string name;      // tracepoint, function or syscall name
  // A BPF helper the program calls that older kernels lack, by its kernel
  // symbol (bpf_find_vma): the verifier refuses the whole program there.
  std::string helper = {};
};

struct Alternate {
  std::string program;
  Requirement need;
};

struct Variant {
  Backend backend;
  std::vector<std::string> programs;  // skeleton program names
  std::vector<Requirement> needs;
  // Per program: what to attach instead when its requirement is not met
  // (syscall hooks: the same syscall on the other backends, in preference
  // order), so one missing symbol costs one program, not the syscall.
  std::vector<std::vector<Alternate>> alternates;
};

// The program to attach for slot i of a variant on this kernel: the
// variant's own, else the first alternate whose requirement holds; nullopt
// if none can.
std::optional<Alternate> program_for(const KernelFeatures& f, const Variant& v, size_t i);

// Whether a program of backend b with requirement `need` can be loaded
// only where that requirement holds, so a load of every program of the
// backend leaves it out elsewhere: fentry and tp_btf programs name their
// target at load time, and older verifiers refuse a program calling a
// newer helper.
bool loads_only_where_met(Backend b, const Requirement& need);

struct Hook {
  std::string name;  // e.g. "exec", "exec.enter"
  Family family;
  // Without it the family does not work at all; an optional hook only
  // enriches (e.g. the script chain's file identities).
  bool required;
  std::string why;                // one line shown by `nightjar probe`
  std::vector<Variant> variants;  // in order of preference
};

// Every family's hooks (families/hooks.cpp), in table order.
const std::vector<Hook>& hook_table();
std::vector<Hook> family_hooks();

// Building blocks for the families' rows.
// Syscall entry (enter) or exit hooks: fentry/fexit on the syscall's entry
// symbol, a kprobe on it (ksyscall), or the syscall's own tracepoint; per
// syscall the other backends' programs are its alternates.
Hook syscall_hook(Family family, const char* name, const char* why, const std::vector<const char*>& syscalls,
                  bool enter, bool required = true);
// The syscalls of `syscalls` in this architecture's native table. arm64 has
// only the *at forms of x86's legacy path syscalls (open, creat, mkdir,
// mknod, symlink, link, unlink, rmdir, rename, chmod, chown, lchown, utime,
// utimes, futimesat). Its kernels do define __arm64_sys_open & co, but for
// the 32-bit compat table alone, which native tasks never reach: a kprobe
// or fentry there would attach and never fire, so the BPF object has no
// program for them on arm64 (NJ_LEGACY_PATH_SYSCALLS, bpf/include/syscalls.h),
// as the tracepoint backend has no sys_enter_open there either.
std::vector<const char*> native_syscalls(const std::vector<const char*>& syscalls);
// fentry on a kernel function, its kprobe twin (same body), and the
// tracepoint (tp_btf) that fires at the same point, if there is one.
std::vector<Variant> function_hook(const char* fn, const char* tp_btf_name, const char* tracepoint_prog);

// A tracepoint every backend uses as it is (there is no kernel function to
// hook instead): the same program in one variant per backend. `names` are
// (tracepoint, program) in preference order: the later ones are the same
// tracepoint under its names on older kernels.
std::vector<Variant> tracepoint_everywhere(const char* category,
                                           const std::vector<std::pair<const char*, const char*>>& names);

// A BTF tracepoint every backend uses as it is: its typed arguments carry
// what the plain tracepoint's record lacks (a task_struct, not a pid).
std::vector<Variant> tp_btf_everywhere(const char* name, const char* prog);

struct Choice {
  const Hook* hook = nullptr;
  const Variant* variant = nullptr;  // null: nothing usable on this kernel
  std::string reason;                // why this variant, or why none
};

// One choice per hook of the selected families, by preference: fentry where
// trampolines attach, else kprobe, else tracepoint. A forced backend is used
// wherever the hook has a usable variant for it; required hooks without one
// fall back to the preference order (and say so), optional ones are left out.
std::vector<Choice> choose_programs(const KernelFeatures& features, const std::vector<Family>& families,
                                    std::optional<Backend> forced);

bool requirement_met(const KernelFeatures& features, const Requirement& r);
std::string describe(const Requirement& r);

// Every program of the table of backend b's kind, whatever variant lists it
// (a tracepoint every backend uses, a renamed tracepoint's other name),
// once each, with what it needs to attach.
std::vector<std::pair<std::string, Requirement>> programs_with_needs(Backend b);
// Their names (for load-only tests).
std::vector<std::string> programs_of(Backend b);
// The backend a kind of program belongs to.
Backend backend_of(Requirement::Kind k);

}  // namespace nj

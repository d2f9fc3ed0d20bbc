#include "loader/program_table.h"

#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "nightjar_bpf.skel.h"

using namespace nj;

namespace {

// A kernel described by what it lacks: everything else is available.
class FakeFeatures final : public KernelFeatures {
 public:
  bool has_kprobes = true;
  bool has_fentry = true;
  std::set<std::string> missing_tracepoints;  // "category:name"
  std::set<std::string> missing_tp_btf;
  std::set<std::string> missing_functions;
  std::set<std::string> missing_syscalls;
  std::set<std::string> missing_btf_functions;

  bool btf() const override { return true; }
  bool ringbuf() const override { return true; }
  bool tracepoint(const std::string& category, const std::string& name) const override {
    return !missing_tracepoints.count(category + ":" + name);
  }
  bool tp_btf(const std::string& name) const override { return !missing_tp_btf.count(name); }
  bool kprobes() const override { return has_kprobes; }
  bool kernel_function(const std::string& name) const override { return !missing_functions.count(name); }
  bool syscall_function(const std::string& syscall) const override { return !missing_syscalls.count(syscall); }
  bool fentry() const override { return has_fentry; }
  bool btf_function(const std::string& name) const override { return !missing_btf_functions.count(name); }
  std::string kernel_release() const override { return "6.1.0-fake"; }
};

const std::vector<std::string> kHooks = {"exec.enter", "exec", "exec.leave",    "exec.level",   "fork.enter",
                                         "fork",       "exit", "unshare.enter", "unshare.leave"};

const Choice& choice(const std::vector<Choice>& cs, const std::string& hook) {
  for (const Choice& c : cs)
    if (c.hook && c.hook->name == hook) return c;
  throw std::runtime_error("no choice for hook " + hook);
}

bool starts_with(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }
bool contains(const std::string& s, const std::string& p) { return s.find(p) != std::string::npos; }

std::vector<Choice> choose(const FakeFeatures& f, std::optional<Backend> forced = std::nullopt) {
  return choose_programs(f, {Family::process}, forced);
}

}  // namespace

TEST(ProgramTable, EveryHookOfTheFamilyGetsAChoice) {
  FakeFeatures f;
  auto cs = choose(f);
  std::vector<std::string> names;
  for (auto& c : cs) names.push_back(c.hook->name);
  EXPECT_EQ(names, kHooks);
  EXPECT_TRUE(choose_programs(f, {}, std::nullopt).empty());
}

// Preference: fentry where trampolines attach, else kprobe, else tracepoint.
TEST(ProgramTable, EverythingAvailablePrefersFentry) {
  FakeFeatures f;
  auto cs = choose(f);
  for (const Choice& c : cs) {
    ASSERT_NE(c.variant, nullptr) << c.hook->name << ": " << c.reason;
    EXPECT_FALSE(c.reason.empty());
    EXPECT_EQ(c.variant->backend, Backend::fentry) << c.hook->name;
  }
  EXPECT_EQ(choice(cs, "exec").variant->programs, std::vector<std::string>{"fe__finalize_exec"});
  EXPECT_EQ(choice(cs, "exec.leave").variant->programs, (std::vector<std::string>{"fx__execve", "fx__execveat"}));
#if defined(__x86_64__)
  EXPECT_EQ(choice(cs, "fork.enter").variant->programs,
            (std::vector<std::string>{"fe__clone", "fe__clone3", "fe__fork", "fe__vfork"}));
#endif
  EXPECT_EQ(choice(cs, "exec.level").variant->programs, std::vector<std::string>{"fe__security_bprm_check"});
}

TEST(ProgramTable, NoFentryPrefersKprobes) {
  FakeFeatures f;
  f.has_fentry = false;
  for (const Choice& c : choose(f)) {
    ASSERT_NE(c.variant, nullptr) << c.hook->name;
    EXPECT_EQ(c.variant->backend, Backend::kprobe) << c.hook->name;
  }
}

TEST(ProgramTable, NoTrampolinesNoKprobesUsesTracepoints) {
  FakeFeatures f;
  f.has_kprobes = false;
  f.has_fentry = false;
  auto cs = choose(f);
  EXPECT_EQ(choice(cs, "exec").variant->programs, std::vector<std::string>{"tpbtf__sched_process_exec"});
#if defined(__x86_64__)
  EXPECT_EQ(choice(cs, "fork.enter").variant->programs,
            (std::vector<std::string>{"tp__sys_enter_clone", "tp__sys_enter_clone3", "tp__sys_enter_fork",
                                      "tp__sys_enter_vfork"}));
#endif
  const Choice& level = choice(cs, "exec.level");
  EXPECT_EQ(level.variant, nullptr);
  EXPECT_FALSE(level.hook->required);
  EXPECT_TRUE(contains(level.reason, "security_bprm_check")) << level.reason;
  for (const Choice& c : cs) {
    if (c.hook->name == "exec.level") continue;
    ASSERT_NE(c.variant, nullptr) << c.hook->name;
    EXPECT_EQ(c.variant->backend, Backend::tracepoint) << c.hook->name;
  }
}

// A function BTF does not describe cannot take fentry; only that hook moves.
TEST(ProgramTable, MissingBtfFunctionMovesOnlyThatHook) {
  FakeFeatures f;
  f.missing_btf_functions = {"finalize_exec"};
  auto cs = choose(f);
  EXPECT_EQ(choice(cs, "exec").variant->backend, Backend::kprobe);
  EXPECT_EQ(choice(cs, "fork").variant->backend, Backend::fentry);
  EXPECT_EQ(choice(cs, "exec.enter").variant->backend, Backend::fentry);
}

TEST(ProgramTable, ForcedTracepointWhereFentryWorks) {
  FakeFeatures f;
  auto cs = choose(f, Backend::tracepoint);
  for (const Choice& c : cs) {
    if (c.hook->name == "exec.level") {
      // No tracepoint exists between binfmt levels, and an optional hook is
      // not taken from another backend: the forced backend's output keeps
      // its documented shape.
      EXPECT_EQ(c.variant, nullptr);
      EXPECT_TRUE(contains(c.reason, "no usable tracepoint variant")) << c.reason;
    } else {
      ASSERT_NE(c.variant, nullptr) << c.hook->name;
      EXPECT_EQ(c.variant->backend, Backend::tracepoint) << c.hook->name;
    }
  }
}

TEST(ProgramTable, ForcedKprobe) {
  FakeFeatures f;
  auto cs = choose(f, Backend::kprobe);
  for (const Choice& c : cs) {
    ASSERT_NE(c.variant, nullptr) << c.hook->name;
    EXPECT_EQ(c.variant->backend, Backend::kprobe) << c.hook->name;
    EXPECT_TRUE(contains(c.reason, "forced")) << c.hook->name << ": " << c.reason;
  }
  EXPECT_EQ(choice(cs, "exec").variant->programs, std::vector<std::string>{"kp__finalize_exec"});
  EXPECT_EQ(choice(cs, "exec.leave").variant->programs, (std::vector<std::string>{"kret__execve", "kret__execveat"}));
}

TEST(ProgramTable, ForcedKprobeWithoutKprobesFallsBack) {
  FakeFeatures f;
  f.has_kprobes = false;
  f.has_fentry = false;
  auto cs = choose(f, Backend::kprobe);
  for (const Choice& c : cs) {
    if (c.hook->name == "exec.level") {
      EXPECT_EQ(c.variant, nullptr);
      continue;
    }
    ASSERT_NE(c.variant, nullptr) << c.hook->name;
    EXPECT_EQ(c.variant->backend, Backend::tracepoint) << c.hook->name;
    EXPECT_TRUE(contains(c.reason, "fell back to tracepoint")) << c.hook->name << ": " << c.reason;
    EXPECT_TRUE(contains(c.reason, "kprobe")) << c.hook->name << ": " << c.reason;
  }
}

TEST(ProgramTable, RequiredExecHookUnavailable) {
  FakeFeatures f;
  f.missing_tp_btf = {"sched_process_exec"};
  f.has_kprobes = false;
  f.has_fentry = false;
  auto cs = choose(f);
  const Choice& exec = choice(cs, "exec");
  EXPECT_TRUE(exec.hook->required);
  EXPECT_EQ(exec.variant, nullptr);
  EXPECT_TRUE(contains(exec.reason, "sched_process_exec")) << exec.reason;
  EXPECT_TRUE(contains(exec.reason, "finalize_exec")) << exec.reason;
  // The rest of the family is unaffected.
  EXPECT_NE(choice(cs, "fork").variant, nullptr);
  EXPECT_NE(choice(cs, "exec.enter").variant, nullptr);
}

TEST(ProgramTable, MissingTpBtfUsesKprobeForThatHookOnly) {
  FakeFeatures f;
  f.missing_tp_btf = {"sched_process_exec"};
  f.has_fentry = false;
  auto cs = choose(f);
  const Choice& exec = choice(cs, "exec");
  ASSERT_NE(exec.variant, nullptr);
  EXPECT_EQ(exec.variant->backend, Backend::kprobe);
  EXPECT_EQ(choice(cs, "exec.enter").variant->backend, Backend::kprobe);
  EXPECT_EQ(choice(cs, "fork").variant->backend, Backend::kprobe);
  f.has_kprobes = false;
  f.missing_tp_btf = {};
  EXPECT_EQ(choice(choose(f), "exec").variant->backend, Backend::tracepoint);
}

// A kernel without fork/vfork tracepoints or entry symbols keeps fork.enter
// on clone and clone3. (arm64 has no sys_enter_fork/vfork tracepoints; its
// BTF does have __arm64_sys_fork, but that is the 32-bit compat entry, and
// process/hooks.cpp leaves fork and vfork out of arm64's table.)
TEST(ProgramTable, MissingForkVforkSyscallsKeepForkEnter) {
  FakeFeatures f;
  f.has_kprobes = false;
  f.has_fentry = false;
  f.missing_tracepoints = {"syscalls:sys_enter_fork", "syscalls:sys_enter_vfork"};
  f.missing_syscalls = {"fork", "vfork"};
  auto cs = choose(f);
  const Choice& fe = choice(cs, "fork.enter");
  ASSERT_NE(fe.variant, nullptr) << fe.reason;
  EXPECT_EQ(fe.variant->backend, Backend::tracepoint);

  f.has_kprobes = true;
  auto forced = choose(f, Backend::kprobe);
  const Choice& fk = choice(forced, "fork.enter");
  ASSERT_NE(fk.variant, nullptr) << fk.reason;
  EXPECT_EQ(fk.variant->backend, Backend::kprobe);
}

// clone is the syscall every kernel has: without its tracepoint the
// tracepoint variant is not usable.
// x86's legacy path syscalls (open, mkdir, ...) have programs on x86 only.
// arm64's kernels offer __arm64_sys_open & co (the compat table, never
// reached by native tasks), so a kernel where the symbol exists and the
// tracepoint does not, as on arm64, must still get no program for them.
TEST(ProgramTable, LegacyPathSyscallsOnX86Only) {
  FakeFeatures f;
  f.missing_tracepoints = {"syscalls:sys_enter_open", "syscalls:sys_exit_open"};
  const auto cs = choose_programs(f, {Family::file}, Backend::kprobe);
  const Choice& c = choice(cs, "file.open.enter");
  ASSERT_NE(c.variant, nullptr) << c.reason;
  EXPECT_EQ(c.variant->backend, Backend::kprobe);
  const auto& chosen = c.variant->programs;
#if defined(__aarch64__)
  const bool want = false;
#else
  const bool want = true;
#endif
  EXPECT_EQ(std::find(chosen.begin(), chosen.end(), "ks__open") != chosen.end(), want);
  std::set<std::string> all;
  for (Backend b : {Backend::fentry, Backend::kprobe, Backend::tracepoint})
    for (const std::string& p : programs_of(b)) all.insert(p);
  for (const char* sc : {"open", "creat", "mkdir", "mknod", "symlink", "link", "unlink", "rmdir", "rename", "chmod",
                         "chown", "lchown", "utime", "utimes", "futimesat"}) {
    const std::string s = sc;
    for (const std::string& p :
         {"fe__" + s, "fx__" + s, "ks__" + s, "kret__" + s, "tp__sys_enter_" + s, "tp__sys_exit_" + s})
      EXPECT_EQ(all.count(p) == 1, want) << p;
  }
  // The tamper family's /proc/<pid>/mem check on the same opens.
  for (const std::string s : {"open", "creat"})
    for (const std::string& p : {"fx__memopen_" + s, "kret__memopen_" + s, "tp__memopen_sys_exit_" + s})
      EXPECT_EQ(all.count(p) == 1, want) << p;
  EXPECT_EQ(all.count("kret__memopen_openat"), 1u);
}

TEST(ProgramTable, MissingFirstSyscallTracepointIsNotTolerated) {
  FakeFeatures f;
  f.has_fentry = false;
  f.has_kprobes = false;
  f.missing_tracepoints = {"syscalls:sys_enter_clone"};
  auto cs = choose(f);
  const Choice& fe = choice(cs, "fork.enter");
  EXPECT_EQ(fe.variant, nullptr) << fe.reason;
}

TEST(ProgramTable, ProgramsOfKprobe) {
  auto progs = programs_of(Backend::kprobe);
  ASSERT_FALSE(progs.empty());
  for (const std::string& p : progs)
    EXPECT_TRUE(starts_with(p, "kp__") || starts_with(p, "ks__") || starts_with(p, "kret__")) << p;
  EXPECT_NE(std::find(progs.begin(), progs.end(), "kp__security_bprm_check"), progs.end());
  EXPECT_NE(std::find(progs.begin(), progs.end(), "ks__execve"), progs.end());
  EXPECT_NE(std::find(progs.begin(), progs.end(), "kret__unshare"), progs.end());
  std::set<std::string> unique(progs.begin(), progs.end());
  EXPECT_EQ(unique.size(), progs.size()) << "duplicates";

  for (const std::string& p : programs_of(Backend::tracepoint))
    EXPECT_TRUE(starts_with(p, "tp__") || starts_with(p, "tpbtf__") || starts_with(p, "tpvma__")) << p;
  auto fentry = programs_of(Backend::fentry);
  // One fentry twin per kprobe program, but for a function fentry cannot
  // attach to on every kernel (struct arguments before v6.1).
  const std::set<std::string> kprobe_only = {"kp__security_path_chown"};
  EXPECT_EQ(fentry.size() + kprobe_only.size(), progs.size()) << "one fentry twin per kprobe program";
  for (const std::string& p : fentry) EXPECT_TRUE(starts_with(p, "fe__") || starts_with(p, "fx__")) << p;
}

// The table names skeleton programs: each must exist in the BPF object
// (opened, never loaded: no privileges needed), with a section of its
// backend's kind; and every program of the object is in the table.
TEST(ProgramTable, TableMatchesTheBpfObject) {
  nightjar_bpf* skel = nightjar_bpf__open();
  ASSERT_NE(skel, nullptr) << "nightjar_bpf__open failed";
  const std::map<Backend, std::vector<std::string>> sections = {
      {Backend::tracepoint, {"tracepoint/", "tp_btf/"}},
      {Backend::kprobe, {"kprobe/", "kretprobe/", "ksyscall/", "kretsyscall/"}},
      {Backend::fentry, {"fentry/", "fexit/"}},
  };
  std::set<std::string> in_table;
  for (auto& [backend, prefixes] : sections) {
    for (const std::string& p : programs_of(backend)) {
      in_table.insert(p);
      bpf_program* prog = bpf_object__find_program_by_name(skel->obj, p.c_str());
      if (!prog) {
        ADD_FAILURE() << p << " is not a program of the BPF object";
        continue;
      }
      const std::string sec = bpf_program__section_name(prog);
      bool kind_ok =
          std::any_of(prefixes.begin(), prefixes.end(), [&](auto& pre) { return starts_with(sec, pre.c_str()); });
      EXPECT_TRUE(kind_ok) << p << " is in SEC(\"" << sec << "\") but listed as " << to_string(backend);
    }
  }
  bpf_program* prog;
  bpf_object__for_each_program(prog, skel->obj) {
    EXPECT_TRUE(in_table.count(bpf_program__name(prog))) << bpf_program__name(prog) << " is never attached";
  }
  nightjar_bpf__destroy(skel);
}

TEST(ProgramTable, RequirementNeedsTrampolinesAndBtf) {
  FakeFeatures f;
  Requirement fn{Requirement::Kind::fentry, "", "finalize_exec"};
  Requirement sc{Requirement::Kind::fentry_syscall, "", "execve"};
  EXPECT_TRUE(requirement_met(f, fn));
  EXPECT_TRUE(requirement_met(f, sc));
  f.missing_btf_functions = {syscall_symbol("execve")};
  EXPECT_FALSE(requirement_met(f, sc));
  EXPECT_TRUE(requirement_met(f, fn));
  f.has_fentry = false;
  EXPECT_FALSE(requirement_met(f, fn)) << "described by BTF but trampolines do not attach";
}

TEST(ProgramTable, RequirementNeedsKprobeSupport) {
  FakeFeatures f;
  Requirement fn{Requirement::Kind::kprobe, "", "finalize_exec"};
  Requirement sc{Requirement::Kind::ksyscall, "", "execve"};
  EXPECT_TRUE(requirement_met(f, fn));
  EXPECT_TRUE(requirement_met(f, sc));
  f.has_kprobes = false;
  EXPECT_FALSE(requirement_met(f, fn)) << "function exists but kprobes cannot be created";
  EXPECT_FALSE(requirement_met(f, sc));
  f.has_kprobes = true;
  f.missing_functions = {"finalize_exec"};
  EXPECT_FALSE(requirement_met(f, fn));
}

TEST(ProgramTable, BackendNames) {
  for (Backend b : {Backend::tracepoint, Backend::kprobe, Backend::fentry})
    EXPECT_EQ(backend_from_string(to_string(b)), b);
  EXPECT_FALSE(backend_from_string("ebpf"));
  EXPECT_EQ(family_from_string("process"), Family::process);
  EXPECT_EQ(family_from_string("tamper"), Family::tamper);
  EXPECT_FALSE(family_from_string("nope"));
}

#if defined(__x86_64__)  // arm64 has no fork syscall
// Debian's 6.12 BTF has no __x64_sys_fork: the fentry variant keeps fentry
// for the other syscalls and takes the next backend's program for fork.
TEST(ProgramTable, MissingSyscallSymbolTakesAnAlternateForThatSyscallOnly) {
  FakeFeatures f;
  f.missing_btf_functions = {syscall_symbol("fork")};
  const auto cs = choose(f);  // choice() points into it
  const Choice& c = choice(cs, "fork.enter");
  ASSERT_NE(c.variant, nullptr);
  ASSERT_EQ(c.variant->backend, Backend::fentry);
  EXPECT_EQ(program_for(f, *c.variant, 0)->program, "fe__clone");
  EXPECT_EQ(program_for(f, *c.variant, 2)->program, "ks__fork");
  f.has_kprobes = false;
  EXPECT_EQ(program_for(f, *c.variant, 2)->program, "tp__sys_enter_fork");
  f.missing_tracepoints = {"syscalls:sys_enter_fork"};
  EXPECT_FALSE(program_for(f, *c.variant, 2)) << "nothing can see that syscall";
}
#endif

// The tracepoint entries of mprotect and pkey_mprotect that look the memory
// up (bpf_find_vma, v5.17) are taken where the kernel has the helper; the
// verifier refuses them elsewhere, so the plain entries are taken there.
TEST(ProgramTable, MprotectEntriesLookTheMemoryUpWhereTheKernelCan) {
  FakeFeatures f;
  f.has_kprobes = false;
  f.has_fentry = false;
  const std::vector<std::string> vma = {"tpvma__sys_enter_mprotect", "tpvma__sys_enter_pkey_mprotect",
                                        "tp__sys_enter_mmap"};
  const std::vector<std::string> plain = {"tp__sys_enter_mprotect", "tp__sys_enter_pkey_mprotect",
                                          "tp__sys_enter_mmap"};
  for (auto forced : {std::optional<Backend>{}, std::optional<Backend>{Backend::tracepoint}}) {
    auto cs = choose_programs(f, {Family::tamper}, forced);
    ASSERT_TRUE(choice(cs, "tamper.memory_exec.enter").variant);
    EXPECT_EQ(choice(cs, "tamper.memory_exec.enter").variant->programs, vma) << forced.has_value();
  }
  f.missing_functions.insert("bpf_find_vma");
  auto cs = choose_programs(f, {Family::tamper}, std::nullopt);
  EXPECT_EQ(choice(cs, "tamper.memory_exec.enter").variant->programs, plain);
  cs = choose_programs(f, {Family::tamper}, Backend::tracepoint);
  ASSERT_TRUE(choice(cs, "tamper.memory_exec.enter").variant);
  EXPECT_EQ(choice(cs, "tamper.memory_exec.enter").variant->programs, plain);
  // Where kprobes work, the kernel's own hook shows the memory instead.
  f.has_kprobes = true;
  cs = choose_programs(f, {Family::tamper}, std::nullopt);
  EXPECT_EQ(choice(cs, "tamper.memory_exec.enter").variant->backend, Backend::kprobe);
}

// `nightjar probe`: what this kernel supports and which program each hook
// would use, without loading anything.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>

#include "app/options.h"
#include "loader/features.h"
#include "loader/program_table.h"

namespace nj {

int run_probe(const SensorConfig& c) {
  // Without privileges tracefs cannot be read and bpf() refuses
  // everything: every feature would look absent. That is said as what it
  // is, and nothing else is printed.
  if (auto p = check_privileges(CapUse::probe); !p) {
    spdlog::error("probe needs privileges to test this kernel: {}", p.error().message);
    return 1;
  }
  const BpfProbe access = probe_bpf_access();
  ensure_tracefs();
  SystemFeatures f;
  auto yn = [](bool b) { return b ? "yes" : "no"; };
  std::printf("kernel %s\n", f.kernel_release().c_str());
  if (access.access == BpfAccess::unsupported)
    std::printf("bpf() cannot load tracing programs on this kernel: %s\n", std::strerror(access.err));
  std::printf("BTF %s, ring buffer %s, kprobes %s, fentry %s\n", yn(f.btf()), yn(f.ringbuf()), yn(f.kprobes()),
              yn(f.fentry()));
  std::printf("%-14s %-11s %-60s %s\n", "hook", "backend", "programs", "why");
  int unavailable = 0, fell_back = 0;
  for (const Choice& ch : choose_programs(f, c.families, c.backend)) {
    std::string progs;
    if (ch.variant) {
      for (size_t i = 0; i < ch.variant->programs.size(); i++) {
        auto use = program_for(f, *ch.variant, i);
        if (!use) continue;
        if (!progs.empty()) progs += ",";
        progs += use->program;
      }
    }
    std::printf("%-14s %-11s %-60s %s\n", ch.hook->name.c_str(), ch.variant ? to_string(ch.variant->backend) : "-",
                progs.empty() ? "-" : progs.c_str(), ch.reason.c_str());
    if (!ch.variant && ch.hook->required) unavailable++;
    if (c.backend && ch.variant && ch.variant->backend != *c.backend) fell_back++;
  }
  if (access.access == BpfAccess::unsupported) return 1;
  if (unavailable) {
    std::printf("%d required hook(s) cannot be attached on this kernel\n", unavailable);
    return 1;
  }
  // Exit 3: runs, but not on the forced backend alone (what the kernel
  // matrix calls "unsupported").
  if (fell_back) {
    std::printf("backend %s is not supported for %d required hook(s) on this kernel\n", to_string(*c.backend),
                fell_back);
    return 3;
  }
  return 0;
}

}  // namespace nj

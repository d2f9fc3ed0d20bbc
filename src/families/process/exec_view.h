// An exec event's parts, put back together: strings decoded, paths
// rebuilt, and the shebang chain worked out.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "assemble/assembler.h"
#include "families/process/privilege.h"
#include "util/files.h"

namespace nj {

struct ScriptLevel {
  std::string path;               // as the kernel resolved it (may be relative)
  std::vector<std::string> args;  // the shebang's optional argument, if any
  uint32_t dev = 0;               // 0: identity unknown
  uint64_t ino = 0;
};

struct ScriptChain {
  std::string script;                     // the file that was executed
  std::vector<ScriptLevel> interpreters;  // in order: the script's own first
  // "kernel": every level seen by the kernel with its identity (kprobe);
  // "shebang": rebuilt by reading the shebang lines and checked against the
  // kernel's rewritten argv; "partial": only the first and last are known.
  std::string source;
};

struct ExecView {
  nj_exec rec{};                        // a copy: the view outlives moves of its Event
  std::optional<std::string> filename;  // as passed to exec
  std::optional<std::string> interp;    // last interpreter named by a shebang
  // Walked by the kernel; a walk cut short gives the tail behind
  // kCutPathMark, which the tracker completes when it can (complete.h).
  std::optional<std::string> exe;
  bool exe_truncated = false;
  std::optional<std::string> cwd;
  bool cwd_truncated = false;
  std::vector<std::string> argv;
  bool argv_present = false;
  bool argv_truncated = false;
  std::vector<ScriptLevel> kernel_levels;  // NJ_F_SCRIPT parts, by level
  // A successful exec that changed the effective ids (privilege.h), as the
  // tracker found it against the process table.
  std::optional<PrivilegeChange> privilege;
};

ExecView make_exec_view(const Event& ev);

// The kernel's shebang parsing (fs/binfmt_script.c): interpreter and at most
// one argument. nullopt if the bytes do not start with "#!".
struct Shebang {
  std::string interp;
  std::optional<std::string> arg;
};
std::optional<Shebang> parse_shebang(const std::string& head);

// The chain of an exec that went through a script, or nullopt.
std::optional<ScriptChain> script_chain(const ExecView& v, const HeadReader& read_head);

// `path` made absolute against `cwd` (no symlink resolution), as the kernel
// would have looked it up.
std::string absolute_path(const std::string& path, const std::string& cwd);

}  // namespace nj

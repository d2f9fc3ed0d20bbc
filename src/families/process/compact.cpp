// What the terminal view shows of process events: what runs and with what
// arguments (as Tetragon's and Falco's exec lines do), how a process ends.
#include "families/process/compact.h"

namespace nj {

std::vector<CompactAction> process_compact() {
  return {
      {"exec",
       Tone::plain,
       {{"process.executable", ""},
        {"process.args", "", Show::argv_tail},
        {"process.user.name", "user"},
        {"nightjar.privilege_change.to_euid", "setuid_to"},
        {"nightjar.script.path", "script"}},
       // The process is the caller: what it asked to run is file.path.
       {{"file.path", ""}, {"nightjar.attempt.args", "", Show::argv_tail}}},
      {"fork", Tone::plain, {{"nightjar.clone_flags", "flags"}}},
      {"exit",
       Tone::plain,
       {{"process.exit_code", "code"}, {"nightjar.exit.signal_name", "signal"}, {"nightjar.exit.core_dumped", "core"}}},
      {"unshare", Tone::notice, {{"nightjar.unshare.flags", "flags"}}},
  };
}

}  // namespace nj

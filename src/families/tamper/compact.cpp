// What the terminal view shows of tamper events: what was done, and to
// which process where another one is the target. Every action is a notice
// (coloured apart): each is what an intruder does, even when an
// administrator is the one doing it.
#include "families/tamper/compact.h"

namespace nj {

std::vector<CompactAction> tamper_compact() {
  const CompactField target{"target.process", "target", Show::process};
  return {
      {"signal",
       Tone::notice,
       {{"nightjar.tamper.signal.name", ""}, target, {"nightjar.tamper.signal.result", "result"}}},
      {"ptrace", Tone::notice, {{"nightjar.tamper.ptrace.request", ""}, target}},
      {"process_vm_read", Tone::notice, {target, {"nightjar.tamper.process_vm.bytes", "bytes", Show::bytes}}},
      {"process_vm_write", Tone::notice, {target, {"nightjar.tamper.process_vm.bytes", "bytes", Show::bytes}}},
      {"proc_mem_open",
       Tone::notice,
       {{"nightjar.tamper.mem_open.path", ""}, {"nightjar.tamper.mem_open.mode", "mode"}, target}},
      {"credential_change",
       Tone::notice,
       {{"nightjar.tamper.credentials.kind", ""},
        {"nightjar.tamper.credentials.changed", "changed"},
        {"nightjar.tamper.credentials.new.effective.name", "now"}}},
      {"memory_exec",
       Tone::notice,
       {{"nightjar.tamper.memory.reason", ""},
        {"nightjar.tamper.memory.protection", "prot"},
        {"nightjar.tamper.memory.mapping", "mapping"},
        {"nightjar.tamper.memory.file.path", "file"}}},
      {"process_rename",
       Tone::notice,
       {{"nightjar.tamper.rename.old_name", ""},
        {"nightjar.tamper.rename.new_name", "->"},
        {"nightjar.tamper.rename.via", "via"},
        target}},
      {"module_load", Tone::notice, {{"nightjar.tamper.module.name", ""}, {"nightjar.tamper.module.path", "path"}}},
      {"module_unload", Tone::notice, {{"nightjar.tamper.module.name", ""}}},
      {"bpf",
       Tone::notice,
       {{"nightjar.tamper.bpf.command", ""},
        {"nightjar.tamper.bpf.program.type", "type"},
        {"nightjar.tamper.bpf.program.name", "prog"}}},
      {"mount",
       Tone::notice,
       {{"nightjar.tamper.mount.source", ""},
        {"nightjar.tamper.mount.target", "on"},
        {"nightjar.tamper.mount.flags", "flags"},
        {"nightjar.tamper.mount.hidden_pid", "hides_pid"}}},
      {"umount", Tone::notice, {{"nightjar.tamper.umount.target", ""}}},
      {"mount_api",
       Tone::notice,
       {{"nightjar.tamper.mount_api.call", ""},
        {"nightjar.tamper.mount_api.fstype", "fstype"},
        {"nightjar.tamper.mount_api.key", "key"},
        {"nightjar.tamper.mount_api.value", "value"}}},
      {"setns", Tone::notice, {{"nightjar.tamper.setns.nstype", ""}, target}},
  };
}

}  // namespace nj

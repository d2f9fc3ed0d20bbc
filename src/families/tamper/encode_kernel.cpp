// Kernel code and namespaces: module_load, module_unload, bpf, mount,
// umount, mount_api, setns (docs/events/tamper.md). ECS categories: module
// and BPF program changes are "driver" (kernel extensions), mounts are
// "configuration" of the system's file namespace, setns is a "process"
// change.
#include <cstdio>

#include "families/tamper/encode.h"

#include "decode/decode.h"
#include "families/tamper/kernel_names.h"

namespace nj {

namespace {

// A part's string under `key` (nightjar.tamper.<block>.<key>), if sent.
void part(Encoder& e, const TamperView& v, uint16_t field, const char* key, const char* dotted) {
  if (const TamperString* s = string_of(v, field)) e.str(key, s->value, dotted);
}

void flags(Encoder& e, const char* key, const std::vector<std::string>& names) {
  if (!names.empty()) e.string_array(key, names);
}

// A mount's target that is a /proc/<pid> directory hides that process.
void hiding(Encoder& e, const TamperView& v) {
  const TamperString* t = string_of(v, NJ_TF_TARGET);
  if (!t) return;
  if (auto pid = proc_pid_dir(t->value)) {
    e.w().kb("hides_process", true);
    e.w().kn("hidden_pid", *pid);
  }
}

const char* mount_api_call(uint32_t syscall) {
  const char* n = syscall_name(syscall);
  return n ? n : "unknown";
}

}  // namespace

void encode_record(Encoder& e, const Event& ev, const nj_tmp_module_load& r) {
  const nj_tamper_op& op = r.op;
  encode_tamper(e, ev, r, {"module_load", "driver", "start"}, [&](const TamperView& v) {
    auto& w = e.w();
    w.key("module");
    w.begin_object();
    part(e, v, NJ_TF_NAME, "name", "nightjar.tamper.module.name");
    if (const TamperString* p = string_of(v, NJ_TF_PATH)) e.str("path", p->value, "nightjar.tamper.module.path");
    if (const TamperString* p = string_of(v, NJ_TF_DATA); p && !p->value.empty())
      e.str("parameters", p->value, "nightjar.tamper.module.parameters");
    if (op.syscall == NJ_SYS_FINIT_MODULE) {
      w.kn("fd", static_cast<int64_t>(static_cast<int32_t>(op.args[0])));
      flags(e, "flags", module_init_flag_names(op.args[2]));
    } else {
      w.kn("image_size", op.args[1]);
    }
    w.end_object();
  });
}

void encode_record(Encoder& e, const Event& ev, const nj_tmp_module_unload& r) {
  const nj_tamper_op& op = r.op;
  encode_tamper(e, ev, r, {"module_unload", "driver", "end"}, [&](const TamperView& v) {
    auto& w = e.w();
    w.key("module");
    w.begin_object();
    part(e, v, NJ_TF_NAME, "name", "nightjar.tamper.module.name");
    flags(e, "flags", module_delete_flag_names(op.args[1]));
    w.end_object();
  });
}

void encode_record(Encoder& e, const Event& ev, const nj_tmp_bpf& r) {
  const nj_tamper_op& op = r.op;
  const uint64_t cmd = op.values[0];
  const bool load = cmd == 5;
  encode_tamper(e, ev, r, {"bpf", "driver", load ? "start" : "change"}, [&](const TamperView& v) {
    auto& w = e.w();
    w.key("bpf");
    w.begin_object();
    w.kv("command", bpf_command_name(cmd));
    const bool resolved = op.values[4] != 0;
    if (load || resolved || string_of(v, NJ_TF_NAME)) {
      w.key("program");
      w.begin_object();
      if (load || resolved) w.kv("type", bpf_prog_type_name(op.values[1]));
      part(e, v, NJ_TF_NAME, "name", "nightjar.tamper.bpf.program.name");
      if (resolved) {
        char tag[17];
        const uint64_t t = op.values[3];
        // the tag's bytes in memory order, as bpftool prints them
        for (int i = 0; i < 8; i++) std::snprintf(tag + 2 * i, 3, "%02x", static_cast<unsigned>((t >> (8 * i)) & 0xff));
        w.kv("tag", std::string_view(tag, 16));
        w.kn("id", op.values[4]);
      }
      if (load) {
        w.kn("instructions", op.values[2]);
        part(e, v, NJ_TF_DATA, "license", "nightjar.tamper.bpf.program.license");
        if (op.values[5]) w.kv("expected_attach_type", bpf_attach_type_name(op.values[5]));
      }
      w.end_object();
    }
    if (cmd == 8 || cmd == 9 || cmd == 28) {
      w.kv("attach_type", bpf_attach_type_name(op.values[5]));
      w.kn("target_fd", op.values[6]);
      w.kn("attach_flags", op.values[7]);
    } else if (cmd == 29) {
      w.kn("link_fd", op.values[6]);
    } else if (cmd == 17) {
      part(e, v, NJ_TF_TARGET, "tracepoint", "nightjar.tamper.bpf.tracepoint");
    }
    w.end_object();
  });
}

void encode_record(Encoder& e, const Event& ev, const nj_tmp_mount& r) {
  const nj_tamper_op& op = r.op;
  encode_tamper(e, ev, r, {"mount", "configuration", "creation"}, [&](const TamperView& v) {
    auto& w = e.w();
    w.key("mount");
    w.begin_object();
    part(e, v, NJ_TF_SOURCE, "source", "nightjar.tamper.mount.source");
    part(e, v, NJ_TF_TARGET, "target", "nightjar.tamper.mount.target");
    part(e, v, NJ_TF_FSTYPE, "fstype", "nightjar.tamper.mount.fstype");
    flags(e, "flags", mount_flag_names(op.args[3]));
    part(e, v, NJ_TF_DATA, "options", "nightjar.tamper.mount.options");
    hiding(e, v);
    w.end_object();
  });
}

void encode_record(Encoder& e, const Event& ev, const nj_tmp_umount& r) {
  const nj_tamper_op& op = r.op;
  encode_tamper(e, ev, r, {"umount", "configuration", "deletion"}, [&](const TamperView& v) {
    auto& w = e.w();
    w.key("umount");
    w.begin_object();
    part(e, v, NJ_TF_TARGET, "target", "nightjar.tamper.umount.target");
    flags(e, "flags", umount_flag_names(op.args[1]));
    w.end_object();
  });
}

void encode_record(Encoder& e, const Event& ev, const nj_tmp_mount_api& r) {
  const nj_tamper_op& op = r.op;
  encode_tamper(e, ev, r, {"mount_api", "configuration", "change"}, [&](const TamperView& v) {
    auto& w = e.w();
    w.key("mount_api");
    w.begin_object();
    w.kv("call", mount_api_call(op.syscall));
    part(e, v, NJ_TF_FSTYPE, "fstype", "nightjar.tamper.mount_api.fstype");
    part(e, v, NJ_TF_SOURCE, "source", "nightjar.tamper.mount_api.source");
    part(e, v, NJ_TF_TARGET, "target", "nightjar.tamper.mount_api.target");
    switch (op.syscall) {
      case NJ_SYS_FSCONFIG:
        w.kn("fd", static_cast<int64_t>(static_cast<int32_t>(op.args[0])));
        w.kv("command", fsconfig_command_name(op.args[1]));
        part(e, v, NJ_TF_NAME, "key", "nightjar.tamper.mount_api.key");
        part(e, v, NJ_TF_DATA, "value", "nightjar.tamper.mount_api.value");
        break;
      case NJ_SYS_FSMOUNT:
        w.kn("fd", static_cast<int64_t>(static_cast<int32_t>(op.args[0])));
        flags(e, "attributes", mount_attr_names(op.args[2]));
        break;
      case NJ_SYS_MOVE_MOUNT:
        flags(e, "flags", move_mount_flag_names(op.args[4]));
        hiding(e, v);
        break;
      case NJ_SYS_OPEN_TREE: flags(e, "flags", open_tree_flag_names(op.args[2])); break;
      case NJ_SYS_MOUNT_SETATTR:
        flags(e, "flags", open_tree_flag_names(op.args[2]));
        if (op.values[4]) {
          flags(e, "attributes_set", mount_attr_names(op.values[0]));
          flags(e, "attributes_cleared", mount_attr_names(op.values[1]));
          flags(e, "propagation", mount_flag_names(op.values[2]));
        }
        break;
      default: break;
    }
    // The new fd: an fs context (fsopen), a mount (fsmount, open_tree).
    if ((op.syscall == NJ_SYS_FSOPEN || op.syscall == NJ_SYS_FSMOUNT || op.syscall == NJ_SYS_OPEN_TREE) &&
        op.retval >= 0)
      w.kn("new_fd", static_cast<int64_t>(op.retval));
    w.end_object();
  });
}

void encode_record(Encoder& e, const Event& ev, const nj_tmp_setns& r) {
  const nj_tamper_op& op = r.op;
  encode_tamper(e, ev, r, {"setns", "process", "change"}, [&](const TamperView& v) {
    auto& w = e.w();
    w.key("setns");
    w.begin_object();
    w.kn("fd", static_cast<int64_t>(static_cast<int32_t>(op.args[0])));
    w.kv("fd_kind", op.values[2] == 1 ? "namespace" : op.values[2] == 2 ? "pidfd" : "unknown");
    if (op.values[2] == 1) {
      w.key("namespace");
      w.begin_object();
      if (const TamperString* n = string_of(v, NJ_TF_NAME))
        e.str("type", n->value, "nightjar.tamper.setns.namespace.type");
      else w.kv("type", namespace_type_name(op.values[0]));
      w.kn("inode", op.values[1]);
      w.end_object();
    }
    // 0: whatever type the namespace file is
    w.key("nstype");
    w.begin_array();
    for (const auto& n : namespace_type_names(op.args[1])) w.string(n);
    w.end_array();
    w.end_object();
  });
}

}  // namespace nj

#include "loader/program_table.h"

#include <algorithm>
#include <cstring>

namespace nj {

const char* to_string(Backend b) {
  switch (b) {
    case Backend::tracepoint: return "tracepoint";
    case Backend::kprobe: return "kprobe";
    case Backend::fentry: return "fentry";
  }
  return "?";
}

std::optional<Backend> backend_from_string(const std::string& s) {
  if (s == "tracepoint") return Backend::tracepoint;
  if (s == "kprobe") return Backend::kprobe;
  if (s == "fentry") return Backend::fentry;
  return std::nullopt;
}

using K = Requirement::Kind;

namespace {

Requirement tp(const char* cat, const char* name) { return {K::tracepoint, cat, name}; }
Requirement btf_tp(const char* name) { return {K::tp_btf, "", name}; }
Requirement kfunc(const char* name) { return {K::kprobe, "", name}; }
Requirement ksys(const char* name) { return {K::ksyscall, "", name}; }
Requirement ffunc(const char* name) { return {K::fentry, "", name}; }
Requirement fsys(const char* name) { return {K::fentry_syscall, "", name}; }

}  // namespace

namespace {

bool legacy_path_syscall(const char* sc) {
  for (const char* l : {"open", "creat", "mkdir", "mknod", "symlink", "link", "unlink", "rmdir", "rename", "chmod",
                        "chown", "lchown", "utime", "utimes", "futimesat"})
    if (std::strcmp(sc, l) == 0) return true;
  return false;
}

#if defined(__aarch64__)
constexpr bool kHasLegacyPathSyscalls = false;
#else
constexpr bool kHasLegacyPathSyscalls = true;
#endif

}  // namespace

std::vector<const char*> native_syscalls(const std::vector<const char*>& syscalls) {
  if (kHasLegacyPathSyscalls) return syscalls;
  std::vector<const char*> out;
  for (const char* sc : syscalls)
    if (!legacy_path_syscall(sc)) out.push_back(sc);
  return out;
}

// Program names follow bpf/include/syscalls.h (NJ_SYSCALL_ENTER/EXIT).
Hook syscall_hook(Family family, const char* name, const char* why, const std::vector<const char*>& syscalls,
                  bool enter, bool required) {
  Variant f{Backend::fentry, {}, {}, {}};
  Variant k{Backend::kprobe, {}, {}, {}};
  Variant t{Backend::tracepoint, {}, {}, {}};
  for (const char* sc : syscalls) {
    std::string s = sc;
    Alternate fa{(enter ? "fe__" : "fx__") + s, fsys(sc)};
    Alternate ka{(enter ? "ks__" : "kret__") + s, ksys(sc)};
    Alternate ta{std::string("tp__sys_") + (enter ? "enter_" : "exit_") + s,
                 tp("syscalls", (std::string(enter ? "sys_enter_" : "sys_exit_") + s).c_str())};
    f.programs.push_back(fa.program);
    f.needs.push_back(fa.need);
    f.alternates.push_back({ka, ta});
    k.programs.push_back(ka.program);
    k.needs.push_back(ka.need);
    k.alternates.push_back({fa, ta});
    t.programs.push_back(ta.program);
    t.needs.push_back(ta.need);
    t.alternates.push_back({fa, ka});
  }
  return Hook{name, family, required, why, {f, k, t}};
}

std::vector<Variant> function_hook(const char* fn, const char* tp_btf_name, const char* tracepoint_prog) {
  std::vector<Variant> v{Variant{Backend::fentry, {std::string("fe__") + fn}, {ffunc(fn)}, {}},
                         Variant{Backend::kprobe, {std::string("kp__") + fn}, {kfunc(fn)}, {}}};
  if (tp_btf_name) v.push_back(Variant{Backend::tracepoint, {tracepoint_prog}, {btf_tp(tp_btf_name)}, {}});
  return v;
}

std::vector<Variant> tracepoint_everywhere(const char* category,
                                           const std::vector<std::pair<const char*, const char*>>& names) {
  std::vector<Alternate> alts;
  for (size_t i = 1; i < names.size(); i++) alts.push_back({names[i].second, tp(category, names[i].first)});
  std::vector<Variant> out;
  for (Backend b : {Backend::fentry, Backend::kprobe, Backend::tracepoint})
    out.push_back(Variant{b, {names.front().second}, {tp(category, names.front().first)}, {alts}});
  return out;
}

std::vector<Variant> tp_btf_everywhere(const char* name, const char* prog) {
  std::vector<Variant> out;
  for (Backend b : {Backend::fentry, Backend::kprobe, Backend::tracepoint})
    out.push_back(Variant{b, {prog}, {btf_tp(name)}, {}});
  return out;
}

const std::vector<Hook>& hook_table() {
  static const std::vector<Hook> table = family_hooks();
  return table;
}

bool requirement_met(const KernelFeatures& f, const Requirement& r) {
  if (!r.helper.empty() && !f.kernel_function(r.helper)) return false;
  switch (r.kind) {
    case K::tracepoint: return f.tracepoint(r.category, r.name);
    case K::tp_btf: return f.tp_btf(r.name);
    case K::kprobe: return f.kprobes() && f.kernel_function(r.name);
    case K::ksyscall: return f.kprobes() && f.syscall_function(r.name);
    case K::fentry: return f.fentry() && f.btf_function(r.name);
    case K::fentry_syscall: return f.fentry() && f.btf_function(syscall_symbol(r.name));
  }
  return false;
}

std::string describe(const Requirement& r) {
  if (!r.helper.empty()) {
    Requirement hook = r;
    hook.helper.clear();
    return describe(hook) + " with " + r.helper;
  }
  switch (r.kind) {
    case K::tracepoint: return "tracepoint " + r.category + ":" + r.name;
    case K::tp_btf: return "tp_btf " + r.name;
    case K::kprobe: return "kprobe " + r.name;
    case K::ksyscall: return "kprobe on syscall " + r.name;
    case K::fentry: return "fentry " + r.name;
    case K::fentry_syscall: return "fentry " + syscall_symbol(r.name);
  }
  return "?";
}

bool loads_only_where_met(Backend b, const Requirement& need) {
  return b == Backend::fentry || need.kind == K::tp_btf || !need.helper.empty();
}

std::optional<Alternate> program_for(const KernelFeatures& f, const Variant& v, size_t i) {
  if (requirement_met(f, v.needs[i])) return Alternate{v.programs[i], v.needs[i]};
  if (i < v.alternates.size())
    for (const Alternate& a : v.alternates[i])
      if (requirement_met(f, a.need)) return a;
  return std::nullopt;
}

namespace {

// A syscall hook variant is usable when at least its first syscall's
// program can attach: the others (fork, vfork) may not exist on every
// architecture and are skipped one by one at attach time.
bool variant_usable(const KernelFeatures& f, const Variant& v, std::string& missing) {
  for (size_t i = 0; i < v.needs.size(); i++) {
    if (!requirement_met(f, v.needs[i])) {
      // The same kind of hook under another name (a renamed tracepoint).
      bool renamed = false;
      if (i < v.alternates.size())
        for (const Alternate& a : v.alternates[i])
          renamed |= a.need.kind == v.needs[i].kind && requirement_met(f, a.need);
      if (renamed) continue;
      if (i > 0 &&
          (v.needs[i].kind == K::tracepoint || v.needs[i].kind == K::ksyscall || v.needs[i].kind == K::fentry_syscall))
        continue;
      missing = describe(v.needs[i]);
      return false;
    }
  }
  return true;
}

}  // namespace

std::vector<Choice> choose_programs(const KernelFeatures& f, const std::vector<Family>& families,
                                    std::optional<Backend> forced) {
  std::vector<Choice> out;
  for (const Hook& h : hook_table()) {
    if (std::find(families.begin(), families.end(), h.family) == families.end()) continue;
    Choice c;
    c.hook = &h;
    std::vector<std::string> missing;
    if (forced) {
      for (const Variant& v : h.variants) {
        if (v.backend != *forced) continue;
        std::string m;
        if (variant_usable(f, v, m)) {
          c.variant = &v;
          c.reason = std::string("forced ") + to_string(*forced);
          break;  // the backend's variants are in order of preference too
        } else {
          missing.push_back(m);
        }
      }
      if (c.variant) {
        out.push_back(c);
        continue;
      }
      // An optional hook only adds detail: mixing in another backend for it
      // would make the forced backend's output differ from its documented
      // shape. Required hooks must work, so they fall back below.
      if (!h.required) {
        c.reason = std::string("optional; no usable ") + to_string(*forced) + " variant";
        out.push_back(c);
        continue;
      }
    }
    for (const Variant& v : h.variants) {
      std::string m;
      if (variant_usable(f, v, m)) {
        c.variant = &v;
        c.reason = forced ? std::string("no usable ") + to_string(*forced) + " variant" +
                                (missing.empty() ? "" : " (missing " + missing.front() + ")") + ", fell back to " +
                                to_string(v.backend)
                          : std::string("preferred available");
        break;
      }
      missing.push_back(m);
    }
    if (!c.variant) {
      c.reason = "unavailable:";
      for (auto& m : missing) c.reason += " missing " + m + ";";
    }
    out.push_back(c);
  }
  return out;
}

Backend backend_of(Requirement::Kind k) {
  switch (k) {
    case K::tracepoint:
    case K::tp_btf: return Backend::tracepoint;
    case K::kprobe:
    case K::ksyscall: return Backend::kprobe;
    default: return Backend::fentry;
  }
}

std::vector<std::pair<std::string, Requirement>> programs_with_needs(Backend b) {
  std::vector<std::pair<std::string, Requirement>> out;
  auto add = [&](const std::string& p, const Requirement& need) {
    if (backend_of(need.kind) != b) return;
    for (auto& [name, _] : out)
      if (name == p) return;
    out.emplace_back(p, need);
  };
  // By what each program is, not by the variant it serves: a tracepoint
  // every backend uses is a tracepoint program, and its renamed forms
  // (same-kind alternates) are programs of the object too.
  for (const Hook& h : hook_table())
    for (const Variant& v : h.variants)
      for (size_t i = 0; i < v.programs.size(); i++) {
        add(v.programs[i], v.needs[i]);
        if (i < v.alternates.size())
          for (const Alternate& a : v.alternates[i])
            if (a.need.kind == v.needs[i].kind) add(a.program, a.need);
      }
  return out;
}

std::vector<std::string> programs_of(Backend b) {
  std::vector<std::string> out;
  for (auto& [name, _] : programs_with_needs(b)) out.push_back(name);
  return out;
}

}  // namespace nj

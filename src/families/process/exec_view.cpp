#include "families/process/exec_view.h"

#include <algorithm>
#include <map>

#include "decode/decode.h"

namespace nj {

ExecView make_exec_view(const Event& ev) {
  ExecView v;
  v.rec = std::get<nj_exec>(ev.main);
  v.argv_truncated = v.rec.flags & NJ_EXEC_ARGV_TRUNCATED;
  std::map<uint16_t, const StrPart*> argv_chunks;
  std::map<uint16_t, const StrPart*> levels;
  for (const StrPart& p : ev.parts) {
    switch (p.field) {
      case NJ_F_ARGV: argv_chunks[p.index] = &p; break;
      case NJ_F_FILENAME: v.filename = p.data; break;
      case NJ_F_INTERP: v.interp = p.data; break;
      case NJ_F_EXE:
        v.exe_truncated = p.flags & NJ_STR_TRUNCATED;
        v.exe = walked_path(p.data, v.exe_truncated);
        break;
      case NJ_F_CWD:
        v.cwd_truncated = p.flags & NJ_STR_TRUNCATED;
        v.cwd = walked_path(p.data, v.cwd_truncated);
        break;
      case NJ_F_SCRIPT: levels[p.index] = &p; break;
      default: break;
    }
  }
  if (!argv_chunks.empty()) {
    std::string all;
    uint16_t expect = 0;
    for (auto& [idx, p] : argv_chunks) {
      if (idx != expect) {  // a chunk was lost: keep what is contiguous
        v.argv_truncated = true;
        break;
      }
      all += p->data;
      expect++;
    }
    v.argv = split_nul(all);
    v.argv_present = true;
  }
  for (auto& [idx, p] : levels) v.kernel_levels.push_back({p->data, {}, p->dev, p->ino});
  return v;
}

std::optional<Shebang> parse_shebang(const std::string& head) {
  if (head.size() < 2 || head[0] != '#' || head[1] != '!') return std::nullopt;
  std::string line = head.substr(2);
  auto nl = line.find('\n');
  if (nl != std::string::npos) {
    line.resize(nl);
  } else if (head.size() >= 256) {
    // The kernel reads 256 bytes and terminates the buffer on its last
    // byte; an interpreter path that runs into that end may be cut short,
    // which the kernel refuses (ENOEXEC).
    line.resize(253);
    size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) i++;
    size_t e = line.find_first_of(std::string(" \t\0", 3), i);
    if (e == std::string::npos) return std::nullopt;
  }
  auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  while (!line.empty() && is_space(line.back())) line.pop_back();
  size_t i = 0;
  while (i < line.size() && is_space(line[i])) i++;
  size_t start = i;
  while (i < line.size() && !is_space(line[i]) && line[i] != '\0') i++;
  if (i == start) return std::nullopt;
  Shebang s{line.substr(start, i - start), std::nullopt};
  while (i < line.size() && is_space(line[i])) i++;
  if (i < line.size()) {
    std::string arg = line.substr(i);
    auto nul = arg.find('\0');
    if (nul != std::string::npos) arg.resize(nul);
    if (!arg.empty()) s.arg = arg;
  }
  return s;
}

std::string absolute_path(const std::string& path, const std::string& cwd) {
  if (path.empty() || path[0] == '/') return path;
  if (cwd.empty()) return path;
  std::string out = cwd;
  if (out.back() != '/') out += '/';
  std::string p = path;
  while (p.rfind("./", 0) == 0) p.erase(0, 2);
  return out + p;
}

namespace {

// The argv prefix the kernel builds for a chain, outermost interpreter
// first: [I_n, A_n?, ..., I_1, A_1?, script].
std::vector<std::string> expected_prefix(const ScriptChain& c) {
  std::vector<std::string> out;
  for (auto it = c.interpreters.rbegin(); it != c.interpreters.rend(); ++it) {
    out.push_back(it->path);
    for (auto& a : it->args) out.push_back(a);
  }
  return out;
}

}  // namespace

std::optional<ScriptChain> script_chain(const ExecView& v, const HeadReader& read_head) {
  if (!(v.rec.flags & NJ_EXEC_SCRIPT) || !v.filename || !v.interp) return std::nullopt;
  ScriptChain c;
  c.script = *v.filename;
  const std::string cwd = v.cwd.value_or("");

  if (v.kernel_levels.size() >= 2) {
    // kprobe/fentry: level 0 is the script, the last level the binary.
    c.source = "kernel";
    c.script = v.kernel_levels.front().path;
    for (size_t i = 1; i < v.kernel_levels.size(); i++) c.interpreters.push_back(v.kernel_levels[i]);
  } else {
    // Tracepoints see no level in between: follow the shebang lines.
    c.source = "shebang";
    std::string cur = *v.filename;
    for (int depth = 0; depth < 5; depth++) {
      std::optional<std::string> head;
      if (cur.rfind("/dev/fd/", 0) != 0) head = read_head(absolute_path(cur, cwd));
      auto sb = head ? parse_shebang(*head) : std::nullopt;
      if (!sb) break;
      ScriptLevel lvl{sb->interp, {}, 0, 0};
      if (sb->arg) lvl.args.push_back(*sb->arg);
      c.interpreters.push_back(lvl);
      if (sb->interp == *v.interp) break;
      cur = sb->interp;
    }
    if (c.interpreters.empty() || c.interpreters.back().path != *v.interp) {
      c.source = "partial";
      c.interpreters = {ScriptLevel{*v.interp, {}, 0, 0}};
      return c;
    }
  }
  // The kernel's argv is the ground truth for what ran: it must start with
  // the chain, then the script as the kernel named it.
  auto prefix = expected_prefix(c);
  prefix.push_back(*v.filename);
  bool matches = v.argv.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), v.argv.begin());
  if (!matches && c.source == "shebang") {
    c.source = "partial";
    c.interpreters = {ScriptLevel{*v.interp, {}, 0, 0}};
  }
  if (c.source == "kernel") {
    // Recover each level's optional argument from the argv layout.
    size_t pos = 0;
    for (auto it = c.interpreters.rbegin(); it != c.interpreters.rend(); ++it) {
      if (pos < v.argv.size() && v.argv[pos] == it->path) pos++;
      auto next = std::next(it);
      const std::string& following = next != c.interpreters.rend() ? next->path : *v.filename;
      if (pos < v.argv.size() && v.argv[pos] != following) it->args.push_back(v.argv[pos++]);
    }
  }
  return c;
}

}  // namespace nj

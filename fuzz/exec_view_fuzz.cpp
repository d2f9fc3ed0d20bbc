// Shebang and exec-view parsing on arbitrary events: exec records and their
// parts from the fuzz input, assembled as the daemon does; each part's bytes
// also read as a script's first bytes, both by parse_shebang() directly and
// as the heads script_chain() follows.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "assemble/assembler.h"
#include "families/process/exec_view.h"
#include "fuzz_support.h"

namespace {

void check_shebang(const std::string& head) {
  auto sb = nj::parse_shebang(head);
  if (!sb) return;
  if (sb->interp.empty()) njf::fail("empty interpreter", head);
  if (sb->interp.find_first_of(std::string(" \t\n\0", 4)) != std::string::npos)
    njf::fail("interpreter with a space", head);
  if (sb->arg && (sb->arg->empty() || sb->arg->find('\n') != std::string::npos)) njf::fail("bad argument", head);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<nj::Record> records = njf::decode_all(data, size);
  std::vector<std::string> heads;
  for (const nj::Record& r : records)
    if (auto* p = std::get_if<nj::StrPart>(&r)) heads.push_back(p->data);
  for (const std::string& h : heads) check_shebang(h);

  std::vector<nj::Event> events;
  nj::Assembler a(1000, 16, [&](nj::Event&& ev) { events.push_back(std::move(ev)); });
  for (nj::Record& r : records) a.push(std::move(r), 0);
  a.flush_all();

  for (const nj::Event& ev : events) {
    if (!std::holds_alternative<nj_exec>(ev.main)) continue;
    const nj::ExecView v = nj::make_exec_view(ev);
    size_t next = 0;
    auto read_head = [&](const std::string&) -> std::optional<std::string> {
      if (heads.empty()) return std::nullopt;
      return heads[next++ % heads.size()];
    };
    auto chain = nj::script_chain(v, read_head);
    if (!chain) continue;
    if (chain->source != "kernel" && chain->source != "shebang" && chain->source != "partial")
      njf::fail("unknown chain source", chain->source);
    if (chain->interpreters.empty()) njf::fail("a chain without interpreter", chain->script);
    if (v.cwd) (void)nj::absolute_path(chain->script, *v.cwd);
  }
  return 0;
}

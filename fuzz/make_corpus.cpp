// Writes the seed corpora under fuzz/corpus/<target>/: real-looking inputs
// for each target, the records built as the unit tests build them
// (tests/unit/records.h and the families' *_samples.h), so a seed changes
// when the wire format does.  usage: fuzz_make_corpus <fuzz/corpus>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "families/registry.h"
#include "file_samples.h"
#include "network_dns_packets.h"
#include "network_samples.h"
#include "process_samples.h"
#include "records.h"

using namespace std::string_literals;
using njt::Bytes;

namespace njt {
// Record types no family completes are sent as they are.
template <typename T>
void complete_sample(nj::Event&, T&) {}
}  // namespace njt

namespace {

std::filesystem::path g_root;

void write(const std::string& target, const std::string& name, const std::string& bytes) {
  const auto dir = g_root / target;
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
}

// Records back to back, each 8-aligned, as one kernel sample holds them.
void append(std::string& sample, const Bytes& rec) {
  sample.append(rec.begin(), rec.end());
  sample.resize((sample.size() + 7) & ~size_t{7}, '\0');
}

Bytes part_bytes(const nj::StrPart& p) {
  return njt::str_bytes(p.hdr.event_id, p.field, p.index, p.data, p.flags, p.dev, p.ino, p.hdr.backend);
}

template <typename T>
T sample_record(uint16_t type, uint8_t family) {
  T rec{};
  rec.hdr = njt::make_hdr(type, sizeof(T), 0x0010000000000001ull, 5'000'000'000ull, NJ_BACKEND_TRACEPOINT, family);
  if constexpr (requires { rec.task; }) {
    rec.task = njt::make_task(4242, "sample");
    rec.task.start_ns = 4'000'000'000ull;
  }
  return rec;
}

// One seed per record type: the record with the parts its family sends,
// the parts first (they travel ahead of their closing record).
void record_seeds(std::vector<std::pair<std::string, std::string>>& out){
#define NJ_SEED(type, T, family, action, hooks)                                         \
  {                                                                                     \
    T rec = sample_record<T>(type, family);                                             \
    nj::Event ev{nj::Record(rec), {}, false};                                           \
    njt::complete_sample(ev, rec);                                                      \
    std::string s;                                                                      \
    for (const nj::StrPart& p : ev.parts) append(s, part_bytes(p));                     \
    append(s, njt::bytes_of(rec));                                                      \
    out.emplace_back(std::string(nj::to_string(nj::Family(family))) + "-" + action, s); \
  }
    NJ_RECORDS(NJ_SEED)
#undef NJ_SEED
}

// An exec of a script, the way tracepoints see it: the kernel's argv
// rewritten by two shebang levels, and those lines as script heads.
std::string script_exec() {
  const uint64_t id = 0x0020000000000007ull;
  std::string s;
  for (const Bytes& b :
       {njt::str_bytes(id, NJ_F_FILENAME, 0, "./deploy.sh"), njt::str_bytes(id, NJ_F_INTERP, 0, "/usr/bin/python3"),
        njt::str_bytes(id, NJ_F_EXE, 0, "python3.11\0bin\0usr\0"s), njt::str_bytes(id, NJ_F_CWD, 0, "ops\0home\0"s),
        njt::str_bytes(id, NJ_F_ARGV, 0, "/usr/bin/python3\0-u\0/opt/run\0./deploy.sh\0--now\0"s),
        njt::str_bytes(id, NJ_F_SCRIPT, 0, "#!/opt/run\n", 0, 8 << 20 | 1, 77),
        njt::str_bytes(id, NJ_F_SCRIPT, 1, "#!/usr/bin/python3 -u\nimport sys\n", 0, 8 << 20 | 1, 78)})
    append(s, b);
  nj_exec e = njt::exec_rec(id, 7, 0, NJ_EXEC_SCRIPT);
  append(s, njt::bytes_of(e));
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_make_corpus <corpus dir>\n");
    return 2;
  }
  g_root = argv[1];

  std::vector<std::pair<std::string, std::string>> records;
  record_seeds(records);
  records.emplace_back("process-exec-script", script_exec());
  for (const auto& [name, bytes] : records) {
    write("decode", name, bytes);
    write("encode", name, bytes);
    if (name.starts_with("process-")) write("exec_view", name, bytes);
    // 8 control bytes: a window of 16 us, a cap of 4, expire after every
    // other record.
    write("assemble", name, "\x10\x03\x50\x55\x55\x55\x55\x55"s + bytes);
  }
  // Events interleaved, the parts of one sent twice and never closed.
  const std::string& script = records.back().second;
  write("assemble", "interleaved",
        "\x40\x01\xf0\x00\x00\x00\x00\x00"s + records[0].second + script + records[1].second +
            script.substr(0, script.size() - sizeof(nj_exec)));

  write("json_writer", "ascii", "process.name\\sshd\\/usr/sbin/sshd -D\\");
  write("json_writer", "utf8", "caf\xc3\xa9\\\xe2\x82\xac 5\\\xf0\x9f\x90\xa6\\");
  write("json_writer", "invalid", "\xff\xfe\\a\\b\x80\\\xed\xa0\x80\\\xc0\xaf");
  write("json_writer", "controls", "line\nbreak\\tab\there\\\x01\x1f\x7f\\quote\"\\\\\\");

  write("cgroup", "systemd", "0::/system.slice/sshd.service\n");
  write("cgroup", "session", "0::/user.slice/user-1000.slice/session-3.scope\n");
  write("cgroup", "user-app",
        "0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-2245.scope\n");
  write("cgroup", "docker",
        "0::/system.slice/docker-4f3c1a7e9b2d8c6f0a5e1d3b7c9f2a4e6d8b0c1e3f5a7b9d2c4e6f8a0b1d3e5f7a.scope\n");
  write("cgroup", "kubepods",
        "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1d2c.slice/"
        "cri-containerd-9a8b7c6d5e4f30211f2e3d4c5b6a79881a2b3c4d5e6f70819a8b7c6d5e4f3021.scope\n");
  write("cgroup", "nspawn", "0::/machine.slice/systemd-nspawn@web\\x2d01.service/payload\n");
  write("cgroup", "hybrid", "12:pids:/user.slice\n1:name=systemd:/user.slice/session-2.scope\n0::/\n");
  write("cgroup", "mounts",
        "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n"
        "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0\n");

  write("users", "passwd",
        "root:x:0:0:root:/root:/bin/bash\n"
        "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
        "# a comment\n\n"
        "+nisuser::::::\n"
        "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\r\n"
        "dup:x:1000:1000::/:/bin/sh\n");
  write("users", "group", "root:x:0:\nsudo:x:27:alice,bob\nusers:x:100:\nbad:x:notanumber:\n");

  int i = 0;
  for (const auto& p : njt::valid_samples())
    write("dns", "packet-" + std::to_string(i++), std::string(p.begin(), p.end()));
  return 0;
}

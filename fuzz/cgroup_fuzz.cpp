// The cgroup and container parsers on arbitrary text: /proc/<pid>/cgroup
// contents, the cgroup v2 path they name, and a mounts table.
#include <cstdint>
#include <string>

#include "enrich/cgroup_cache.h"
#include "enrich/container.h"
#include "fuzz_support.h"

namespace {

void check_path(const std::string& path) {
  if (auto c = nj::container_from_cgroup(path)) {
    if (c->id.empty() || c->runtime.empty()) njf::fail("container without id or runtime", path);
  }
  if (auto unit = nj::systemd_unit_from_cgroup(path)) {
    if (!unit->ends_with(".service") && !unit->ends_with(".scope")) njf::fail("unit that is no unit", *unit);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  check_path(text);
  const std::string path = nj::cgroup_path_from(text);
  if (!path.empty() && text.find("0::" + path) == std::string::npos) njf::fail("path not in the file", path);
  check_path(path);
  const std::string mount = nj::cgroup2_mount_from(text);
  if (!mount.empty() && text.find(mount) == std::string::npos) njf::fail("mount not in the table", mount);
  return 0;
}

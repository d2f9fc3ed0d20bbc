#include "loader/grace_period.h"

#include <bpf/bpf.h>

#include <cerrno>

namespace nj {

Result<GracePeriod> GracePeriod::create() {
  GracePeriod g;
  g.inner_ = Fd(bpf_map_create(BPF_MAP_TYPE_ARRAY, "nj_gp_inner", 4, 4, 1, nullptr));
  if (!g.inner_.valid()) return os_error(errno, "creating the grace-period map");
  LIBBPF_OPTS(bpf_map_create_opts, opts, .inner_map_fd = static_cast<__u32>(g.inner_.get()));
  g.outer_ = Fd(bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "nj_gp_outer", 4, 4, 1, &opts));
  if (!g.outer_.valid()) return os_error(errno, "creating the grace-period map of maps");
  return g;
}

Result<void> GracePeriod::wait() const {
  const __u32 key = 0;
  const __u32 value = static_cast<__u32>(inner_.get());
  if (bpf_map_update_elem(outer_.get(), &key, &value, BPF_ANY) != 0)
    return os_error(errno, "waiting for a grace period");
  return {};
}

}  // namespace nj

#include "families/network/tracker.h"

#include <variant>

#include "families/network/view.h"

namespace nj {

NetworkTracker::NetworkTracker(const TrackerContext&) {}

void NetworkTracker::track(const Event& ev, Enrichment& en, uint64_t now_ns) {
  std::visit(
      [&](const auto& r) {
        if constexpr (requires { r.op.ep; }) on(r.hdr.type, r.op, ev, en, now_ns);
      },
      ev.main);
}

void NetworkTracker::on(uint16_t type, const nj_net_op& op, const Event& ev, Enrichment& en, uint64_t now_ns) {
  NetView& v = en.view.emplace<NetView>(make_net_view(type, op, ev));
  if (type == NJ_REC_NET_DNS_QUERY || type == NJ_REC_NET_DNS_ANSWER) {
    if (!v.dns) {
      // A lost payload is counted with the lost parts; as malformed it
      // would look like hostile traffic when it was only load.
      if (!v.payload_missing) malformed_++;
      return;
    }
    // The name the process asked for, not the CNAME chain's end: that is
    // the name it will be seen connecting to.
    if (type != NJ_REC_NET_DNS_ANSWER || v.dns->rcode != 0 || v.dns->questions.empty()) return;
    const std::string& asked = v.dns->questions.front().name;
    for (const dns::Answer& a : v.dns->answers)
      if (a.addr_len) names_.learn({a.addr.data(), a.addr_len}, asked, now_ns, a.ttl);
    return;
  }
  if (v.remote.ip.empty()) return;  // no peer (listen, an unknown sender)
  if (const std::string* name = names_.lookup(addr_bytes(v.remote), now_ns)) v.domain = *name;
}

void NetworkTracker::add_stats(EnricherStats& s) const {
  s.dns_malformed += malformed_;
  s.dns_cache_size += names_.size();
  s.dns_cache_hits += names_.hits();
  s.dns_cache_misses += names_.misses();
  s.dns_cache_evictions += names_.evictions();
}

}  // namespace nj

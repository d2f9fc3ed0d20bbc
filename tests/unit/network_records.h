// Network family test helpers: a closing record of any network action with
// its endpoints, and its DNS payload part, built as the BPF side lays them
// out (every action shares struct nj_net_op) and run through decode().
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "records.h"

namespace njt {

// A network action's closing record (every NJ_REC_NET_* has this layout).
inline nj_net_connect net_rec(uint16_t type, uint64_t event_id, uint32_t syscall, uint64_t ts_ns = 1'000'000) {
  nj_net_connect r{};
  r.hdr = make_hdr(type, sizeof(r), event_id, ts_ns, NJ_BACKEND_TRACEPOINT, NJ_FAM_NETWORK);
  r.op.task = make_task(500, "curl");
  r.op.syscall = syscall;
  return r;
}

// Both ends as the socket holds them. The family follows the text, so
// "::ffff:a.b.c.d" is an IPv6 socket talking to IPv4; "" leaves an end
// zero, as an unbound or unconnected one is.
inline void endpoints(nj_net_op& op, uint16_t protocol, const std::string& local, uint16_t lport,
                      const std::string& remote, uint16_t rport) {
  const bool v6 = local.find(':') != std::string::npos || remote.find(':') != std::string::npos;
  op.ep.family = v6 ? AF_INET6 : AF_INET;
  op.ep.protocol = protocol;
  for (auto [text, out] : {std::pair{&local, op.ep.local}, std::pair{&remote, op.ep.remote}})
    if (!text->empty() && inet_pton(op.ep.family, text->c_str(), out) != 1)
      throw std::invalid_argument("not an address of the socket's family: " + *text);
  op.ep.lport = lport;
  op.ep.rport = rport;
}

// A DNS datagram's payload part (NJ_NF_PAYLOAD).
inline Bytes payload(uint64_t event_id, const std::vector<uint8_t>& msg, uint16_t flags = 0) {
  return str_bytes(event_id, NJ_NF_PAYLOAD, 0, std::string(msg.begin(), msg.end()), flags);
}

// An Event as the assembler hands it over: the record and its parts, decoded.
inline nj::Event net_event(nj_net_connect r, const std::vector<Bytes>& parts = {}) {
  r.hdr.nparts = static_cast<uint16_t>(parts.size());
  nj::Event ev{decode_ok(bytes_of(r)), {}, false};
  for (const Bytes& p : parts) ev.parts.push_back(std::get<nj::StrPart>(decode_ok(p)));
  return ev;
}

}  // namespace njt

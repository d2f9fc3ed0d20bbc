// Plausible network-family events for the completeness test
// (registry_test.cpp): the zero record has no caller, no protocol and no
// addresses, which no real network event lacks.
#pragma once

#include <arpa/inet.h>

#include <string>
#include <vector>

#include "records.h"

namespace njt {

namespace net_sample {

// 10.0.0.5:40000 -> 93.184.216.34:443 over TCP, by a caller.
inline void tcp(nj_net_op& op, uint16_t type) {
  op.task = make_task(4242, "sample");
  op.task.start_ns = 4'000'000'000ull;
  op.task.parent_start_ns = 1'000'000'000ull;
  op.ep.family = AF_INET;
  op.ep.protocol = IPPROTO_TCP;
  inet_pton(AF_INET, "10.0.0.5", op.ep.local);
  inet_pton(AF_INET, "93.184.216.34", op.ep.remote);
  op.ep.lport = 40000;
  op.ep.rport = 443;
  if (type == NJ_REC_NET_ACCEPT) op.flags |= NJ_NET_INGRESS;
}

inline void udp(nj_net_op& op, uint32_t syscall) {
  tcp(op, 0);
  op.ep.protocol = IPPROTO_UDP;
  op.ep.rport = 53;
  op.syscall = syscall;
  op.retval = 40;
  op.bytes_out = 40;
}

// A query for example.com A (id 0x1234, RD), and its answer: 93.184.216.34.
inline std::string dns_message(bool answer) {
  std::vector<uint8_t> m = {0x12,
                            0x34,
                            static_cast<uint8_t>(answer ? 0x81 : 0x01),
                            static_cast<uint8_t>(answer ? 0x80 : 0),
                            0,
                            1,
                            0,
                            static_cast<uint8_t>(answer ? 1 : 0),
                            0,
                            0,
                            0,
                            0,
                            7,
                            'e',
                            'x',
                            'a',
                            'm',
                            'p',
                            'l',
                            'e',
                            3,
                            'c',
                            'o',
                            'm',
                            0,
                            0,
                            1,
                            0,
                            1};
  if (answer) m.insert(m.end(), {0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 93, 184, 216, 34});
  return std::string(m.begin(), m.end());
}

inline void payload(nj::Event& ev, nj_hdr& h, const std::string& data) {
  ev.parts.push_back(part(h.event_id, NJ_NF_PAYLOAD, 0, data));
  h.nparts = static_cast<uint16_t>(ev.parts.size());
}

}  // namespace net_sample

inline void complete_sample(nj::Event&, nj_net_connect& r) {
  net_sample::tcp(r.op, NJ_REC_NET_CONNECT);
  r.op.syscall = NJ_SYS_CONNECT;
}

inline void complete_sample(nj::Event&, nj_net_connect_result& r) {
  net_sample::tcp(r.op, NJ_REC_NET_CONNECT_RESULT);
  r.op.flags |= NJ_NET_OPENER;
  r.op.conn_id = 77;
  r.op.state = 2;  // SYN_SENT
  r.op.result = 111;
}

inline void complete_sample(nj::Event&, nj_net_accept& r) {
  net_sample::tcp(r.op, NJ_REC_NET_ACCEPT);
  r.op.syscall = NJ_SYS_ACCEPT4;
  r.op.retval = 5;
}

inline void complete_sample(nj::Event&, nj_net_listen& r) {
  net_sample::tcp(r.op, NJ_REC_NET_LISTEN);
  r.op.syscall = NJ_SYS_LISTEN;
  r.op.ep.rport = 0;
  r.op.count = 128;
}

inline void complete_sample(nj::Event&, nj_net_close& r) {
  net_sample::tcp(r.op, NJ_REC_NET_CLOSE);
  r.op.flags |= NJ_NET_OPENER;
  r.op.conn_id = 77;
  r.op.state = 4;  // FIN_WAIT1
  r.op.duration_ns = 1'500'000'000;
  r.op.bytes_out = 517;
  r.op.bytes_in = 5120;
}

inline void complete_sample(nj::Event&, nj_net_udp& r) {
  net_sample::udp(r.op, NJ_SYS_SENDTO);
  r.op.ep.rport = 123;
  r.op.count = 3;
}

inline void complete_sample(nj::Event& ev, nj_net_dns_query& r) {
  net_sample::udp(r.op, NJ_SYS_SENDMMSG);
  net_sample::payload(ev, r.hdr, net_sample::dns_message(false));
}

inline void complete_sample(nj::Event& ev, nj_net_dns_answer& r) {
  net_sample::udp(r.op, NJ_SYS_RECVFROM);
  r.op.flags |= NJ_NET_INGRESS;
  net_sample::payload(ev, r.hdr, net_sample::dns_message(true));
}

}  // namespace njt

#include "families/network/encode.h"

#include <variant>

#include "families/network/community_id.h"
#include "families/network/view.h"

namespace nj {

namespace {

constexpr int32_t kEInProgress = 115;

struct Shape {
  const char* action;
  const char* type;   // ECS event.type
  const char* type2;  // a second one, or null
};

Shape shape_of(uint16_t type) {
  switch (type) {
    case NJ_REC_NET_CONNECT: return {"connect", "connection", "start"};
    case NJ_REC_NET_CONNECT_RESULT: return {"connect_result", "connection", nullptr};
    case NJ_REC_NET_ACCEPT: return {"accept", "connection", "start"};
    case NJ_REC_NET_LISTEN: return {"listen", "start", nullptr};
    case NJ_REC_NET_CLOSE: return {"close", "connection", "end"};
    case NJ_REC_NET_UDP: return {"udp", "connection", nullptr};
    case NJ_REC_NET_DNS_QUERY: return {"dns_query", "protocol", nullptr};
    default: return {"dns_answer", "protocol", nullptr};
  }
}

bool has_result(uint16_t type) { return type == NJ_REC_NET_CONNECT || type == NJ_REC_NET_CONNECT_RESULT; }

const char* outcome_of(uint16_t type, const nj_net_op& op) {
  if (!has_result(type)) return "success";
  if (op.result == 0) return "success";
  return op.result == kEInProgress ? "unknown" : "failure";
}

// source.* / destination.*: ECS puts the initiator in source.
void endpoint_block(Encoder& e, const char* key, const Endpoint& ep, const std::optional<std::string>& domain,
                    const char* domain_field) {
  if (ep.ip.empty() && !ep.port) return;
  e.w().key(key);
  e.w().begin_object();
  if (!ep.ip.empty()) {
    e.w().kv("ip", ep.ip);
    e.w().kv("address", ep.ip);
  }
  if (ep.port) e.w().kn("port", ep.port);
  if (domain) e.str("domain", *domain, domain_field);
  e.w().end_object();
}

void network_block(Encoder& e, const NetView& v, const nj_net_op& op, bool egress, bool listen) {
  const bool tcp = op.ep.protocol == 6;
  e.w().key("network");
  e.w().begin_object();
  e.w().kv("transport", tcp ? "tcp" : "udp");
  e.w().kv("iana_number", tcp ? "6" : "17");
  e.w().kv("type", v.ipv6 ? "ipv6" : "ipv4");
  if (!listen) e.w().kv("direction", egress ? "egress" : "ingress");
  if (v.type == NJ_REC_NET_DNS_QUERY || v.type == NJ_REC_NET_DNS_ANSWER) e.w().kv("protocol", "dns");
  // Only for a flow whose both ends are known: a hash over 0.0.0.0 would
  // match nothing Zeek or Suricata saw on the wire.
  if (!listen && v.local.port && v.remote.port && !unspecified(v.local) && !unspecified(v.remote)) {
    const Endpoint& src = egress ? v.local : v.remote;
    const Endpoint& dst = egress ? v.remote : v.local;
    std::string id = community_id(tcp ? 6 : 17, addr_bytes(src), src.port, addr_bytes(dst), dst.port);
    if (!id.empty()) e.w().kv("community_id", id);
  }
  e.w().end_object();
}

void dns_block(Encoder& e, const NetView& v) {
  if (!v.dns) return;
  const dns::Message& m = *v.dns;
  e.w().key("dns");
  e.w().begin_object();
  e.w().kv("id", std::to_string(m.id));
  e.w().kv("type", m.response ? "answer" : "query");
  e.w().kv("op_code", dns::opcode_name(m.opcode));
  if (!m.header_flags.empty()) e.string_array("header_flags", m.header_flags);
  if (m.response) e.w().kv("response_code", dns::rcode_name(m.rcode));
  if (!m.questions.empty()) {
    const dns::Question& q = m.questions.front();
    e.w().key("question");
    e.w().begin_object();
    e.str("name", q.name, "dns.question.name");
    e.w().kv("type", dns::type_name(q.type));
    e.w().kv("class", dns::class_name(q.klass));
    e.w().end_object();
  }
  if (m.response) {
    e.w().key("answers");
    e.w().begin_array();
    for (const dns::Answer& a : m.answers) {
      e.w().begin_object();
      e.str("name", a.name, "dns.answers.name");
      e.w().kv("type", dns::type_name(a.type));
      e.w().kv("class", dns::class_name(a.klass));
      e.w().kn("ttl", a.ttl);
      e.str("data", a.data, "dns.answers.data");
      e.w().end_object();
    }
    e.w().end_array();
    if (!m.resolved_ips.empty()) e.string_array("resolved_ip", m.resolved_ips);
  }
  e.w().end_object();
}

void nightjar_network(Encoder& e, const NetView& v, const nj_net_op& op) {
  e.w().key("network");
  e.w().begin_object();
  if (has_result(v.type)) e.w().kv("result", connect_result_name(op.result));
  if (op.conn_id) e.w().kv("connection_id", event_id_string(op.conn_id));
  if (v.type == NJ_REC_NET_CONNECT_RESULT || v.type == NJ_REC_NET_CLOSE)
    e.w().kv("tcp_state", tcp_state_name(op.state));
  if (v.type == NJ_REC_NET_CLOSE) {
    e.w().kn("duration_ns", op.duration_ns);
    e.w().kn("bytes_sent", op.bytes_out);
    e.w().kn("bytes_received", op.bytes_in);
  }
  if (v.type == NJ_REC_NET_LISTEN) e.w().kn("backlog", op.count);
  const bool datagram = v.type == NJ_REC_NET_UDP || v.type == NJ_REC_NET_DNS_QUERY || v.type == NJ_REC_NET_DNS_ANSWER;
  if (datagram) e.w().kn("bytes", op.bytes_out);
  if (v.type == NJ_REC_NET_UDP) e.w().kn("datagrams_folded_before", op.count);
  // A datagram's state: the rest of its sendmmsg/recvmmsg batch, unexamined.
  if (datagram && op.state) e.w().kn("datagrams_unexamined", op.state);
  if (v.local.v4_mapped || v.remote.v4_mapped) e.w().kb("ipv4_mapped", true);
  if (op.flags & NJ_NET_REMOTE_UNKNOWN) e.w().kb("remote_unknown", true);
  if (op.flags & NJ_NET_OTHER_CALL) e.w().kb("other_call", true);
  if (op.flags & NJ_NET_OPENER) e.w().kb("attributed_to_opener", true);
  if (op.flags & NJ_NET_PARTS_LOST) e.w().kb("parts_lost", true);
  if (v.type == NJ_REC_NET_DNS_QUERY || v.type == NJ_REC_NET_DNS_ANSWER) {
    e.w().key("dns");
    e.w().begin_object();
    e.w().kn("payload_bytes", v.payload_len);
    if (v.payload_cut) e.w().kb("payload_cut", true);
    if (v.dns && v.dns->cut) e.w().kb("message_cut", true);
    if (v.dns && v.dns->malformed) e.w().kb("records_malformed", true);
    if (!v.dns) {
      e.w().kb("malformed", true);
      e.str("error", v.dns_error, "nightjar.network.dns.error");
    }
    e.w().end_object();
  }
  e.w().end_object();
}

template <typename R>
void encode_net(Encoder& e, const Event& ev, const R& r) {
  NetView local;
  const NetView* v = nullptr;
  if (e.en()) v = std::get_if<NetView>(&e.en()->view);
  if (!v) {
    local = make_net_view(r.hdr.type, r.op, ev);
    v = &local;
  }
  const nj_net_op& op = r.op;
  const Shape s = shape_of(r.hdr.type);
  const bool egress = !(op.flags & NJ_NET_INGRESS);
  const bool listen = r.hdr.type == NJ_REC_NET_LISTEN;
  e.begin(r.hdr.ts_ns, "event", "network", s.type, s.action, outcome_of(r.hdr.type, op), r.hdr.event_id, s.type2);
  e.acting_process(op.task);
  if (listen) {
    endpoint_block(e, "source", v->local, std::nullopt, nullptr);
  } else if (egress) {
    endpoint_block(e, "source", v->local, std::nullopt, nullptr);
    endpoint_block(e, "destination", v->remote, v->domain, "destination.domain");
  } else {
    endpoint_block(e, "source", v->remote, v->domain, "source.domain");
    endpoint_block(e, "destination", v->local, std::nullopt, nullptr);
  }
  network_block(e, *v, op, egress, listen);
  dns_block(e, *v);
  e.context_fields(op.task);
  if (has_result(r.hdr.type) && op.result && op.result != kEInProgress) e.error_block(errno_of(op.result));
  e.nightjar_begin(r.hdr);
  if (const char* sc = syscall_name(op.syscall)) e.w().kv("syscall", sc);
  nightjar_network(e, *v, op);
  e.w().kn("cgroup_id", op.task.cgroup_id);
  e.nightjar_context();
  e.nightjar_end();
}

}  // namespace

const char* connect_result_name(int32_t err) {
  switch (err) {
    case 0: return "established";
    case kEInProgress: return "in_progress";
    case 111: return "refused";
    case 110: return "timed_out";
    case 101:
    case 113: return "unreachable";
    case 103: return "aborted";
    case 104: return "reset";
    default: return "error";
  }
}

const char* tcp_state_name(uint32_t state) {
  static constexpr const char* kNames[] = {"",          "ESTABLISHED", "SYN_SENT",     "SYN_RECV",      "FIN_WAIT1",
                                           "FIN_WAIT2", "TIME_WAIT",   "CLOSE",        "CLOSE_WAIT",    "LAST_ACK",
                                           "LISTEN",    "CLOSING",     "NEW_SYN_RECV", "BOUND_INACTIVE"};
  return state < sizeof(kNames) / sizeof(kNames[0]) && state ? kNames[state] : "UNKNOWN";
}

void encode_record(Encoder& e, const Event& ev, const nj_net_connect& r) { encode_net(e, ev, r); }
void encode_record(Encoder& e, const Event& ev, const nj_net_connect_result& r) { encode_net(e, ev, r); }
void encode_record(Encoder& e, const Event& ev, const nj_net_accept& r) { encode_net(e, ev, r); }
void encode_record(Encoder& e, const Event& ev, const nj_net_listen& r) { encode_net(e, ev, r); }
void encode_record(Encoder& e, const Event& ev, const nj_net_close& r) { encode_net(e, ev, r); }
void encode_record(Encoder& e, const Event& ev, const nj_net_udp& r) { encode_net(e, ev, r); }
void encode_record(Encoder& e, const Event& ev, const nj_net_dns_query& r) { encode_net(e, ev, r); }
void encode_record(Encoder& e, const Event& ev, const nj_net_dns_answer& r) { encode_net(e, ev, r); }

}  // namespace nj

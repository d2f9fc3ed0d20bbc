// What the terminal view shows of network events: the flow (source ->
// destination, as the JSON has them), and the name or bytes that matter.
#include "families/network/compact.h"

namespace nj {

namespace {

std::vector<CompactField> flow(std::vector<CompactField> more) {
  std::vector<CompactField> f = {
      {"network.transport", ""}, {"source", "", Show::endpoint}, {"destination", "->", Show::endpoint}};
  f.insert(f.end(), more.begin(), more.end());
  return f;
}

}  // namespace

std::vector<CompactAction> network_compact() {
  return {
      {"connect", Tone::plain, flow({{"destination.domain", "domain"}, {"nightjar.network.result", "result"}})},
      {"connect_result", Tone::plain, flow({{"destination.domain", "domain"}, {"nightjar.network.result", "result"}})},
      {"accept", Tone::plain, flow({})},
      {"listen", Tone::plain, {{"network.transport", ""}, {"source", "", Show::endpoint}}},
      {"close", Tone::plain,
       flow({{"nightjar.network.bytes_sent", "sent", Show::bytes},
             {"nightjar.network.bytes_received", "received", Show::bytes}})},
      {"udp", Tone::plain, flow({{"nightjar.network.bytes", "bytes", Show::bytes}})},
      {"dns_query",
       Tone::plain,
       {{"dns.question.name", ""}, {"dns.question.type", "type"}, {"destination", "server", Show::endpoint}}},
      {"dns_answer",
       Tone::plain,
       {{"dns.question.name", ""},
        {"dns.question.type", "type"},
        {"dns.response_code", "rcode"},
        {"dns.resolved_ip", "ips"}}},
  };
}

}  // namespace nj

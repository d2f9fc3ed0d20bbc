// The network family's encoders (src/encode/encoder.cpp dispatches to them
// by overload through families/encoders.h): ECS source, destination,
// network and dns blocks, the family's own fields under nightjar.network.
#pragma once

#include <cstdint>
#include <string>

#include "encode/encoder.h"

namespace nj {

void encode_record(Encoder& e, const Event& ev, const nj_net_connect& rec);
void encode_record(Encoder& e, const Event& ev, const nj_net_connect_result& rec);
void encode_record(Encoder& e, const Event& ev, const nj_net_accept& rec);
void encode_record(Encoder& e, const Event& ev, const nj_net_listen& rec);
void encode_record(Encoder& e, const Event& ev, const nj_net_close& rec);
void encode_record(Encoder& e, const Event& ev, const nj_net_udp& rec);
void encode_record(Encoder& e, const Event& ev, const nj_net_dns_query& rec);
void encode_record(Encoder& e, const Event& ev, const nj_net_dns_answer& rec);

// A connect's result in words: "established", "in_progress", "refused",
// "timed_out", "unreachable", "aborted", "reset", else "error".
const char* connect_result_name(int32_t err);
// The kernel's TCP state names (include/net/tcp_states.h), "SYN_SENT", ...
const char* tcp_state_name(uint32_t state);

}  // namespace nj

// The network family's rows of the record registry (families/registry.h):
// X(record type, wire struct, family, action, hooks that emit it).
#pragma once

#include "nightjar/abi.h"

#define NJ_NET_UDP_HOOKS "network.udp_send network.udp_send.enter network.udp_recv network.udp_recv.enter"

#define NJ_NETWORK_RECORDS(X)                                                                                        \
  X(NJ_REC_NET_CONNECT, nj_net_connect, NJ_FAM_NETWORK, "connect", "network.connect network.connect.enter")          \
  X(NJ_REC_NET_CONNECT_RESULT, nj_net_connect_result, NJ_FAM_NETWORK, "connect_result",                              \
    "network.connect network.connect.enter network.tcp_state")                                                       \
  X(NJ_REC_NET_ACCEPT, nj_net_accept, NJ_FAM_NETWORK, "accept",                                                      \
    "network.accept network.uring_accept network.uring_accept.submit")                                               \
  X(NJ_REC_NET_LISTEN, nj_net_listen, NJ_FAM_NETWORK, "listen", "network.listen network.listen.enter")               \
  X(NJ_REC_NET_CLOSE, nj_net_close, NJ_FAM_NETWORK, "close", "network.tcp_state")                                    \
  X(NJ_REC_NET_UDP, nj_net_udp, NJ_FAM_NETWORK, "udp", NJ_NET_UDP_HOOKS " network.udp_other network.udp_other_recv") \
  X(NJ_REC_NET_DNS_QUERY, nj_net_dns_query, NJ_FAM_NETWORK, "dns_query", NJ_NET_UDP_HOOKS " network.udp_other")      \
  X(NJ_REC_NET_DNS_ANSWER, nj_net_dns_answer, NJ_FAM_NETWORK, "dns_answer", NJ_NET_UDP_HOOKS " network.udp_other_recv")

// The network family's wire layout, pinned (see src/decode/layout.cpp).
#include <cstddef>

#include "nightjar/abi.h"

#define NJ_ASSERT_LAYOUT(type, field, off) static_assert(offsetof(type, field) == (off), #type "." #field " moved")

static_assert(sizeof(nj_net_endpoints) == 40);
NJ_ASSERT_LAYOUT(nj_net_endpoints, remote, 16);
NJ_ASSERT_LAYOUT(nj_net_endpoints, lport, 32);
NJ_ASSERT_LAYOUT(nj_net_endpoints, protocol, 38);
static_assert(sizeof(nj_net_op) == 176);
NJ_ASSERT_LAYOUT(nj_net_op, ep, 72);
NJ_ASSERT_LAYOUT(nj_net_op, retval, 112);
NJ_ASSERT_LAYOUT(nj_net_op, conn_id, 120);
NJ_ASSERT_LAYOUT(nj_net_op, count, 152);
NJ_ASSERT_LAYOUT(nj_net_op, syscall, 160);
NJ_ASSERT_LAYOUT(nj_net_op, state, 172);

// Every action's record is the header and one nj_net_op.
#define NJ_ASSERT_NET_RECORD(T)    \
  static_assert(sizeof(T) == 208); \
  NJ_ASSERT_LAYOUT(T, op, 32);
NJ_ASSERT_NET_RECORD(nj_net_connect)
NJ_ASSERT_NET_RECORD(nj_net_connect_result)
NJ_ASSERT_NET_RECORD(nj_net_accept)
NJ_ASSERT_NET_RECORD(nj_net_listen)
NJ_ASSERT_NET_RECORD(nj_net_close)
NJ_ASSERT_NET_RECORD(nj_net_udp)
NJ_ASSERT_NET_RECORD(nj_net_dns_query)
NJ_ASSERT_NET_RECORD(nj_net_dns_answer)

// The network family's rows of the hook table: syscall pairs (bpf/network/)
// on every backend, and the sock tracepoints, which every backend uses as
// they are (inet_sock_set_state as a BTF tracepoint: bpf/network/state.bpf.c
// says why). The first syscall of each row exists on every kernel and
// architecture we support.
#include "families/network/hooks.h"

namespace nj {

std::vector<Hook> network_hooks() {
  constexpr Family N = Family::network;
  std::vector<Hook> t;
  t.push_back(syscall_hook(N, "network.connect.enter", "arguments of each call", {"connect"}, true));
  t.push_back(syscall_hook(N, "network.connect", "TCP connections made, with their result", {"connect"}, false));
  t.push_back(syscall_hook(N, "network.accept", "TCP connections accepted", {"accept4", "accept"}, false));
  t.push_back(syscall_hook(N, "network.listen.enter", "arguments of each call", {"listen"}, true));
  t.push_back(syscall_hook(N, "network.listen", "TCP listeners opened", {"listen"}, false));
  t.push_back(syscall_hook(N, "network.udp_send.enter", "arguments of each call on a UDP socket",
                           {"sendto", "sendmsg", "sendmmsg"}, true));
  t.push_back(
      syscall_hook(N, "network.udp_send", "UDP flows and DNS queries sent", {"sendto", "sendmsg", "sendmmsg"}, false));
  t.push_back(syscall_hook(N, "network.udp_recv.enter", "arguments of each call on a UDP socket",
                           {"recvfrom", "recvmsg", "recvmmsg"}, true));
  t.push_back(syscall_hook(N, "network.udp_recv", "UDP flows and DNS answers received",
                           {"recvfrom", "recvmsg", "recvmmsg"}, false));
  // v6.3+: what a socket sends or receives by any other call (write, read,
  // io_uring), and DNS over TCP; older kernels lack them, so the hook is
  // optional.
  t.push_back(Hook{"network.udp_other", N, false, "UDP flows and DNS sent by write, io_uring, ...; DNS over TCP",
                   tracepoint_everywhere("sock", {{"sock_send_length", "tp__sock_send_length"}})});
  t.push_back(Hook{"network.udp_other_recv", N, false,
                   "UDP flows and DNS received by read, io_uring, ...; DNS over TCP",
                   tracepoint_everywhere("sock", {{"sock_recv_length", "tp__sock_recv_length"}})});
  // io_uring's IORING_OP_ACCEPT runs no accept(2): its requests are marked
  // at submission, their connections reported at completion.
  t.push_back(Hook{"network.uring_accept.submit", N, false, "accepts submitted through io_uring",
                   tracepoint_everywhere("io_uring", {{"io_uring_submit_req", "tp__net_uring_submit_req"},
                                                      {"io_uring_submit_sqe", "tp__net_uring_submit_sqe"}})});
  t.push_back(Hook{"network.uring_accept", N, false, "TCP connections accepted through io_uring",
                   tracepoint_everywhere("io_uring", {{"io_uring_complete", "tp__net_uring_complete"}})});
  t.push_back(Hook{"network.tcp_state", N, true,
                   "connects settled in the background, and connections' ends with their byte counts",
                   tp_btf_everywhere("inet_sock_set_state", "tpbtf__inet_sock_set_state")});
  return t;
}

}  // namespace nj

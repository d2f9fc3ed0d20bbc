// DNS messages as the network family captures them: the payload of one UDP
// datagram to or from port 53, at most the first 2048 bytes of it. The
// bytes come from whoever sent the datagram, so the parser trusts none of
// them: every read is bounds-checked, compression pointers may only point
// backwards and are followed a bounded number of times, every count is
// bounded by the bytes that are there, and nothing throws.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace nj::dns {

// Names are in presentation form without the trailing dot ("example.com",
// the root "."); label bytes that would make that ambiguous or unprintable
// ('.', '\', anything outside 0x21..0x7e) are written \DDD, as dig does.
struct Question {
  std::string name;
  uint16_t type = 0;
  uint16_t klass = 0;
};

struct Answer {
  std::string name;
  uint16_t type = 0;
  uint16_t klass = 0;
  uint32_t ttl = 0;
  // A/AAAA: the address as text (RFC 5952 for IPv6). CNAME, NS, PTR, DNAME:
  // the name. MX: "<preference> <name>". TXT: the strings joined by a
  // space, bytes outside 0x20..0x7e and '\' written \DDD. Anything else,
  // and any of these whose data is malformed: RFC 3597's "\# <length>
  // <hex>" (no hex when the length is 0).
  std::string data;
  // A/AAAA of the right length: the address's bytes (addr_len 4 or 16), so
  // a reader that wants the address need not parse `data` back.
  std::array<uint8_t, 16> addr{};
  uint8_t addr_len = 0;
};

struct Message {
  uint16_t id = 0;
  bool response = false;
  uint8_t opcode = 0;
  uint8_t rcode = 0;  // the header's 4 bits (an EDNS extended rcode is not combined in)
  // ECS dns.header_flags: those of "AA", "TC", "RD", "RA", "AD", "CD" that
  // are set, in that order.
  std::vector<std::string> header_flags;
  std::vector<Question> questions;
  std::vector<Answer> answers;            // the answer section only
  std::vector<std::string> resolved_ips;  // IN A/AAAA answers' data, in order, each once
  // The answers stop early; those before the stop are kept. cut: the
  // capture ended inside a record. malformed: a record's owner name is
  // invalid, so where the next record starts is unknown.
  bool cut = false;
  bool malformed = false;
};

// nullopt when the payload is not a DNS message: shorter than a header, or
// its question section does not parse (a capture always holds the whole
// question section of a real message). *why (if not null) then says why,
// in a few words.
std::optional<Message> parse(std::span<const uint8_t> payload, std::string* why = nullptr);

// Mnemonics as dig prints them; unknown values as RFC 3597 writes them
// ("TYPE<n>", "CLASS<n>"), rcodes and opcodes as their number.
std::string type_name(uint16_t type);
std::string class_name(uint16_t klass);
std::string rcode_name(uint8_t rcode);
std::string opcode_name(uint8_t opcode);

}  // namespace nj::dns

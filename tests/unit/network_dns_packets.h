// DNS messages built byte by byte for the parser's tests, and the valid
// ones the fuzz test mutates. Offsets are taken while writing, so a
// compression pointer names what it points at rather than a number.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace njt {

class Packet {
 public:
  Packet& u8(uint8_t v) {
    b_.push_back(v);
    return *this;
  }
  Packet& u16(uint16_t v) { return u8(v >> 8).u8(v & 0xff); }
  Packet& u32(uint32_t v) { return u16(v >> 16).u16(v & 0xffff); }
  Packet& raw(std::initializer_list<uint8_t> bytes) {
    b_.insert(b_.end(), bytes);
    return *this;
  }
  Packet& raw(std::string_view bytes) {
    b_.insert(b_.end(), bytes.begin(), bytes.end());
    return *this;
  }
  Packet& header(uint16_t id, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns = 0, uint16_t ar = 0) {
    return u16(id).u16(flags).u16(qd).u16(an).u16(ns).u16(ar);
  }
  // Dotted labels with no terminator, for a pointer to end them.
  Packet& labels(std::string_view dotted) {
    while (!dotted.empty()) {
      const size_t dot = dotted.find('.');
      const std::string_view label = dotted.substr(0, dot);
      u8(static_cast<uint8_t>(label.size())).raw(label);
      dotted.remove_prefix(dot == std::string_view::npos ? dotted.size() : dot + 1);
    }
    return *this;
  }
  Packet& name(std::string_view dotted) { return labels(dotted).u8(0); }
  Packet& ptr(size_t to) { return u16(static_cast<uint16_t>(0xc000 | to)); }
  Packet& question(std::string_view dotted, uint16_t type, uint16_t klass = 1) {
    return name(dotted).u16(type).u16(klass);
  }
  // A record's type, class and TTL; its rdlength is filled in by end().
  Packet& fixed(uint16_t type, uint16_t klass, uint32_t ttl) {
    u16(type).u16(klass).u32(ttl);
    rdlength_at_ = b_.size();
    return u16(0);
  }
  Packet& end() {
    const size_t len = b_.size() - rdlength_at_ - 2;
    b_[rdlength_at_] = static_cast<uint8_t>(len >> 8);
    b_[rdlength_at_ + 1] = static_cast<uint8_t>(len);
    return *this;
  }
  size_t here() const { return b_.size(); }
  const std::vector<uint8_t>& bytes() const { return b_; }

 private:
  std::vector<uint8_t> b_;
  size_t rdlength_at_ = 0;
};

enum : uint16_t { kA = 1, kNs = 2, kCname = 5, kSoa = 6, kMx = 15, kTxt = 16, kAaaa = 28, kPrivate = 65280 };

// What `dig www.example.com A` sends.
inline std::vector<uint8_t> query_a() {
  return Packet().header(0x1a2b, 0x0100, 1, 0).question("www.example.com", kA).bytes();
}

// www.example.com CNAME edge.example.net CNAME e1.example.net, whose
// addresses are one A, one AAAA and the same A again. Every owner name
// and the second CNAME's target are compressed.
inline std::vector<uint8_t> cname_chain() {
  Packet p;
  p.header(0x1a2b, 0x8180, 1, 5).question("www.example.com", kA);
  p.ptr(12).fixed(kCname, 1, 300);
  const size_t edge = p.here();
  p.name("edge.example.net").end();
  p.ptr(edge).fixed(kCname, 1, 300);
  const size_t e1 = p.here();
  p.labels("e1").ptr(edge + 5).end();
  p.ptr(e1).fixed(kA, 1, 60).raw({93, 184, 215, 14}).end();
  p.ptr(e1).fixed(kAaaa, 1, 60);
  p.raw({0x26, 0x06, 0x28, 0x00, 0x02, 0x1f, 0xcb, 0x07, 0x68, 0x20, 0x80, 0xda, 0xaf, 0x6b, 0x8b, 0x2c}).end();
  p.ptr(e1).fixed(kA, 1, 60).raw({93, 184, 215, 14}).end();
  return p.bytes();
}

// NXDOMAIN with the zone's SOA in the authority section.
inline std::vector<uint8_t> nxdomain() {
  Packet p;
  p.header(0xbeef, 0x8183, 1, 0, 1).question("nosuch.example.com", kA);
  p.ptr(12 + 7).fixed(kSoa, 1, 3600).labels("ns").ptr(12 + 7).labels("hostmaster").ptr(12 + 7);
  p.u32(2024010101).u32(7200).u32(3600).u32(1209600).u32(3600).end();
  return p.bytes();
}

// A TXT answer with bytes that need escaping, an MX, a type nobody knows,
// and an A record of the wrong length.
inline std::vector<uint8_t> mixed() {
  Packet p;
  p.header(7, 0x8580, 1, 5).question("example.com", 255);
  p.ptr(12).fixed(kTxt, 1, 3600).u8(11).raw("v=spf1 -all").u8(5).raw("a\\b\x01\xe9").end();
  p.ptr(12).fixed(kMx, 1, 3600).u16(10).labels("mail").ptr(12).end();
  p.ptr(12).fixed(kPrivate, 1, 0).raw({0x0a, 0x00, 0x00, 0x01}).end();
  p.ptr(12).fixed(kPrivate, 1, 0).end();
  p.ptr(12).fixed(kA, 1, 5).raw({1, 2, 3}).end();
  return p.bytes();
}

inline std::vector<std::vector<uint8_t>> valid_samples() { return {query_a(), cname_chain(), nxdomain(), mixed()}; }

}  // namespace njt

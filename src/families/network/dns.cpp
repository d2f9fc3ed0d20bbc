#include "families/network/dns.h"

#include <algorithm>

#include "families/network/address.h"

namespace nj::dns {

namespace {

constexpr size_t kHeaderSize = 12;
constexpr size_t kFixedRecord = 10;   // type, class, ttl, rdlength
constexpr size_t kMaxNameWire = 255;  // RFC 1035 2.3.4, counting length bytes and the root
// A backward-only pointer chain already ends, but a packet of nothing but
// pointers could still make one name cost a thousand jumps.
constexpr int kMaxJumps = 64;

enum : uint16_t { kA = 1, kNs = 2, kCname = 5, kPtr = 12, kMx = 15, kTxt = 16, kAaaa = 28, kDname = 39 };
constexpr uint16_t kClassIn = 1;

// Why a read stopped: truncated when the bytes ran out (the capture was cut
// short), otherwise the bytes are not what DNS allows.
struct Fault {
  const char* why = nullptr;
  bool truncated = false;
  explicit operator bool() const { return why != nullptr; }
};
Fault ran_out(const char* why) { return {why, true}; }
Fault invalid(const char* why) { return {why, false}; }

uint16_t u16(std::span<const uint8_t> m, size_t at) { return static_cast<uint16_t>(m[at] << 8 | m[at + 1]); }
uint32_t u32(std::span<const uint8_t> m, size_t at) { return static_cast<uint32_t>(u16(m, at)) << 16 | u16(m, at + 2); }

void escape_byte(std::string& out, uint8_t c) {
  out += '\\';
  out += static_cast<char>('0' + c / 100);
  out += static_cast<char>('0' + c / 10 % 10);
  out += static_cast<char>('0' + c % 10);
}

void append_label(std::string& out, const uint8_t* p, size_t len) {
  for (size_t i = 0; i < len; i++) {
    const uint8_t c = p[i];
    if (c < 0x21 || c > 0x7e || c == '.' || c == '\\') escape_byte(out, c);
    else out += static_cast<char>(c);
  }
}

// The name at `at`. `end` becomes the offset just past the name where it
// is written (its first pointer's two bytes, or its root label): where the
// record goes on.
//
// Every pointer must land before the start of the labels it interrupts
// (the name's own start, then each earlier target in turn). Compressors
// only point at names written before the one they are writing, so real
// messages always pass, and the targets strictly decrease, so no set of
// pointers can loop. Pointing forward or into its own labels is rejected.
Fault read_name(std::span<const uint8_t> m, size_t at, std::string& out, size_t& end) {
  out.clear();
  size_t p = at;
  size_t floor = at;
  size_t wire = 1;  // the root label
  int jumps = 0;
  bool jumped = false;
  for (;;) {
    if (p >= m.size()) return ran_out("name runs past the end");
    const uint8_t len = m[p];
    if ((len & 0xc0) == 0xc0) {
      if (p + 1 >= m.size()) return ran_out("name runs past the end");
      const size_t target = static_cast<size_t>(len & 0x3f) << 8 | m[p + 1];
      if (target > p) return invalid("forward name pointer");
      if (target >= floor) return invalid("name pointer loop");
      if (++jumps > kMaxJumps) return invalid("too many name pointers");
      if (!jumped) end = p + 2;
      jumped = true;
      floor = p = target;
      continue;
    }
    // 0x40 was EDNS's extended label type (RFC 6891 retired it), 0x80 was
    // never assigned.
    if (len & 0xc0) return invalid("reserved label type");
    if (len == 0) break;
    wire += 1 + len;
    if (wire > kMaxNameWire) return invalid("name longer than 255 bytes");
    if (p + 1 + len > m.size()) return ran_out("name runs past the end");
    if (!out.empty()) out += '.';
    append_label(out, m.data() + p + 1, len);
    p += 1 + len;
  }
  if (!jumped) end = p + 1;
  if (out.empty()) out = ".";
  return {};
}

std::string generic(std::span<const uint8_t> rdata) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out = "\\# " + std::to_string(rdata.size());
  if (!rdata.empty()) out += ' ';
  for (uint8_t b : rdata) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

// A name that must fill the rest of the rdata exactly; false if it does not.
bool rdata_name(std::span<const uint8_t> m, size_t at, size_t rdata_end, std::string& out) {
  size_t end = 0;
  return !read_name(m, at, out, end) && end == rdata_end;
}

bool txt(std::span<const uint8_t> rdata, std::string& out) {
  if (rdata.empty()) return false;  // RFC 1035 3.3.14: one string at least
  for (size_t i = 0; i < rdata.size();) {
    const size_t len = rdata[i];
    if (i + 1 + len > rdata.size()) return false;
    if (i) out += ' ';
    for (size_t j = i + 1; j < i + 1 + len; j++) {
      const uint8_t c = rdata[j];
      if (c < 0x20 || c > 0x7e || c == '\\') escape_byte(out, c);
      else out += static_cast<char>(c);
    }
    i += 1 + len;
  }
  return true;
}

// The data of the record whose rdata is m[at, at + len), as Answer::data
// describes; the generic form whenever the typed form does not fit.
std::string rdata_text(std::span<const uint8_t> m, size_t at, size_t len, uint16_t type) {
  const std::span<const uint8_t> rdata = m.subspan(at, len);
  std::string out;
  switch (type) {
    case kA:
      if (len == 4) return ip_text(rdata);
      break;
    case kAaaa:
      if (len == 16) return ip_text(rdata);
      break;
    case kCname:
    case kNs:
    case kPtr:
    case kDname:
      if (rdata_name(m, at, at + len, out)) return out;
      break;
    case kMx:
      if (len > 2 && rdata_name(m, at + 2, at + len, out)) return std::to_string(u16(m, at)) + " " + out;
      break;
    case kTxt:
      if (txt(rdata, out)) return out;
      break;
  }
  return generic(rdata);
}

void header(std::span<const uint8_t> m, Message& msg) {
  const uint16_t flags = u16(m, 2);
  msg.id = u16(m, 0);
  msg.response = flags & 0x8000;
  msg.opcode = (flags >> 11) & 0xf;
  msg.rcode = flags & 0xf;
  static constexpr struct {
    uint16_t bit;
    const char* name;
  } kFlags[] = {{0x0400, "AA"}, {0x0200, "TC"}, {0x0100, "RD"}, {0x0080, "RA"}, {0x0020, "AD"}, {0x0010, "CD"}};
  for (const auto& f : kFlags)
    if (flags & f.bit) msg.header_flags.emplace_back(f.name);
}

// One answer record at `p`; moves `p` past it.
Fault answer(std::span<const uint8_t> m, size_t& p, Answer& a) {
  size_t end = 0;
  if (Fault f = read_name(m, p, a.name, end)) return f;
  if (end + kFixedRecord > m.size()) return ran_out("record runs past the end");
  a.type = u16(m, end);
  a.klass = u16(m, end + 2);
  a.ttl = u32(m, end + 4);
  const size_t len = u16(m, end + 8);
  const size_t at = end + kFixedRecord;
  if (at + len > m.size()) return ran_out("record data runs past the end");
  a.data = rdata_text(m, at, len, a.type);
  if ((a.type == kA && len == 4) || (a.type == kAaaa && len == 16)) {
    std::copy(m.begin() + static_cast<std::ptrdiff_t>(at), m.begin() + static_cast<std::ptrdiff_t>(at + len),
              a.addr.begin());
    a.addr_len = static_cast<uint8_t>(len);
  }
  p = at + len;
  return {};
}

void add_ip(Message& msg, const Answer& a) {
  if (a.klass != kClassIn || (a.type != kA && a.type != kAaaa)) return;
  if (!a.addr_len) return;  // an address record of the wrong length: no address
  if (std::find(msg.resolved_ips.begin(), msg.resolved_ips.end(), a.data) == msg.resolved_ips.end())
    msg.resolved_ips.push_back(a.data);
}

std::optional<Message> fail(std::string* why, const char* reason) {
  if (why) *why = reason;
  return std::nullopt;
}

}  // namespace

std::optional<Message> parse(std::span<const uint8_t> m, std::string* why) {
  if (m.size() < kHeaderSize) return fail(why, "header shorter than 12 bytes");
  Message msg;
  header(m, msg);
  const size_t qdcount = u16(m, 4);
  const size_t ancount = u16(m, 6);
  size_t p = kHeaderSize;
  // Each iteration consumes bytes or fails, so a count of 65535 over a few
  // bytes of data ends as soon as they run out.
  for (size_t i = 0; i < qdcount; i++) {
    Question q;
    size_t end = 0;
    if (Fault f = read_name(m, p, q.name, end)) return fail(why, f.why);
    if (end + 4 > m.size()) return fail(why, "question runs past the end");
    q.type = u16(m, end);
    q.klass = u16(m, end + 2);
    msg.questions.push_back(std::move(q));
    p = end + 4;
  }
  for (size_t i = 0; i < ancount; i++) {
    Answer a;
    if (Fault f = answer(m, p, a)) {
      (f.truncated ? msg.cut : msg.malformed) = true;
      break;
    }
    add_ip(msg, a);
    msg.answers.push_back(std::move(a));
  }
  return msg;
}

}  // namespace nj::dns

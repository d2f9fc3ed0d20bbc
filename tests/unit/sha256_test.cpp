#include "enrich/sha256.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>

#include "util/files.h"

using namespace nj;

namespace {

std::string hex_of(std::string_view s) { return to_hex(Sha256::of(s)); }

// What the system's sha256sum prints for the file(s), first field per line.
std::vector<std::string> sha256sum(const std::string& args) {
  std::vector<std::string> out;
  FILE* p = ::popen(("sha256sum " + args).c_str(), "r");
  if (!p) return out;
  char line[4096];
  while (std::fgets(line, sizeof(line), p)) out.push_back(std::string(line).substr(0, 64));
  ::pclose(p);
  return out;
}

// What sha256sum prints for these bytes (through a temporary file).
std::string sha256sum_of(const std::string& data) {
  char tmpl[] = "/tmp/nj-sha256-XXXXXX";
  int fd = ::mkstemp(tmpl);
  if (fd < 0) return "";
  ::close(fd);
  std::ofstream(tmpl, std::ios::binary) << data;
  auto sums = sha256sum(tmpl);
  ::unlink(tmpl);
  return sums.size() == 1 ? sums[0] : "";
}

}  // namespace

// FIPS 180-4 examples (NIST CSRC "SHA256.pdf" and the one-million-'a' vector).
TEST(Sha256, NistVectors) {
  EXPECT_EQ(hex_of(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex_of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(hex_of("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmno"
                   "pqrstnopqrstu"),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  EXPECT_EQ(hex_of(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, StreamingMatchesOneShotAtEverySplit) {
  std::string msg;
  for (int i = 0; i < 300; ++i) msg += static_cast<char>(i * 7 + 3);
  auto whole = Sha256::of(msg);
  for (size_t cut = 0; cut <= msg.size(); ++cut) {
    Sha256 h;
    h.update(msg.data(), cut);
    h.update(msg.data() + cut, msg.size() - cut);
    ASSERT_EQ(h.final(), whole) << "split at " << cut;
  }
  // Byte by byte, and the object is reusable after final().
  Sha256 h;
  for (char c : msg) h.update(&c, 1);
  EXPECT_EQ(h.final(), whole);
  h.update("abc");
  EXPECT_EQ(to_hex(h.final()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// 1 MiB through update() in odd, uneven chunk sizes (1 byte up to well past
// libcrypto's 64-byte block and its internal buffering), against the one-shot.
TEST(Sha256, StreamingOneMebibyteInOddChunks) {
  std::string data(1 << 20, '\0');
  uint32_t x = 0x12345678;  // xorshift: arbitrary, reproducible bytes
  for (char& c : data) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x);
  }
  const auto whole = Sha256::of(data);
  const size_t chunks[] = {1, 3, 7, 63, 65, 127, 4093, 65537, 13, 131071};
  Sha256 h;
  size_t off = 0;
  for (size_t i = 0; off < data.size(); ++i) {
    size_t n = std::min(chunks[i % std::size(chunks)], data.size() - off);
    h.update(data.data() + off, n);
    off += n;
  }
  EXPECT_EQ(h.final(), whole);
  EXPECT_EQ(to_hex(whole), sha256sum_of(data));
}

// final() resets: the same object hashes unrelated messages, including the
// empty one, and a reset() mid-message discards what was fed.
TEST(Sha256, ReusedAfterFinal) {
  Sha256 h;
  h.update("abc");
  EXPECT_EQ(to_hex(h.final()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(h.final()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  h.update("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
  EXPECT_EQ(to_hex(h.final()), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  h.update("discarded");
  h.reset();
  h.update("abc");
  EXPECT_EQ(to_hex(h.final()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// A copy continues from the same state, independently of the original; a
// moved-from object refuses to hash until reset().
TEST(Sha256, CopyAndMove) {
  Sha256 a;
  a.update("ab");
  Sha256 b = a;
  a.update("c");
  b.update("c");
  EXPECT_EQ(a.final(), Sha256::of("abc"));
  EXPECT_EQ(b.final(), Sha256::of("abc"));
  b.update("x");
  a = b;
  a.update("yz");
  EXPECT_EQ(a.final(), Sha256::of("xyz"));
  Sha256 c = std::move(a);
  c.update("abc");
  EXPECT_EQ(c.final(), Sha256::of("abc"));
  EXPECT_THROW(a.update("abc"), std::logic_error);  // NOLINT(bugprone-use-after-move)
  a.reset();
  a.update("abc");
  EXPECT_EQ(a.final(), Sha256::of("abc"));
}

TEST(Sha256, MatchesSha256sumOnRealFile) {
  const std::string path = "/bin/true";
  auto data = read_file(path, 256 << 20);
  ASSERT_TRUE(data);
  auto expect = sha256sum(path);
  ASSERT_EQ(expect.size(), 1u);
  EXPECT_EQ(hex_of(*data), expect[0]);
}

// Every length around the padding boundaries (55/56/64 bytes and the second
// block), against the system tool.
TEST(Sha256, MatchesSha256sumAcrossPaddingBoundaries) {
  char tmpl[] = "/tmp/nj-sha256-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::filesystem::path dir(tmpl);
  std::string args;
  std::vector<std::string> contents;
  for (int len = 0; len <= 130; ++len) {
    std::string s;
    for (int i = 0; i < len; ++i) s += static_cast<char>('a' + (i * 11 + len) % 26);
    auto p = dir / std::to_string(len);
    std::ofstream(p, std::ios::binary) << s;
    args += " " + p.string();
    contents.push_back(s);
  }
  auto sums = sha256sum(args);
  ASSERT_EQ(sums.size(), contents.size());
  for (size_t i = 0; i < contents.size(); ++i) EXPECT_EQ(hex_of(contents[i]), sums[i]) << "length " << i;
  std::filesystem::remove_all(dir);
}

TEST(Sha256, ToHex) {
  const uint8_t b[] = {0x00, 0x0f, 0xa5, 0xff};
  EXPECT_EQ(to_hex(b), "000fa5ff");
  EXPECT_EQ(to_hex({}), "");
}

#include "decode/decode.h"

#include <gtest/gtest.h>

#include <cstring>
#include <functional>

#include "records.h"

using namespace nj;
using namespace njt;

namespace {

using namespace std::string_literals;

// Overwrites the header of an encoded record in place.
void patch_hdr(Bytes& b, const std::function<void(nj_hdr&)>& f) {
  nj_hdr h;
  std::memcpy(&h, b.data(), sizeof(h));
  f(h);
  std::memcpy(b.data(), &h, sizeof(h));
}

void expect_rejected(const Bytes& b, const char* what) {
  auto r = decode(b.data(), b.size());
  EXPECT_FALSE(r.ok()) << what;
  if (!r.ok()) {
    EXPECT_FALSE(r.error().message.empty()) << what;
  }
}

}  // namespace

TEST(Decode, ExecRecord) {
  nj_exec e = exec_rec(0x0010000000000007ull, 5, -13, NJ_EXEC_SCRIPT | NJ_EXEC_ARGV_TRUNCATED);
  e.hdr.backend = NJ_BACKEND_KPROBE;
  e.hdr.ts_ns = 123456789;
  e.task = make_task(4242, "bash");
  e.task.tid = 4243;
  e.task.uid = 1000;
  e.task.euid = 0;
  e.task.start_ns = 77;
  e.task.cgroup_id = 999;
  e.syscall = NJ_SYS_EXECVEAT;
  e.dirfd = -100;
  e.at_flags = 0x1000;
  e.argc = 3;
  e.dev = (8u << 20) | 1;
  e.ino = 131;
  e.nlink = 1;
  e.old_tid = 4243;

  Record r = decode_ok(bytes_of(e));
  ASSERT_TRUE(std::holds_alternative<nj_exec>(r));
  const nj_exec& d = std::get<nj_exec>(r);
  EXPECT_EQ(std::memcmp(&d, &e, sizeof(e)), 0);
  EXPECT_EQ(header_of(r).event_id, 0x0010000000000007ull);
  EXPECT_EQ(header_of(r).ts_ns, 123456789u);
  EXPECT_EQ(header_of(r).backend, NJ_BACKEND_KPROBE);
  EXPECT_EQ(expected_parts(r), 5);
  EXPECT_FALSE(is_part(r));
  EXPECT_EQ(d.retval, -13);
  EXPECT_EQ(d.dirfd, -100);
  EXPECT_STREQ(d.task.comm, "bash");
}

TEST(Decode, ForkRecord) {
  nj_fork f{};
  f.hdr = make_hdr(NJ_REC_FORK, sizeof(nj_fork), 42, 555);
  f.task = make_task(10, "parent");
  f.child_pid = 11;
  f.child_vpid = 2;
  f.child_start_ns = 1'000'000'000;
  f.clone_flags = 0x11;
  f.syscall = NJ_SYS_CLONE3;
  f.flags = NJ_FORK_NO_ENTER;
  Record r = decode_ok(bytes_of(f));
  ASSERT_TRUE(std::holds_alternative<nj_fork>(r));
  const nj_fork& d = std::get<nj_fork>(r);
  EXPECT_EQ(std::memcmp(&d, &f, sizeof(f)), 0);
  EXPECT_EQ(d.child_pid, 11u);
  EXPECT_EQ(d.clone_flags, 0x11u);
  EXPECT_EQ(expected_parts(r), 0);
  EXPECT_FALSE(is_part(r));
  EXPECT_EQ(header_of(r).event_id, 42u);
}

TEST(Decode, ExitRecord) {
  nj_exit x{};
  x.hdr = make_hdr(NJ_REC_EXIT, sizeof(nj_exit), 43);
  x.task = make_task(12, "dying");
  x.exit_code = 0x89;
  x.flags = NJ_EXIT_SIGNALED;
  Record r = decode_ok(bytes_of(x));
  ASSERT_TRUE(std::holds_alternative<nj_exit>(r));
  EXPECT_EQ(std::get<nj_exit>(r).exit_code, 0x89u);
  EXPECT_EQ(std::get<nj_exit>(r).flags, NJ_EXIT_SIGNALED);
  EXPECT_EQ(std::get<nj_exit>(r).task.pid, 12u);
  EXPECT_EQ(expected_parts(r), 0);
}

TEST(Decode, UnshareRecord) {
  nj_unshare u{};
  u.hdr = make_hdr(NJ_REC_UNSHARE, sizeof(nj_unshare), 44);
  u.task = make_task(13, "unshare");
  u.flags = 0x10020000;
  u.retval = -1;
  Record r = decode_ok(bytes_of(u));
  ASSERT_TRUE(std::holds_alternative<nj_unshare>(r));
  EXPECT_EQ(std::get<nj_unshare>(r).flags, 0x10020000u);
  EXPECT_EQ(std::get<nj_unshare>(r).retval, -1);
  EXPECT_EQ(header_of(r).event_id, 44u);
}

TEST(Decode, StringPartKeepsEveryByte) {
  const std::string data = "ls\0-l\0\xff\xfe/tmp\0"s;
  Record r = decode_ok(str_bytes(77, NJ_F_ARGV, 2, data, NJ_STR_TRUNCATED, 0x800001, 999));
  ASSERT_TRUE(is_part(r));
  const StrPart& p = std::get<StrPart>(r);
  EXPECT_EQ(p.hdr.event_id, 77u);
  EXPECT_EQ(p.field, NJ_F_ARGV);
  EXPECT_EQ(p.index, 2);
  EXPECT_EQ(p.flags, NJ_STR_TRUNCATED);
  EXPECT_EQ(p.dev, 0x800001u);
  EXPECT_EQ(p.ino, 999u);
  EXPECT_EQ(p.data, data);
  EXPECT_EQ(p.data.size(), 13u);
  EXPECT_EQ(expected_parts(r), 0);
}

TEST(Decode, EmptyStringPart) {
  Record r = decode_ok(str_bytes(1, NJ_F_CWD, 0, ""));
  ASSERT_TRUE(is_part(r));
  EXPECT_EQ(std::get<StrPart>(r).data, "");
}

// perf buffers pad samples to 8 bytes: bytes past hdr.size are not data.
TEST(Decode, BytesPastTheRecordAreIgnored) {
  Bytes b = str_bytes(5, NJ_F_FILENAME, 0, "/bin/true");
  b.insert(b.end(), {'J', 'U', 'N', 'K', 0, 0, 0});
  Record r = decode_ok(b);
  EXPECT_EQ(std::get<StrPart>(r).data, "/bin/true");

  Bytes f = bytes_of(exec_rec(6, 0));
  f.resize(f.size() + 16, 0xAA);
  EXPECT_TRUE(std::holds_alternative<nj_exec>(decode_ok(f)));
}

// A part whose len is shorter than what hdr.size leaves room for: only len bytes.
TEST(Decode, StringLenShorterThanRecord) {
  Bytes b = str_bytes(5, NJ_F_FILENAME, 0, "/bin/true");
  nj_str s;
  std::memcpy(&s, b.data(), sizeof(s));
  s.len = 4;
  std::memcpy(b.data(), &s, sizeof(s));
  EXPECT_EQ(std::get<StrPart>(decode_ok(b)).data, "/bin");
}

TEST(DecodeRejects, ShorterThanHeader) {
  Bytes full = bytes_of(exec_rec(1, 0));
  expect_rejected(Bytes(full.begin(), full.begin() + sizeof(nj_hdr) - 1), "23 bytes");
  expect_rejected(Bytes(full.begin(), full.begin() + 4), "4 bytes");
  auto r = decode(full.data(), 0);
  EXPECT_FALSE(r.ok());
}

TEST(DecodeRejects, WrongVersion) {
  for (uint8_t v : {uint8_t{0}, uint8_t{NJ_ABI_VERSION + 1}, uint8_t{0xff}}) {
    Bytes b = bytes_of(exec_rec(1, 0));
    patch_hdr(b, [&](nj_hdr& h) { h.version = v; });
    expect_rejected(b, "version");
    Bytes s = str_bytes(1, NJ_F_ARGV, 0, "x");
    patch_hdr(s, [&](nj_hdr& h) { h.version = v; });
    expect_rejected(s, "version (str)");
  }
}

TEST(DecodeRejects, SizeFieldLargerThanBuffer) {
  Bytes b = bytes_of(exec_rec(1, 0));
  patch_hdr(b, [](nj_hdr& h) { h.size = sizeof(nj_exec) + 1; });
  expect_rejected(b, "exec size+1");

  Bytes s = str_bytes(1, NJ_F_ARGV, 0, "abc");
  patch_hdr(s, [&](nj_hdr& h) { h.size = static_cast<uint32_t>(s.size() + 8); });
  expect_rejected(s, "str size+8");

  patch_hdr(s, [](nj_hdr& h) { h.size = 0xffffffffu; });
  expect_rejected(s, "str size max");
}

TEST(DecodeRejects, SizeFieldSmallerThanHeader) {
  for (uint32_t size : {0u, 1u, static_cast<uint32_t>(sizeof(nj_hdr) - 1)}) {
    Bytes b = bytes_of(exec_rec(1, 0));
    patch_hdr(b, [&](nj_hdr& h) { h.size = size; });
    expect_rejected(b, "exec small size");
  }
}

// hdr.size within bounds but too short for the record type.
TEST(DecodeRejects, SizeFieldShorterThanRecordType) {
  Bytes e = bytes_of(exec_rec(1, 0));
  patch_hdr(e, [](nj_hdr& h) { h.size = sizeof(nj_exec) - 1; });
  expect_rejected(e, "exec");

  nj_fork f{};
  f.hdr = make_hdr(NJ_REC_FORK, sizeof(nj_hdr), 1);
  expect_rejected(bytes_of(f), "fork with header-only size");

  Bytes s = str_bytes(1, NJ_F_ARGV, 0, "");
  patch_hdr(s, [](nj_hdr& h) { h.size = sizeof(nj_str) - 1; });
  expect_rejected(s, "str shorter than nj_str");
}

TEST(DecodeRejects, StringLenPastTheRecord) {
  Bytes s = str_bytes(1, NJ_F_ARGV, 0, "abcdef");
  nj_str h;
  std::memcpy(&h, s.data(), sizeof(h));
  h.len = 7;  // one byte more than the record holds
  std::memcpy(s.data(), &h, sizeof(h));
  expect_rejected(s, "len+1");

  // Even when the buffer itself is longer: hdr.size is the bound.
  s.resize(s.size() + 64, 'x');
  expect_rejected(s, "len+1 with slack after the record");

  h.len = 0xffffffffu;
  std::memcpy(s.data(), &h, sizeof(h));
  expect_rejected(s, "len max");
}

TEST(DecodeRejects, UnknownType) {
  for (uint16_t t : {uint16_t{0}, uint16_t{NJ_REC_UNSHARE + 1}, uint16_t{NJ_REC_FIRST(NJ_FAM_MAX)}, uint16_t{0xffff}}) {
    Bytes b = bytes_of(exec_rec(1, 0));
    patch_hdr(b, [&](nj_hdr& h) { h.type = t; });
    expect_rejected(b, "type");
  }
}

TEST(DecodeRejects, FamilyThatDoesNotMatchTheType) {
  Bytes b = bytes_of(exec_rec(1, 0));
  patch_hdr(b, [&](nj_hdr& h) { h.family = NJ_FAM_PROCESS + 1; });
  expect_rejected(b, "family");
  Bytes p = str_bytes(1, NJ_F_ARGV, 0, "x");
  patch_hdr(p, [&](nj_hdr& h) { h.family = NJ_FAM_MAX; });
  expect_rejected(p, "part family");
}

TEST(SplitNul, EmptyPiecesInsideAreArguments) {
  EXPECT_EQ(split_nul("a\0\0b\0"s), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(split_nul("\0x\0"s), (std::vector<std::string>{"", "x"}));
}

TEST(SplitNul, TrailingNulIsNotAnArgument) {
  EXPECT_EQ(split_nul("ls\0-l\0"s), (std::vector<std::string>{"ls", "-l"}));
  EXPECT_EQ(split_nul("\0"s), (std::vector<std::string>{""}));
  EXPECT_TRUE(split_nul("").empty());
}

TEST(SplitNul, TruncatedLastArgumentKept) {
  EXPECT_EQ(split_nul("ls\0-l\0/ho"s), (std::vector<std::string>{"ls", "-l", "/ho"}));
  EXPECT_EQ(split_nul("single"), (std::vector<std::string>{"single"}));
}

TEST(PathFromSegments, LeafFirstSegments) {
  EXPECT_EQ(path_from_segments("true\0bin\0usr\0"s), "/usr/bin/true");
  EXPECT_EQ(path_from_segments("tmp\0"s), "/tmp");
}

TEST(PathFromSegments, DisconnectedObject) { EXPECT_EQ(path_from_segments("memfd:x\0"s), "/memfd:x"); }

// An anonymous dentry (a file found by its handle, not by a name) is named
// "/" and its own parent; a rooted walk never names the root.
TEST(WalkDisconnected, OnlyAnAnonymousTopOfAnUnrootedWalk) {
  EXPECT_TRUE(walk_disconnected("/\0"s, 0));
  EXPECT_FALSE(walk_disconnected("/\0"s, NJ_STR_PATH_ROOTED));
  EXPECT_FALSE(walk_disconnected("/\0"s, NJ_STR_TRUNCATED)) << "a cut walk's top is not its end";
  EXPECT_FALSE(walk_disconnected("memfd:x\0"s, 0)) << "a memfd is named";
  EXPECT_FALSE(walk_disconnected("shadow\0etc\0"s, NJ_STR_PATH_ROOTED));
  EXPECT_FALSE(walk_disconnected("", 0));
}

TEST(PathFromSegments, EmptyIsRoot) {
  EXPECT_EQ(path_from_segments(""), "/");
  EXPECT_EQ(path_from_segments(""), "/");
}

TEST(PathFromSegments, SegmentsWithSpacesAndBytes) {
  EXPECT_EQ(path_from_segments("my file\0dir \xff\0"s), "/dir \xff/my file");
}

// ---- samples holding several records (an event's batch) ----

namespace {

// The records of one sample as the BPF side lays them out: each 8-aligned,
// the padding filled with garbage as a reused scratch buffer would be.
Bytes batch_of(const std::vector<Bytes>& recs) {
  Bytes out;
  for (const Bytes& r : recs) {
    out.insert(out.end(), r.begin(), r.end());
    while (out.size() % 8) out.push_back(0xEE);
  }
  return out;
}

std::vector<Bytes> split(const Bytes& sample) {
  std::vector<Bytes> got;
  for_each_record(sample.data(), sample.size(), [&](const uint8_t* d, size_t n) { got.emplace_back(d, d + n); });
  return got;
}

}  // namespace

TEST(SampleSplit, PartsThenClosingRecord) {
  const Bytes filename = str_bytes(9, NJ_F_FILENAME, 0, "/bin/true");  // 57 bytes: padded
  const Bytes argv = str_bytes(9, NJ_F_ARGV, 0, "true\0x\0"s);
  const Bytes close = bytes_of(exec_rec(9, 2));
  const auto got = split(batch_of({filename, argv, close}));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], filename);
  EXPECT_EQ(got[1], argv);
  EXPECT_EQ(got[2], close);
  EXPECT_EQ(std::get<StrPart>(decode_ok(got[0])).data, "/bin/true");
  EXPECT_EQ(expected_parts(decode_ok(got[2])), 2);
}

TEST(SampleSplit, PerfPaddingAfterTheLastRecordIsNotARecord) {
  Bytes b = bytes_of(exec_rec(3, 0));
  b.insert(b.end(), {0, 0, 0, 0});
  const auto got = split(b);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].size(), sizeof(nj_exec));
}

TEST(SampleSplit, MalformedRestIsHandedOverForDecodeToReject) {
  // A header claiming more than the sample holds.
  Bytes b = batch_of({str_bytes(1, NJ_F_CWD, 0, "tmp"), bytes_of(exec_rec(1, 1))});
  Bytes bad = b;
  bad.resize(b.size() - 8);
  auto got = split(bad);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_FALSE(decode(got[1].data(), got[1].size()).ok());

  // A size field of zero must not loop forever.
  Bytes zero = bytes_of(exec_rec(1, 0));
  patch_hdr(zero, [](nj_hdr& h) { h.size = 0; });
  got = split(zero);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(decode(got[0].data(), got[0].size()).ok());

  // Too short for a header: still reported, not dropped.
  got = split(Bytes(5, 1));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(decode(got[0].data(), got[0].size()).ok());

  // Trailing bytes that could be a header fragment (>= 8) are reported.
  Bytes tail = bytes_of(exec_rec(2, 0));
  tail.resize(tail.size() + 16, 0);
  got = split(tail);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(split(Bytes{}).size(), 0u);
}

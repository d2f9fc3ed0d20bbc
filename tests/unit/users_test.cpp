#include "enrich/users.h"

#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "temp_dir.h"

using namespace nj;
using namespace std::chrono_literals;

namespace {

class UserDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    passwd_ = (dir_ / "passwd").string();
    group_ = (dir_ / "group").string();
  }

  // Writes a new file and renames it over the old one, as vipw, useradd and
  // package managers do: a new inode.
  void replace(const std::string& path, const std::string& text) {
    auto tmp = path + ".new";
    std::ofstream(tmp, std::ios::binary | std::ios::trunc) << text;
    std::filesystem::rename(tmp, path);
  }

  UserDb make_db() {
    return UserDb(UserDbOptions{passwd_, group_, 1s, [this] { return now_; }});
  }

  njt::TempDir tmp_{"users"};
  const std::filesystem::path dir_ = tmp_.path();
  std::string passwd_, group_;
  std::chrono::steady_clock::time_point now_{};
};

TEST_F(UserDbTest, ParsesNormalFiles) {
  replace(passwd_,
          "root:x:0:0:root:/root:/bin/bash\n"
          "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
          "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n"
          "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin");  // no final newline
  replace(group_,
          "root:x:0:\n"
          "sudo:x:27:alice\n"
          "alice:x:1000:\n");
  auto db = make_db();
  EXPECT_EQ(db.user_name(0), "root");
  EXPECT_EQ(db.user_name(1), "daemon");
  EXPECT_EQ(db.user_name(1000), "alice");
  EXPECT_EQ(db.user_name(65534), "nobody");
  EXPECT_EQ(db.user_name(1001), std::nullopt);
  EXPECT_EQ(db.group_name(0), "root");
  EXPECT_EQ(db.group_name(27), "sudo");
  EXPECT_EQ(db.group_name(1000), "alice");
  EXPECT_EQ(db.group_name(5), std::nullopt);
  auto s = db.stats();
  EXPECT_EQ(s.entries, 7u);
  EXPECT_EQ(s.reloads, 2u);
  // Lookups within the interval neither stat nor reload.
  for (int i = 0; i < 10; ++i) (void)db.user_name(0);
  EXPECT_EQ(db.stats().reloads, 2u);
}

TEST_F(UserDbTest, SkipsCommentsBlankAndMalformedLines) {
  replace(passwd_,
          "# a comment\n"
          "\n"
          "   \n"
          "root:x:0:0:root:/root:/bin/bash\r\n"  // CRLF tolerated
          "+nisuser::::::\n"                     // NIS compat entries
          "-baduser:x:2:2::/:\n"
          ":x:3:3::/:/bin/sh\n"     // empty name
          "short:x:4\n"             // cut off after the id
          "noid:x::5::/:/bin/sh\n"  // empty uid
          "neg:x:-6:6::/:/bin/sh\n"
          "alpha:x:7a:7::/:/bin/sh\n"
          "huge:x:4294967296:8::/:/bin/sh\n"  // beyond uint32
          "garbage line without colons\n"
          "bob:x:1001:1001::/home/bob:/bin/sh\n"
          "dup:x:1001:1001::/:/bin/sh\n");  // first entry for an id wins
  auto db = make_db();
  EXPECT_EQ(db.user_name(0), "root");
  EXPECT_EQ(db.user_name(1001), "bob");
  for (uint32_t id : {2u, 3u, 4u, 6u, 7u, 8u, 0xffffffffu}) EXPECT_EQ(db.user_name(id), std::nullopt) << id;
  EXPECT_EQ(db.stats().entries, 2u);  // the group file is missing: no groups

  auto m = parse_id_file("a:x:1:\nb:x:2\n#c:x:3:\n");
  EXPECT_EQ(m.size(), 1u);
  EXPECT_EQ(m.at(1), "a");
}

TEST_F(UserDbTest, ReplacedFileIsReReadAfterTheInterval) {
  replace(passwd_, "alice:x:1000:1000::/home/alice:/bin/sh\n");
  replace(group_, "staff:x:50:\n");
  auto db = make_db();
  EXPECT_EQ(db.user_name(1000), "alice");
  EXPECT_EQ(db.group_name(50), "staff");
  EXPECT_EQ(db.stats().reloads, 2u);

  // Same size, so only the inode tells the files apart.
  replace(passwd_, "alicia:x:1000:1000::/home/alice:/bin/s\n");
  replace(group_, "staffs:x:50:\n");
  now_ += 500ms;
  EXPECT_EQ(db.user_name(1000), "alice");  // not checked yet
  now_ += 500ms;
  EXPECT_EQ(db.user_name(1000), "alicia");
  EXPECT_EQ(db.group_name(50), "staffs");
  EXPECT_EQ(db.stats().reloads, 4u);

  // Checked again but unchanged: no reload.
  now_ += 5s;
  EXPECT_EQ(db.user_name(1000), "alicia");
  EXPECT_EQ(db.stats().reloads, 4u);

  // Edited in place (same inode, new size).
  std::ofstream(passwd_, std::ios::app) << "bob:x:1001:1001::/:/bin/sh\n";
  now_ += 1s;
  EXPECT_EQ(db.user_name(1001), "bob");
  EXPECT_EQ(db.stats().reloads, 5u);
}

TEST_F(UserDbTest, MissingFiles) {
  auto db = make_db();
  EXPECT_EQ(db.user_name(0), std::nullopt);
  EXPECT_EQ(db.group_name(0), std::nullopt);
  EXPECT_EQ(db.stats().entries, 0u);

  // Appears later.
  replace(passwd_, "root:x:0:0::/:/bin/sh\n");
  now_ += 1s;
  EXPECT_EQ(db.user_name(0), "root");

  // Disappears again: the old names are dropped, not kept forever.
  std::filesystem::remove(passwd_);
  now_ += 1s;
  EXPECT_EQ(db.user_name(0), std::nullopt);
  EXPECT_EQ(db.stats().entries, 0u);

  // A directory in its place does not crash either.
  std::filesystem::create_directory(passwd_);
  now_ += 1s;
  EXPECT_EQ(db.user_name(0), std::nullopt);
}

TEST(UserDbSystem, RealFilesHaveRoot) {
  UserDb db;
  EXPECT_EQ(db.user_name(0), "root");
  EXPECT_EQ(db.group_name(0), "root");
}

}  // namespace

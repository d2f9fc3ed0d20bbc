#include "util/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <fstream>

#include "temp_dir.h"
#include "util/fd.h"

namespace nj {
namespace {

class Files : public ::testing::Test {
 protected:
  njt::TempDir dir{"files"};
  std::string write(const std::string& name, const std::string& text) {
    std::string p = (dir.path() / name).string();
    std::ofstream(p) << text;
    return p;
  }
};

TEST_F(Files, WholeFile) {
  std::string big(100000, 'x');
  EXPECT_EQ(read_file(write("a", big)), big);
  EXPECT_EQ(read_file(write("e", "")), "");
}

TEST_F(Files, CapKeepsAPrefix) {
  EXPECT_EQ(read_file(write("a", "abcdef"), 3), "abc");
  Fd fd(::open(write("b", "abcdef").c_str(), O_RDONLY));
  FileText f = read_fd(fd.get(), 3);
  EXPECT_EQ(f.text, "abc");
  EXPECT_TRUE(f.capped);
  EXPECT_FALSE(f.error);
}

TEST_F(Files, ExactlyTheCapIsNotCapped) {
  Fd fd(::open(write("a", "abc").c_str(), O_RDONLY));
  FileText f = read_fd(fd.get(), 3);
  EXPECT_EQ(f.text, "abc");
  EXPECT_FALSE(f.capped);
}

TEST_F(Files, MissingOrUnreadable) {
  EXPECT_FALSE(read_file((dir.path() / "none").string()));
  EXPECT_FALSE(read_file(dir.path().string()));  // a directory: read() fails
}

TEST_F(Files, FifoDoesNotHang) {
  std::string p = (dir.path() / "fifo").string();
  ASSERT_EQ(::mkfifo(p.c_str(), 0600), 0);
  EXPECT_EQ(read_file(p), "");
}

TEST_F(Files, FirstLine) { EXPECT_EQ(read_line(write("a", "one\ntwo\n")), "one"); }

}  // namespace
}  // namespace nj

// Waiting for a FIFO's reader: told once, ended by a reader or a stop
// signal, never a hang.
#include "util/fifo.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <atomic>
#include <chrono>
#include <thread>

#include "temp_dir.h"

namespace nj {
namespace {

class Fifo : public ::testing::Test {
 protected:
  njt::TempDir dir{"fifo"};
  std::string path = (dir.path() / "out").string();
  void SetUp() override { ASSERT_EQ(mkfifo(path.c_str(), 0600), 0); }
};

TEST_F(Fifo, AReaderAlreadyThereIsNoWait) {
  Fd reader(open(path.c_str(), O_RDONLY | O_NONBLOCK));
  ASSERT_TRUE(reader.valid());
  int told = 0;
  auto r = wait_for_fifo_reader(path, [&] { told++; });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->writer.valid());
  EXPECT_EQ(r->signal, 0);
  EXPECT_EQ(told, 0);
}

TEST_F(Fifo, WaitsToldOnceUntilAReaderComes) {
  std::atomic<int> told = 0;
  std::thread reader_thread([&] {
    while (told == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    // Blocks until the waiter opens its end; then holds the read end.
    Fd reader(open(path.c_str(), O_RDONLY));
    char c;
    EXPECT_EQ(read(reader.get(), &c, 1), 1);
  });
  auto r = wait_for_fifo_reader(path, [&] { told++; });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(told, 1);
  EXPECT_EQ(r->signal, 0);
  ASSERT_TRUE(r->writer.valid());
  // The writer it hands back is the FIFO's: the reader gets this byte.
  EXPECT_EQ(write(r->writer.get(), "x", 1), 1);
  reader_thread.join();
}

TEST_F(Fifo, AStopSignalEndsTheWait) {
  for (int sig : {SIGTERM, SIGINT}) {
    const pthread_t self = pthread_self();
    std::atomic<bool> told = false;
    std::thread stopper([&] {
      while (!told) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      pthread_kill(self, sig);
    });
    auto r = wait_for_fifo_reader(path, [&] { told = true; });
    stopper.join();
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->signal, sig);
    EXPECT_FALSE(r->writer.valid());
  }
}

TEST_F(Fifo, OtherErrorsAreErrors) {
  auto r = wait_for_fifo_reader((dir.path() / "absent").string(), [] {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("cannot open output FIFO"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace nj

// Size rotation of the output file under a real load: every file holds
// whole lines only and stays within the limit, the files hold every exec
// of the load once, from sensor-started to sensor-stopped in order, and
// the sensor's own rotation is no tampering while a removal by someone
// else right after one still is.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "harness.h"

namespace nj::e2e {
namespace {

constexpr uint64_t kMax = 65536;

TEST(Rotation, UnderLoadEveryLineWholeOnceAndInOrder) {
  SensorProcess s({"--events", "process", "--output-max-size", std::to_string(kMax), "--output-keep", "1000"});
  const std::string path = s.output_path();
  // 400 execs, each naming this run, in a shell loop.
  const std::string tag = "nj-rotation-" + std::to_string(getpid());
  const Command load = run_command({"/bin/sh", "-c", "for i in $(seq 400); do /bin/true " + tag + "; done"});
  ASSERT_EQ(load.status, 0) << load.err;
  // Every exec of the load, once, across the files as they are now.
  auto files = [&] {
    int n = 0;
    while (std::filesystem::exists(path + "." + std::to_string(n + 1))) ++n;
    return n;
  };
  auto count = [&](const std::string& what) {
    size_t c = 0;
    for (int k = files(); k >= 0; --k)
      for (const std::string& l : lines_of(slurp(k ? path + "." + std::to_string(k) : path)))
        c += l.find(what) != std::string::npos;
    return c;
  };
  size_t last = 0;
  // The execs of /bin/true (not the shell's own, whose command line names
  // the tag too).
  const std::string true_args = "\"args\":[\"/bin/true\",\"" + tag + "\"]";
  const std::string exec_of_tag = "\"action\":\"exec\"";
  EXPECT_TRUE(wait_until(
      [&] {
        size_t c = 0;
        for (int k = files(); k >= 0; --k)
          for (const std::string& l : lines_of(slurp(k ? path + "." + std::to_string(k) : path)))
            c += l.find(exec_of_tag) != std::string::npos && l.find(true_args) != std::string::npos;
        last = c;
        return c == 400;
      },
      20000))
      << last << " execs of the load found; " << s.stderr_text();
  ASSERT_GE(files(), 3) << s.stderr_text();
  // The sensor's own rotations are no tampering.
  EXPECT_EQ(count("\"action\":\"sensor-tampered\""), 0u);

  // Someone else removes the current file (its lines are gone with it):
  // the watch followed the rotations to it, so this is seen, and the
  // sensor opens the path again.
  ASSERT_EQ(unlink(path.c_str()), 0);
  ASSERT_TRUE(wait_until(
      [&] {
        const auto lines = lines_of(slurp(path));
        return std::any_of(lines.begin(), lines.end(),
                           [](const std::string& l) { return l.find("\"action\":\"sensor-tampered\"") != l.npos; });
      },
      10000))
      << s.stderr_text();
  EXPECT_EQ(s.stop(), 0) << s.stderr_text();

  int rotated = 0;
  while (std::filesystem::exists(path + "." + std::to_string(rotated + 1))) ++rotated;
  ASSERT_GE(rotated, 3);
  std::vector<json> all;
  for (int k = rotated; k >= 0; --k) {
    const std::string f = k ? path + "." + std::to_string(k) : path;
    SCOPED_TRACE(f);
    struct stat st {};
    ASSERT_EQ(stat(f.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0640u);
    const auto lines = lines_of(slurp(f));
    // One line may exceed the limit only when it is alone in its file.
    if (lines.size() > 1) {
      EXPECT_LE(static_cast<uint64_t>(st.st_size), kMax);
    }
    for (const std::string& l : lines) {
      try {
        all.push_back(json::parse(l));
      } catch (const std::exception& ex) {
        ADD_FAILURE() << "not a whole JSON line (" << ex.what() << "): " << l.substr(0, 200);
      }
    }
    expect_schema_valid(f);
  }
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(get(all.front(), "event.action"), "sensor-started");
  EXPECT_EQ(get(all.back(), "event.action"), "sensor-stopped");
  size_t tampered = 0;
  std::set<std::string> ids;
  for (const json& e : all) {
    const std::string action = get(e, "event.action");
    if (action == "sensor-tampered") {
      ++tampered;
      EXPECT_EQ(get(e, "nightjar.tampered.how"), "output_removed") << e.dump();
    }
    if (has(e, "event.id")) {
      EXPECT_TRUE(ids.insert(get(e, "event.id").get<std::string>()).second) << e.dump();
    }
  }
  EXPECT_EQ(tampered, 1u);
  const json& stopped = all.back();
  EXPECT_EQ(get(stopped, "nightjar.loss.records_sent_total"), get(stopped, "nightjar.loss.records_read_total"));
  for (int k = 0; k <= rotated; ++k) std::filesystem::remove(k ? path + "." + std::to_string(k) : path);
}

}  // namespace
}  // namespace nj::e2e

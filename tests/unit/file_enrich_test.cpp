// The enrichment every family's events get (user names, parent image) on a
// file event, whose task sits inside the record's shared op rather than at
// its top.
#include <gtest/gtest.h>

#include <fstream>
#include <optional>

#include "enrich/enricher.h"
#include "file_samples.h"
#include "records.h"
#include "temp_dir.h"

using namespace nj;

TEST(FileEnrichment, FileEventsGetTheNamesOfTheirCaller) {
  njt::TempDir dir("file-enrich");
  const auto p = [&](const char* name) { return (dir.path() / name).string(); };
  std::ofstream(p("passwd")) << "alice:x:1000:1001::/home/alice:/bin/sh\n";
  std::ofstream(p("group")) << "staff:x:1001:\n";
  EnricherOptions o;
  o.hash = false;
  o.passwd = p("passwd");
  o.group = p("group");
  o.proc_root = dir.path().string();
  o.cgroup_root = dir.path().string();
  Enricher enricher(o);

  nj_file_chmod rec{};
  rec.hdr = njt::make_hdr(NJ_REC_FILE_CHMOD, sizeof(rec), 7, 5'000'000'000ull, NJ_BACKEND_TRACEPOINT, NJ_FAM_FILE);
  Event ev{rec, {}, false};
  auto& r = std::get<nj_file_chmod>(ev.main);
  njt::complete_sample(ev, r);
  r.op.task.uid = r.op.task.euid = 1000;
  r.op.task.gid = r.op.task.egid = 1001;

  std::optional<EnrichedEvent> out;
  enricher.submit(std::move(ev), 6'000'000'000ull, [&](EnrichedEvent&& e) { out = std::move(e); });
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->en.user, "alice");
  EXPECT_EQ(out->en.real_user, "alice");
  EXPECT_EQ(out->en.group, "staff");
  EXPECT_EQ(out->en.real_group, "staff");
}

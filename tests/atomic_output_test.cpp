// pack -o: the file appears whole or not at all.
#include "atomic_output.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/filesystem.hpp>

#include "cli_support.h"
#include "ctxpack/support/error.h"

namespace ctxpack::cli {
namespace {

using ctxpack::testing::ScratchDir;
using ctxpack::testing::slurp;

TEST(AtomicOutput, AppearsWholeOnCommitAndNotAtAllOtherwise) {
  ScratchDir d;
  const std::string path = d / "out.tar";
  {
    AtomicOutput out(path);
    ASSERT_EQ(::write(out.fd(), "partial", 7), 7);
  }
  EXPECT_TRUE(boost::filesystem::is_empty(d.path()));
  {
    AtomicOutput out(path);
    ASSERT_EQ(::write(out.fd(), "whole", 5), 5);
    EXPECT_FALSE(boost::filesystem::exists(path));
    out.commit();
  }
  EXPECT_EQ(slurp(path), "whole");
  EXPECT_EQ(std::distance(boost::filesystem::directory_iterator(d.path()), {}), 1);
  mode_t mask = ::umask(0);
  ::umask(mask);
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0666 & ~mask);
  EXPECT_THROW(AtomicOutput(d.path()), Error);
}

}  // namespace
}  // namespace ctxpack::cli

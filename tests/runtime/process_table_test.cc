// The /proc process table: this process is alive, an exited child is gone,
// a recycled pid is gone, and anything it cannot be sure of is not.
#include "runtime/process_table.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

namespace cartsync {
namespace {

TEST(ProcProcessTable, SelfIsAliveAndAnExitedChildIsGone) {
  auto table = MakeProcProcessTable();
  const std::string self = table->Self();
  ASSERT_FALSE(self.empty()) << "no /proc here?";
  EXPECT_FALSE(table->Gone(self));

  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::string id = MakeProcProcessTable()->Self();
    (void)!::write(fds[1], id.data(), id.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  char buf[128] = {0};
  ssize_t n = ::read(fds[0], buf, sizeof buf - 1);
  ::close(fds[0]);
  ASSERT_GT(n, 0);
  const std::string child_id(buf, static_cast<size_t>(n));
  EXPECT_EQ(child_id.find(std::to_string(child)), child_id.find(':') + 1) << child_id;
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(table->Gone(child_id)) << child_id;
}

TEST(ProcProcessTable, RecycledPidIsGoneUnknownIsNot) {
  auto table = MakeProcProcessTable();
  const std::string self = table->Self();
  ASSERT_FALSE(self.empty());
  const std::string ns_pid = self.substr(0, self.rfind(':'));
  // This pid, but started at another time: the holder was an earlier process.
  EXPECT_TRUE(table->Gone(ns_pid + ":1"));
  // Another PID namespace (a different container): cannot tell.
  EXPECT_FALSE(table->Gone("1" + self));
  for (const char* bad : {"", "garbage", "1:2", "a:b:c", "::", "4026531836:-5:1"})
    EXPECT_FALSE(table->Gone(bad)) << bad;
  EXPECT_FALSE(NoProcessTable().Gone(self));
  EXPECT_EQ(NoProcessTable().Self(), "");
}

}  // namespace
}  // namespace cartsync

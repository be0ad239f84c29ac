// The /proc/net table parsers behind leaks[].listening, on lines as the
// kernel writes them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "procleak/listening_sockets.hpp"

namespace procleak {
namespace {

std::vector<std::string> addresses(const std::vector<ListeningSocket>& sockets) {
  std::vector<std::string> out;
  for (const auto& s : sockets) out.push_back(s.address + " #" + std::to_string(s.inode));
  return out;
}

TEST(ListeningSockets, TcpListenersOnlyWithTheirPorts) {
  const char* table =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
      "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1147 1 0 100 0 0 10 0\n"
      "   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1148 1 0 100 0 0 10 0\n"
      "   2: 0100007F:1F90 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 1149 1 0 20 4 30 10 -1\n";
  EXPECT_EQ(addresses(parse_inet_table(table, "tcp")),
            (std::vector<std::string>{"tcp 127.0.0.1:8080 #1147", "tcp 0.0.0.0:22 #1148"}));
}

TEST(ListeningSockets, Ipv6AddressesAreWrittenShort) {
  const char* table =
      "  sl  local_address                         remote_address                        st tx_queue rx_queue tr "
      "tm->when retrnsmt   uid  timeout inode\n"
      "   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 "
      "00:00000000 00000000     0        0 2001 1 0 100 0 0 10 0\n"
      "   1: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 "
      "00:00000000 00000000     0        0 2002 1 0 100 0 0 10 0\n"
      "   2: B80D0120000000000000000001000000:01BB 00000000000000000000000000000000:0000 0A 00000000:00000000 "
      "00:00000000 00000000     0        0 2003 1 0 100 0 0 10 0\n";
  EXPECT_EQ(addresses(parse_inet_table(table, "tcp6")),
            (std::vector<std::string>{"tcp6 [::1]:8080 #2001", "tcp6 [::]:80 #2002", "tcp6 [2001:db8::1]:443 #2003"}));
}

TEST(ListeningSockets, UdpBoundToAPortWithoutAPeer) {
  const char* table =
      "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
      "  100: 00000000:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 3001 2 0 0\n"
      "  101: 0100007F:8000 0100007F:0035 01 00000000:00000000 00:00000000 00000000     0        0 3002 2 0 0\n"
      "  102: 00000000:0000 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 3003 2 0 0\n";
  EXPECT_EQ(addresses(parse_inet_table(table, "udp")), (std::vector<std::string>{"udp 0.0.0.0:5353 #3001"}));
}

TEST(ListeningSockets, UnixListenersWithAPathOrAnAbstractName) {
  const char* table =
      "Num       RefCount Protocol Flags    Type St Inode Path\n"
      "0000000000000000: 00000002 00000000 00010000 0001 01 4001 /tmp/app.sock\n"
      "0000000000000000: 00000002 00000000 00010000 0001 01 4002 @abstract\n"
      "0000000000000000: 00000003 00000000 00000000 0001 03 4003 /run/connected.sock\n"
      "0000000000000000: 00000002 00000000 00010000 0001 01 4004\n"
      "0000000000000000: 00000002 00000000 00010000 0001 01 4005 /tmp/with space.sock\n";
  EXPECT_EQ(addresses(parse_unix_table(table)),
            (std::vector<std::string>{"unix /tmp/app.sock #4001", "unix @abstract #4002",
                                      "unix /tmp/with space.sock #4005"}));
}

TEST(ListeningSockets, GarbageLinesAreSkipped) {
  EXPECT_TRUE(parse_inet_table("x\n   0: zz:1 00000000:0000 0A a b c d e 1\n\n", "tcp").empty());
  EXPECT_TRUE(parse_unix_table("0: 1 2 nothex 1 01 5 /p\n").empty());
}

// A fixture /proc: process 123 with fd 3 a socket, and its net tables.
class ListeningSocketsOfAProcess : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() / ("listening_" + std::to_string(::getpid()));
    std::filesystem::create_directories(root_ / "123/fd");
    std::filesystem::create_directories(root_ / "123/net");
    std::filesystem::create_symlink("socket:[42]", root_ / "123/fd/3");
    std::filesystem::create_symlink("/dev/null", root_ / "123/fd/4");
    std::ofstream(root_ / "123/net/unix") << "Num RefCount Protocol Flags Type St Inode Path\n"
                                          << "0: 00000002 00000000 00010000 0001 01 42 /tmp/app.sock\n";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::filesystem::path root_;
};

TEST_F(ListeningSocketsOfAProcess, AMissingTableIsAProtocolNotThere) {
  const auto found = listening_sockets(ProcFs(root_.string()), 123);
  ASSERT_TRUE(found);
  EXPECT_EQ(*found, (std::vector<std::string>{"unix /tmp/app.sock"}));
}

// Before: a table that could not be read was skipped, so the leak was said
// to listen on nothing, where procleak had not seen.
TEST_F(ListeningSocketsOfAProcess, ATableThatCannotBeReadIsUnknownNotNone) {
  std::filesystem::create_directories(root_ / "123/net/tcp");  // read() gives EISDIR
  EXPECT_FALSE(listening_sockets(ProcFs(root_.string()), 123));
}

TEST_F(ListeningSocketsOfAProcess, DescriptorsThatCannotBeListedAreUnknown) {
  EXPECT_FALSE(listening_sockets(ProcFs(root_.string()), 999));
}

}  // namespace
}  // namespace procleak

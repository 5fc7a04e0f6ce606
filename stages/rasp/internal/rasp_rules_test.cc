#include "stages/rasp/internal/rasp_rules.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "gtest/gtest.h"

namespace dso::rasp {
namespace {

sockaddr_in V4(const char* ip, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
}

sockaddr_in6 V6(const char* ip, uint16_t port) {
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_port = htons(port);
  inet_pton(AF_INET6, ip, &a.sin6_addr);
  return a;
}

bool Matches(const char* rule_text, const sockaddr_in& a) {
  NetRule rule{};
  const char* why;
  EXPECT_TRUE(ParseNetRule(rule_text, &rule, &why)) << rule_text;
  return NetRuleMatches(rule, reinterpret_cast<const sockaddr*>(&a), sizeof(a));
}

bool Matches6(const char* rule_text, const sockaddr_in6& a) {
  NetRule rule{};
  const char* why;
  EXPECT_TRUE(ParseNetRule(rule_text, &rule, &why)) << rule_text;
  return NetRuleMatches(rule, reinterpret_cast<const sockaddr*>(&a), sizeof(a));
}

TEST(NetRule, MatchesAddressBlockAndPorts) {
  EXPECT_TRUE(Matches("10.0.0.0/8:443", V4("10.20.30.40", 443)));
  EXPECT_FALSE(Matches("10.0.0.0/8:443", V4("11.0.0.1", 443)));
  EXPECT_FALSE(Matches("10.0.0.0/8:443", V4("10.0.0.1", 80)));
  EXPECT_TRUE(Matches("127.0.0.1:8000-8100", V4("127.0.0.1", 8050)));
  EXPECT_FALSE(Matches("127.0.0.1:8000-8100", V4("127.0.0.2", 8050)));
  EXPECT_TRUE(Matches("192.168.1.0/23:*", V4("192.168.0.7", 1)));
  EXPECT_FALSE(Matches("192.168.1.0/23:*", V4("192.168.2.7", 1)));
  EXPECT_TRUE(Matches("0.0.0.0/0:53", V4("8.8.8.8", 53)));
}

TEST(NetRule, Ipv6AndMappedIpv4) {
  EXPECT_TRUE(Matches6("[::1]/128:*", V6("::1", 9)));
  EXPECT_TRUE(Matches6("[2001:db8::]/32:443", V6("2001:db8:1::5", 443)));
  EXPECT_FALSE(Matches6("[2001:db8::]/32:443", V6("2001:db9::5", 443)));
  EXPECT_TRUE(Matches6("127.0.0.0/8:80", V6("::ffff:127.0.0.9", 80)));
  EXPECT_FALSE(Matches("[::1]/128:*", V4("127.0.0.1", 9)));
}

TEST(NetRule, RejectsMalformedRulesSayingWhy) {
  NetRule rule{};
  const char* why = "";
  for (const char* bad : {"10.0.0.0/8", "10.0.0.0/33:80", "10.0.0.300:80",
                          "host.example:80", "10.0.0.1:0", "10.0.0.1:9-8",
                          "10.0.0.1:70000", "[::1:80", ":80", "10.0.0.1:"}) {
    EXPECT_FALSE(ParseNetRule(bad, &rule, &why)) << bad;
    EXPECT_STRNE(why, "") << bad;
  }
}

TEST(PathUnder, ComponentBoundaries) {
  EXPECT_TRUE(PathUnder("/srv/app", "/srv/app"));
  EXPECT_TRUE(PathUnder("/srv/app/x/y", "/srv/app"));
  EXPECT_FALSE(PathUnder("/srv/apple", "/srv/app"));
  EXPECT_FALSE(PathUnder("/srv", "/srv/app"));
  EXPECT_TRUE(PathUnder("/anything", "/"));
}

TEST(FormatSockaddr, BothFamilies) {
  char out[80];
  sockaddr_in a = V4("10.1.2.3", 8080);
  ASSERT_TRUE(FormatSockaddr(reinterpret_cast<sockaddr*>(&a), sizeof(a), out,
                             sizeof(out)));
  EXPECT_STREQ(out, "10.1.2.3:8080");
  sockaddr_in6 b = V6("::1", 22);
  ASSERT_TRUE(FormatSockaddr(reinterpret_cast<sockaddr*>(&b), sizeof(b), out,
                             sizeof(out)));
  EXPECT_STREQ(out, "[::1]:22");
}

}  // namespace
}  // namespace dso::rasp

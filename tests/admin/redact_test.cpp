// Passwords never appear in messages about the database. Pure.
#include "admin/redact.hpp"

#include <gtest/gtest.h>

namespace disparo::admin {
namespace {

TEST(RedactConninfo, Uri) {
  EXPECT_EQ(redact_conninfo("postgresql://disparo:s3cret@db.local:5432/disparo"),
            "postgresql://disparo@db.local:5432/disparo");
  EXPECT_EQ(redact_conninfo("postgres://u:p%40ss@h/db?sslmode=require&password=x&application_name=a"),
            "postgres://u@h/db?sslmode=require&application_name=a");
  EXPECT_EQ(redact_conninfo("postgresql://u@h:1/db"), "postgresql://u@h:1/db");
  EXPECT_EQ(redact_conninfo("postgresql://h"), "postgresql://h");
  EXPECT_EQ(redact_conninfo("postgresql://u:p@h?password=y"), "postgresql://u@h");
}

TEST(RedactConninfo, KeywordValue) {
  EXPECT_EQ(redact_conninfo("host=h password=s3cret dbname=d"), "host=h password=*** dbname=d");
  EXPECT_EQ(redact_conninfo("password = 's3 cret' host=h"), "password=*** host=h");
  EXPECT_EQ(redact_conninfo("host=h user=passwordless"), "host=h user=passwordless");
  EXPECT_EQ(redact_conninfo("host=h"), "host=h");
}

TEST(RedactConninfo, NeverLeaksThePassword) {
  for (const char* info : {"postgresql://a:TOPSECRET@h/d", "host=h password=TOPSECRET",
                           "password='TOP\\'SECRET'", "postgresql://h/d?password=TOPSECRET"}) {
    EXPECT_EQ(redact_conninfo(info).find("SECRET"), std::string::npos) << info;
  }
}

}  // namespace
}  // namespace disparo::admin

// The demo's env file: reading DISPARO_API_KEY and writing it with mode 0600. Uses a temporary
// directory, no database.
#include "admin/demo.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace disparo::admin {
namespace {

class DemoEnvFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("disparo_admin_env_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const char* name) const { return (dir_ / name).string(); }
  void write(const std::string& file, const std::string& text) { std::ofstream(file) << text; }

  std::filesystem::path dir_;
};

TEST_F(DemoEnvFile, WritesKeyAndTenantWithMode600) {
  auto file = path("demo.env");
  ASSERT_TRUE(write_demo_env_file(file, "dsp_abc").has_value());
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "DISPARO_API_KEY=dsp_abc\nDISPARO_TENANT=demo\n");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_EQ(read_env_api_key(file), std::optional<std::string>("dsp_abc"));
}

TEST_F(DemoEnvFile, ReplacingKeepsMode600EvenIfTheOldFileWasOpen) {
  auto file = path("demo.env");
  write(file, "DISPARO_API_KEY=old\n");
  ::chmod(file.c_str(), 0644);
  ASSERT_TRUE(write_demo_env_file(file, "dsp_new").has_value());
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_EQ(read_env_api_key(file), std::optional<std::string>("dsp_new"));
}

TEST_F(DemoEnvFile, ReadsCommonEnvSyntax) {
  auto file = path("a.env");
  write(file, "# comment\nOTHER=1\nexport DISPARO_API_KEY=\"dsp_quoted\"  \nDISPARO_TENANT=demo\n");
  EXPECT_EQ(read_env_api_key(file), std::optional<std::string>("dsp_quoted"));
  write(file, "DISPARO_API_KEY=\n");
  EXPECT_FALSE(read_env_api_key(file).has_value());
  write(file, "DISPARO_API_KEY_OLD=dsp_x\n");
  EXPECT_FALSE(read_env_api_key(file).has_value());
  EXPECT_FALSE(read_env_api_key(path("missing.env")).has_value());
}

TEST_F(DemoEnvFile, UnwritableDirectoryIsAnError) {
  auto result = write_demo_env_file(path("no/such/dir/demo.env"), "dsp_x");
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("no/such/dir"), std::string::npos);
}

}  // namespace
}  // namespace disparo::admin

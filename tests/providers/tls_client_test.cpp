// The HTTP client over TLS against a loopback TLS server whose throwaway self-signed certificate
// (CN and subjectAltName "localhost" and 127.0.0.1) is made here with the OpenSSL API: trusted
// through ClientOptions::ca_file it works (and reuses the connection); without it, or for a
// host name the certificate does not name, verification fails before anything is sent.
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <variant>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "adapters/http/client.hpp"

namespace disparo::http {
namespace {

using tcp = asio::ip::tcp;
constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);

struct KeyDeleter { void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); } };
struct CertDeleter { void operator()(X509* c) const { X509_free(c); } };
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using CertPtr = std::unique_ptr<X509, CertDeleter>;

std::string to_pem(X509* cert) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string to_pem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// A self-signed P-256 certificate for localhost / 127.0.0.1, valid for one hour.
struct SelfSigned {
  std::string cert_pem, key_pem;
};

SelfSigned make_certificate(const char* alt_names = "DNS:localhost,IP:127.0.0.1") {
  KeyPtr key(EVP_EC_gen("P-256"));
  EXPECT_TRUE(key);
  CertPtr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, alt_names},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    EXPECT_NE(ext, nullptr);
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  EXPECT_GT(X509_sign(cert.get(), key.get(), EVP_sha256()), 0);
  return {to_pem(cert.get()), to_pem(key.get())};
}

// Answers every request on a TLS connection with 200 "ok" (keep-alive), counting handshakes.
class TlsServer {
 public:
  TlsServer(asio::io_context& io, const SelfSigned& cert) : ssl_(asio::ssl::context::tls_server), acceptor_(io) {
    ssl_.use_certificate_chain(asio::buffer(cert.cert_pem));
    ssl_.use_private_key(asio::buffer(cert.key_pem), asio::ssl::context::pem);
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.bind(endpoint);
    acceptor_.listen();
    asio::co_spawn(io, accept_loop(), asio::detached);
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  int handshakes = 0;
  void stop() {
    std::error_code ignored;
    acceptor_.close(ignored);
  }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(use_nothrow);
      if (ec) co_return;
      asio::co_spawn(acceptor_.get_executor(), serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    asio::ssl::stream<tcp::socket> stream(std::move(socket), ssl_);
    auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_nothrow);
    if (hec) co_return;
    ++handshakes;
    std::string pending;
    char buffer[4096];
    for (;;) {
      auto [rec, n] = co_await stream.async_read_some(asio::buffer(buffer), use_nothrow);
      if (rec) co_return;
      pending.append(buffer, n);
      std::size_t end;
      while ((end = pending.find("\r\n\r\n")) != std::string::npos) {
        pending.erase(0, end + 4);
        const std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok";
        auto [wec, written] = co_await asio::async_write(stream, asio::buffer(answer), use_nothrow);
        if (wec) co_return;
      }
    }
  }

  asio::ssl::context ssl_;
  tcp::acceptor acceptor_;
};

class TlsClientTest : public ::testing::Test {
 protected:
  TlsClientTest() : cert_(make_certificate()), server_(io_, cert_) {
    ca_path_ = std::filesystem::temp_directory_path() / ("disparo-tls-ca-" + std::to_string(::getpid()) + ".pem");
    std::ofstream(ca_path_) << cert_.cert_pem;
  }
  ~TlsClientTest() override { std::filesystem::remove(ca_path_); }

  // Runs one GET with `options` to `url_text` on the test's io_context, under a deadline.
  std::variant<Response, ClientError> get(Client& client, const std::string& url_text) {
    std::optional<std::variant<Response, ClientError>> result;
    auto url = parse_url(url_text);
    EXPECT_TRUE(url) << url_text;
    asio::co_spawn(io_, [&]() -> asio::awaitable<void> {
      Request request;
      request.method = "GET";
      result = co_await client.send(*url, std::move(request));
    }, asio::detached);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!result && std::chrono::steady_clock::now() < deadline) {
      io_.run_for(std::chrono::milliseconds(10));
      if (io_.stopped()) io_.restart();
    }
    EXPECT_TRUE(result) << "no answer within 10 s";
    return result ? std::move(*result) : std::variant<Response, ClientError>(ClientError{});
  }

  std::string url(const std::string& host = "127.0.0.1") const {
    return "https://" + host + ":" + std::to_string(server_.port()) + "/v24.0/1/messages";
  }

  asio::io_context io_;
  SelfSigned cert_;
  TlsServer server_;
  std::filesystem::path ca_path_;
};

TEST_F(TlsClientTest, TrustedCaFileWorksAndConnectionsAreReused) {
  Client client(io_, ClientOptions{.ca_file = ca_path_.string()});
  for (int i = 0; i < 3; ++i) {
    auto answer = get(client, url());
    ASSERT_TRUE(std::holds_alternative<Response>(answer)) << std::get<ClientError>(answer).error.message;
    EXPECT_EQ(std::get<Response>(answer).status, 200);
    EXPECT_EQ(std::get<Response>(answer).body, "ok");
  }
  EXPECT_EQ(server_.handshakes, 1);  // keep-alive: one TLS session for the three requests
  auto by_name = get(client, url("localhost"));
  ASSERT_TRUE(std::holds_alternative<Response>(by_name)) << std::get<ClientError>(by_name).error.message;
}

TEST_F(TlsClientTest, UntrustedCertificateFailsBeforeSending) {
  Client client(io_, ClientOptions{});  // system CAs only
  auto answer = get(client, url());
  ASSERT_TRUE(std::holds_alternative<ClientError>(answer));
  const auto& error = std::get<ClientError>(answer);
  EXPECT_EQ(error.delivery, Delivery::not_sent);
  EXPECT_NE(error.error.message.find("tls handshake"), std::string::npos) << error.error.message;
  EXPECT_EQ(server_.handshakes, 0);
}

TEST_F(TlsClientTest, HostNameMustMatchTheCertificate) {
  // A trusted certificate for another name: the chain verifies, the name does not.
  const SelfSigned other = make_certificate("DNS:other.example");
  TlsServer other_server(io_, other);
  const auto other_ca = std::filesystem::path(ca_path_.string() + ".other");
  std::ofstream(other_ca) << other.cert_pem;
  Client client(io_, ClientOptions{.ca_file = other_ca.string()});
  auto answer = get(client, "https://127.0.0.1:" + std::to_string(other_server.port()) + "/");
  std::filesystem::remove(other_ca);
  ASSERT_TRUE(std::holds_alternative<ClientError>(answer));
  EXPECT_EQ(std::get<ClientError>(answer).delivery, Delivery::not_sent);
  EXPECT_EQ(other_server.handshakes, 0);
  other_server.stop();
}

TEST_F(TlsClientTest, UnreadableCaFileIsReported) {
  Client client(io_, ClientOptions{.ca_file = "/nonexistent/ca.pem"});
  auto answer = get(client, url());
  ASSERT_TRUE(std::holds_alternative<ClientError>(answer));
  EXPECT_NE(std::get<ClientError>(answer).error.message.find("/nonexistent/ca.pem"), std::string::npos);
}

}  // namespace
}  // namespace disparo::http

#include "net/tls.h"

#include <fcntl.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <memory>

namespace copper::net {
namespace {

namespace ssl = boost::asio::ssl;

template <class T, void (*F)(T*)>
struct deleter {
  void operator()(T* p) const { F(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509, X509_free>>;
using ext_ptr = std::unique_ptr<X509_EXTENSION, deleter<X509_EXTENSION, X509_EXTENSION_free>>;

struct file_closer {
  void operator()(FILE* f) const { std::fclose(f); }
};
using file_ptr = std::unique_ptr<FILE, file_closer>;

bool add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  ext_ptr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

result<void> write_self_signed(const certificate_paths& paths, const std::string& hostname) {
  pkey_ptr key(EVP_EC_gen("P-256"));
  if (!key) {
    return make_error("cannot generate a TLS key");
  }
  x509_ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 3650);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(hostname.c_str()), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("Copper self-signed"), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  if (!add_extension(cert.get(), NID_subject_alt_name, "DNS:" + hostname) ||
      !add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      !add_extension(cert.get(), NID_ext_key_usage, "serverAuth")) {
    return make_error("cannot build the self-signed certificate");
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return make_error("cannot sign the self-signed certificate");
  }
  // The key is private from its first byte: create it 0600, never chmod later.
  auto key_tmp = paths.key.string() + ".tmp";
  int fd = ::open(key_tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) {
    return make_error("cannot write " + key_tmp);
  }
  file_ptr kf(fdopen(fd, "w"));
  if (!kf ||
      PEM_write_PrivateKey(kf.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return make_error("cannot write " + key_tmp);
  }
  kf.reset();
  auto cert_tmp = paths.cert.string() + ".tmp";
  file_ptr cf(std::fopen(cert_tmp.c_str(), "w"));
  if (!cf || PEM_write_X509(cf.get(), cert.get()) != 1) {
    return make_error("cannot write " + cert_tmp);
  }
  cf.reset();
  std::filesystem::rename(key_tmp, paths.key);
  std::filesystem::rename(cert_tmp, paths.cert);
  return {};
}

}  // namespace

result<certificate_paths> ensure_self_signed(const std::filesystem::path& data_dir,
                                             const std::string& hostname) {
  certificate_paths paths{data_dir / "tls" / "cert.pem", data_dir / "tls" / "key.pem"};
  std::error_code ec;
  if (std::filesystem::exists(paths.cert, ec) && std::filesystem::exists(paths.key, ec)) {
    return paths;
  }
  std::filesystem::create_directories(data_dir / "tls", ec);
  if (ec) {
    return make_error("cannot create " + (data_dir / "tls").string() + ": " + ec.message());
  }
  if (auto r = write_self_signed(paths, hostname); !r) {
    return r.err();
  }
  return paths;
}

result<void> tls_provider::load() {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                  SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
  // TLS 1.2: forward-secret AEAD suites only (TLS 1.3 suites are all fine).
  SSL_CTX_set_cipher_list(native,
                          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                          "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                          "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
  if (SSL_CTX_use_certificate_chain_file(native, paths_.cert.c_str()) != 1) {
    return make_error("cannot load TLS certificate " + paths_.cert.string());
  }
  if (SSL_CTX_use_PrivateKey_file(native, paths_.key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(native) != 1) {
    return make_error("cannot load TLS key " + paths_.key.string() +
                      " (or it does not match the certificate)");
  }
  std::lock_guard lock(mu_);
  ctx_ = std::move(ctx);
  return {};
}

std::shared_ptr<ssl::context> tls_provider::current() const {
  std::lock_guard lock(mu_);
  return ctx_;
}

}  // namespace copper::net

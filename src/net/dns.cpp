#include "net/dns.h"

#include <ares.h>
#include <arpa/nameser.h>
#include <fmt/format.h>

#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <mutex>

namespace copper::net {

namespace asio = boost::asio;

struct resolver::channel_state {
  ares_channel ch = nullptr;
  ~channel_state() {
    if (ch != nullptr) {
      ares_destroy(ch);  // completes pending lookups with ARES_EDESTRUCTION
    }
  }
};

// A socket c-ares asked us to watch. The descriptor does not own the fd:
// c-ares closes it, after telling us to stop watching (release() first).
struct resolver::watch {
  watch(const asio::strand<asio::any_io_executor>& s, int fd) : fd(fd), d(s, fd) {}
  int fd;
  asio::posix::stream_descriptor d;
  bool want_read = false;
  bool want_write = false;
  bool reading = false;
  bool writing = false;
  bool closed = false;
};

namespace {

template <class Handler>
struct pending final : detail::dns_pending {
  explicit pending(Handler h) : handler(std::move(h)) {}
  void complete(dns_answer answer) override {
    auto ex = asio::get_associated_executor(handler);
    asio::post(ex, [h = std::move(handler), a = std::move(answer)]() mutable {
      std::move(h)(std::move(a));
    });
  }
  Handler handler;
};

}  // namespace

resolver::resolver(const asio::any_io_executor& executor)
    : strand_(asio::make_strand(executor)), timer_(strand_) {}

resolver::~resolver() { channel_.reset(); }

result<std::unique_ptr<resolver>> resolver::create(const asio::any_io_executor& executor,
                                                   const resolver_options& options) {
  // c-ares asks for this once per process; on Linux it sets nothing up that
  // could differ between callers, so a once-flag is all the state it needs.
  static std::once_flag library_init;
  std::call_once(library_init, [] { ares_library_init(ARES_LIB_INIT_ALL); });

  std::unique_ptr<resolver> r(new resolver(executor));
  ares_options opts{};
  opts.sock_state_cb = &resolver::on_socket_state_cb;
  opts.sock_state_cb_data = r.get();
  opts.timeout = static_cast<int>(options.timeout.count());
  opts.tries = static_cast<int>(options.tries);
  // NOCHECKRESP: a SERVFAIL or REFUSED answer is reported as such instead of
  // being retried elsewhere and ending as "could not contact DNS servers".
  opts.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES | ARES_FLAG_NOCHECKRESP;
  int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS;
  r->channel_ = std::make_unique<channel_state>();
  if (int rc = ares_init_options(&r->channel_->ch, &opts, mask); rc != ARES_SUCCESS) {
    r->channel_->ch = nullptr;
    return make_error(fmt::format("DNS resolver: {}", ares_strerror(rc)));
  }
  if (!options.servers.empty()) {
    std::string csv;
    for (const auto& s : options.servers) {
      csv += (csv.empty() ? "" : ",") + s;
    }
    if (int rc = ares_set_servers_ports_csv(r->channel_->ch, csv.c_str()); rc != ARES_SUCCESS) {
      return make_error(fmt::format("DNS servers \"{}\": {}", csv, ares_strerror(rc)));
    }
  }
  return r;
}

void resolver::start(std::string name, int type, std::unique_ptr<detail::dns_pending> p) {
  asio::post(strand_, [this, name = std::move(name), type, p = std::move(p)]() mutable {
    ares_query(channel_->ch, name.c_str(), ns_c_in, type, &resolver::on_answer, p.release());
    reschedule();
  });
}

void resolver::on_answer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
  std::unique_ptr<detail::dns_pending> p(static_cast<detail::dns_pending*>(arg));
  dns_answer a;
  a.status = status_from_ares(status);
  if (status != ARES_SUCCESS) {
    a.message = ares_strerror(status);
  } else if (alen < 0 || static_cast<std::size_t>(alen) > dns_max_answer_bytes) {
    a.status = dns_status::error;
    a.message = fmt::format("answer larger than {} bytes", dns_max_answer_bytes);
  } else {
    a.data.assign(abuf, abuf + alen);
  }
  p->complete(std::move(a));
}

void resolver::on_socket_state_cb(void* self, int fd, int readable, int writable) {
  static_cast<resolver*>(self)->on_socket_state(fd, readable != 0, writable != 0);
}

// Runs inside c-ares calls, so on the strand.
void resolver::on_socket_state(int fd, bool readable, bool writable) {
  auto it = watches_.find(fd);
  if (!readable && !writable) {
    if (it != watches_.end()) {
      auto& w = *it->second;
      w.closed = true;
      boost::system::error_code ignored;
      w.d.cancel(ignored);
      w.d.release();  // c-ares closes the fd itself
      watches_.erase(it);
    }
    return;
  }
  if (it == watches_.end()) {
    it = watches_.emplace(fd, std::make_shared<watch>(strand_, fd)).first;
  }
  it->second->want_read = readable;
  it->second->want_write = writable;
  arm(it->second);
}

void resolver::arm(const std::shared_ptr<watch>& w) {
  // The handlers check the error code before touching `this`: after the
  // resolver is gone they only see operation_aborted.
  if (w->want_read && !w->reading) {
    w->reading = true;
    w->d.async_wait(asio::posix::descriptor_base::wait_read,
                    asio::bind_executor(strand_, [this, w](boost::system::error_code ec) {
                      w->reading = false;
                      if (ec || w->closed) {
                        return;
                      }
                      ares_process_fd(channel_->ch, w->fd, ARES_SOCKET_BAD);
                      if (!w->closed) {
                        arm(w);
                      }
                      reschedule();
                    }));
  }
  if (w->want_write && !w->writing) {
    w->writing = true;
    w->d.async_wait(asio::posix::descriptor_base::wait_write,
                    asio::bind_executor(strand_, [this, w](boost::system::error_code ec) {
                      w->writing = false;
                      if (ec || w->closed) {
                        return;
                      }
                      ares_process_fd(channel_->ch, ARES_SOCKET_BAD, w->fd);
                      if (!w->closed) {
                        arm(w);
                      }
                      reschedule();
                    }));
  }
}

// c-ares keeps its own retry and timeout schedule; we wake it when it is due.
void resolver::reschedule() {
  timeval tv{};
  if (ares_timeout(channel_->ch, nullptr, &tv) == nullptr) {
    timer_.cancel();
    return;
  }
  timer_.expires_after(std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec));
  timer_.async_wait(asio::bind_executor(strand_, [this](boost::system::error_code ec) {
    if (ec) {
      return;
    }
    ares_process_fd(channel_->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    reschedule();
  }));
}

asio::awaitable<dns_answer> resolver::query(std::string_view name, int type) {
  std::string copy(name);
  auto answer = co_await asio::async_initiate<const asio::use_awaitable_t<>, void(dns_answer)>(
      [this, &copy, type](auto handler) {
        using handler_type = decltype(handler);
        start(std::move(copy), type, std::make_unique<pending<handler_type>>(std::move(handler)));
      },
      asio::use_awaitable);
  co_return answer;
}

asio::awaitable<dns_result<std::string>> resolver::txt(std::string_view name) {
  auto a = co_await query(name, ns_t_txt);
  co_return parse_txt(a);
}

asio::awaitable<dns_result<mx_record>> resolver::mx(std::string_view name) {
  auto a = co_await query(name, ns_t_mx);
  co_return parse_mx(a);
}

asio::awaitable<dns_result<asio::ip::address>> resolver::a(std::string_view name) {
  auto ans = co_await query(name, ns_t_a);
  co_return parse_a(ans);
}

asio::awaitable<dns_result<asio::ip::address>> resolver::aaaa(std::string_view name) {
  auto ans = co_await query(name, ns_t_aaaa);
  co_return parse_aaaa(ans);
}

asio::awaitable<dns_result<std::string>> resolver::ptr(const asio::ip::address& address) {
  // A copy: a coroutine's reference parameter may dangle after it suspends.
  auto addr = address;  // NOLINT(performance-unnecessary-copy-initialization)
  auto name = reverse_name(addr);
  auto a = co_await query(name, ns_t_ptr);
  co_return parse_ptr(a, addr);
}

asio::awaitable<dns_result<std::string>> resolver::cname(std::string_view name) {
  std::string asked(name);
  auto a = co_await query(asked, ns_t_cname);
  co_return parse_cname(a, asked);
}

}  // namespace copper::net

// Runs blocking work (password hashing, blocking client libraries) on the
// bounded worker pool and resumes the calling coroutine on its own executor,
// so that nothing blocks an I/O thread (ARCHITECTURE.md "Concurrency").
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <type_traits>

namespace copper::net {

// Returns awaitable<std::optional<R>>, always engaged: callers write
// `*co_await run_blocking(pool, [&] { ... })`. Capture by reference: the
// caller stays suspended until the work is done, so its locals outlive it,
// and g++ 12 destroys a temporary that owns memory in a co_await expression
// twice (seen here as a double free when a lambda captured a string by value).
template <class F>
auto run_blocking(boost::asio::thread_pool& pool, F f) {
  namespace asio = boost::asio;
  using R = std::invoke_result_t<F&>;
  return asio::async_initiate<const asio::use_awaitable_t<>, void(std::optional<R>)>(
      [&pool](auto handler, F fn) {
        // Tracked: the io_context must not run out of work while we compute.
        auto home = asio::prefer(asio::get_associated_executor(handler),
                                 asio::execution::outstanding_work.tracked);
        asio::post(pool, [fn = std::move(fn), handler = std::move(handler), home]() mutable {
          std::optional<R> out(fn());
          asio::post(home, [out = std::move(out), handler = std::move(handler)]() mutable {
            std::move(handler)(std::move(out));
          });
        });
      },
      asio::use_awaitable, std::move(f));
}

}  // namespace copper::net

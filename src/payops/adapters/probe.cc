#include "payops/adapters/probe.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <memory>

#include "payops/core/monitor.h"

namespace payops::adapters {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using asio::use_awaitable;

// One check's sockets and deadline; shared with the deadline's handler,
// which may run after the check finished.
struct Conn {
  explicit Conn(asio::io_context& ioc) : resolver(ioc), timer(ioc), socket(ioc) {}
  tcp::socket& lowest() { return tls ? tls->next_layer() : socket; }
  tcp::resolver resolver;
  asio::steady_timer timer;
  tcp::socket socket;
  std::optional<asio::ssl::stream<tcp::socket>> tls;
  bool timed_out = false;
};

struct Batch {
  const std::vector<ProbeRequest>& requests;
  const ProbeOptions& options;
  std::vector<ProbeResult> results;
  size_t next = 0;
  asio::ssl::context tls_context{asio::ssl::context::tls_client};
};

template <class Stream>
asio::awaitable<void> Exchange(Stream& stream, const monitor::Target& t, const ProbeRequest& req,
                               const ProbeOptions& opt, ProbeResult& out) {
  http::request<http::empty_body> request{http::verb::get, t.path, 11};
  const bool default_port =
      (t.scheme == "http" && t.port == 80) || (t.scheme == "https" && t.port == 443);
  std::string host = t.host.find(':') != std::string::npos ? "[" + t.host + "]" : t.host;
  request.set(http::field::host, default_port ? host : host + ":" + std::to_string(t.port));
  request.set(http::field::user_agent, "payops-monitor");
  request.set(http::field::connection, "close");
  co_await http::async_write(stream, request, use_awaitable);
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.header_limit(static_cast<uint32_t>(opt.max_header_bytes));
  parser.body_limit(opt.max_body_bytes);
  boost::system::error_code ec;
  co_await http::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
  if (ec && !(ec == http::error::body_limit && parser.is_header_done())) {
    throw boost::system::system_error(ec);
  }
  const int status = static_cast<int>(parser.get().result_int());
  out.status_code = status;
  const bool status_ok =
      req.expect_status ? status == *req.expect_status : status >= 200 && status < 400;
  if (!status_ok) {
    out.error = req.expect_status ? "expected HTTP " + std::to_string(*req.expect_status)
                                  : "HTTP " + std::to_string(status);
    co_return;
  }
  if (req.expect_body && parser.get().body().find(*req.expect_body) == std::string::npos) {
    out.error = "the answer does not contain the expected text";
    co_return;
  }
  out.ok = true;
}

asio::awaitable<void> ProbeOne(asio::io_context& ioc, Batch& batch, size_t i) {
  const ProbeRequest& req = batch.requests[i];
  ProbeResult& out = batch.results[i];
  const auto started = std::chrono::steady_clock::now();
  auto conn = std::make_shared<Conn>(ioc);
  conn->timer.expires_after(std::chrono::milliseconds(req.timeout_ms));
  conn->timer.async_wait([conn](boost::system::error_code ec) {
    if (ec) return;
    conn->timed_out = true;
    conn->resolver.cancel();
    boost::system::error_code ignored;
    conn->lowest().close(ignored);
  });
  try {
    auto kind = monitor::ParseKind(req.kind);
    auto target =
        kind.ok() ? monitor::ParseTarget(*kind, req.target) : Result<monitor::Target>(kind.error());
    if (!target.ok()) {
      out.error = target.error().message;
    } else {
      const monitor::Target& t = *target;
      auto resolved =
          co_await conn->resolver.async_resolve(t.host, std::to_string(t.port), use_awaitable);
      std::vector<tcp::endpoint> endpoints;
      for (const auto& e : resolved) {
        if (batch.options.allow_private || req.allow_private ||
            !monitor::IsPrivateAddress(e.endpoint().address().to_string())) {
          endpoints.push_back(e.endpoint());
        }
      }
      if (endpoints.empty()) {
        out.error = "refused: the target resolves to a loopback or private address";
      } else {
        co_await asio::async_connect(conn->socket, endpoints, use_awaitable);
        if (req.kind == "tcp") {
          out.ok = true;
        } else if (t.scheme == "https") {
          conn->tls.emplace(std::move(conn->socket), batch.tls_context);
          if (!SSL_set_tlsext_host_name(conn->tls->native_handle(), t.host.c_str())) {
            out.error = "cannot set the TLS server name";
          } else {
            conn->tls->set_verify_mode(asio::ssl::verify_peer);
            conn->tls->set_verify_callback(asio::ssl::host_name_verification(t.host));
            co_await conn->tls->async_handshake(asio::ssl::stream_base::client, use_awaitable);
            co_await Exchange(*conn->tls, t, req, batch.options, out);
          }
        } else {
          co_await Exchange(conn->socket, t, req, batch.options, out);
        }
      }
    }
  } catch (const boost::system::system_error& e) {
    out.ok = false;
    out.error = conn->timed_out ? "timed out after " + std::to_string(req.timeout_ms) + " ms"
                                : e.code().message();
  } catch (const std::exception& e) {
    out.ok = false;
    out.error = e.what();
  }
  if (conn->timed_out && out.ok) {
    out.ok = false;
    out.error = "timed out after " + std::to_string(req.timeout_ms) + " ms";
  }
  conn->timer.cancel();
  boost::system::error_code ignored;
  conn->lowest().close(ignored);
  out.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
}

asio::awaitable<void> Worker(asio::io_context& ioc, Batch& batch) {
  while (batch.next < batch.requests.size()) {
    size_t i = batch.next++;
    co_await ProbeOne(ioc, batch, i);
  }
}

}  // namespace

std::vector<ProbeResult> RunProbes(const std::vector<ProbeRequest>& requests,
                                   const ProbeOptions& options) {
  Batch batch{requests, options, std::vector<ProbeResult>(requests.size())};
  if (requests.empty()) return {};
  boost::system::error_code ec;
  batch.tls_context.set_default_verify_paths(ec);
  asio::io_context ioc(1);
  const size_t workers =
      std::min(requests.size(), static_cast<size_t>(std::max(1, options.max_concurrent)));
  for (size_t w = 0; w < workers; ++w) {
    asio::co_spawn(ioc, Worker(ioc, batch), asio::detached);
  }
  ioc.run();
  return std::move(batch.results);
}

}  // namespace payops::adapters

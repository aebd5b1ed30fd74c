#include "payops/http/server.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/context/detail/exception.hpp>
#include <boost/url/parse.hpp>
#include <cstring>
#include <thread>

#include "payops/core/logfmt.h"
#include "payops/core/validate.h"

namespace payops::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

namespace {

std::string NewRequestId() {
  static const uint64_t kProcess = [] {
    uint64_t v;
    randombytes_buf(&v, sizeof v);
    return v;
  }();
  static std::atomic<uint64_t> counter{0};
  char buf[40];
  std::snprintf(buf, sizeof buf, "req_%08llx%012llx",
                static_cast<unsigned long long>(kProcess & 0xffffffffULL),
                static_cast<unsigned long long>(counter.fetch_add(1) & 0xffffffffffffULL));
  return buf;
}

bool SaneRequestId(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

// Logs an exception that was stopped on its way out of a connection, a
// worker task or the I/O loop. Never throws itself.
void LogStopped(const char* what, const char* error) noexcept {
  try {
    spdlog::error("msg={} error={}", LogValue(what), LogValue(error));
  } catch (...) {
  }
}

// Runs `fn`; an exception that escapes it is logged under `what`, and false
// returned. A fiber's forced unwind (its stack being discarded) goes on.
template <class F>
bool Contain(const char* what, F&& fn) {
  try {
    fn();
    return true;
  } catch (const boost::context::detail::forced_unwind&) {
    throw;
  } catch (const std::exception& e) {
    LogStopped(what, e.what());
  } catch (...) {
    LogStopped(what, "unknown exception");
  }
  return false;
}

// The answer to a request the parser refused.
Error ParseError(beast::error_code ec, const ServerOptions& opt) {
  if (ec == bhttp::error::body_limit) {
    return Error{ErrorKind::kTooLarge,
                 "body_too_large",
                 "request body exceeds " + std::to_string(opt.body_limit_bytes) + " bytes",
                 {}};
  }
  if (ec == bhttp::error::header_limit) {
    return Error{ErrorKind::kTooLarge, "headers_too_large", "request headers too large", {}};
  }
  if (ec == bhttp::error::buffer_overflow) {
    return Error{ErrorKind::kTooLarge,
                 "headers_too_large",
                 "request headers, trailers or a chunk-size line exceed " +
                     std::to_string(opt.buffer_limit_bytes) + " bytes",
                 {}};
  }
  return Error::Invalid("bad_request", "malformed HTTP request: " + ec.message());
}

using RequestParser = bhttp::request_parser<bhttp::string_body>;

// The parser of one request with the server's limits.
void ConfigureParser(RequestParser& parser, const ServerOptions& opt) {
  parser.body_limit(opt.body_limit_bytes);
  parser.header_limit(static_cast<uint32_t>(opt.header_limit_bytes));
}

// The parsed message as the API sees it (the body moved out of `msg`). Errors:
// bad_target when the target is no origin-form path.
Status ToHttpRequest(RequestParser::value_type& msg, HttpRequest& req) {
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  if (auto rid = msg["X-Request-Id"]; !rid.empty() && SaneRequestId(rid)) {
    req.request_id = std::string(rid);
  }
  auto url = boost::urls::parse_origin_form(req.target);
  if (!url) return Error::Invalid("bad_target", "request target is not a valid path");
  req.path = url->path();
  for (auto p : url->params()) req.query.emplace_back(p.key, p.value);
  // Decoded, the path and the query are text: bytes that are no UTF-8 name
  // nothing and would reach the store as parameters it cannot hold.
  bool text = IsValidUtf8(req.path);
  for (const auto& [k, v] : req.query) text = text && IsValidUtf8(k) && IsValidUtf8(v);
  if (!text) return Error::Invalid("bad_target", "request target is not UTF-8 once decoded");
  req.authorization = std::string(msg[bhttp::field::authorization]);
  req.idempotency_key = std::string(msg["Idempotency-Key"]);
  req.accept = std::string(msg[bhttp::field::accept]);
  req.accept_encoding = std::string(msg[bhttp::field::accept_encoding]);
  req.cookie = std::string(msg[bhttp::field::cookie]);
  req.csrf_token = std::string(msg["X-CSRF-Token"]);
  req.body = std::move(msg.body());
  return {};
}

bool HasHeader(const HttpResponse& res, std::string_view name) {
  for (const auto& [k, v] : res.headers) {
    if (beast::iequals(k, name)) return true;
  }
  return false;
}

}  // namespace

struct Server::Impl {
  Api& api;
  ServerOptions opt;
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  net::thread_pool workers;
  std::optional<FiberPool> fibers;  // when opt.fibers
  net::signal_set signals{ioc, SIGTERM, SIGINT};
  std::atomic<size_t> pending{0};      // requests queued or running on workers
  std::atomic<size_t> in_flight{0};    // requests read and not yet written
  std::atomic<size_t> connections{0};  // open sessions
  std::atomic<bool> draining{false};
  net::steady_timer drain_timer{ioc};
  std::chrono::steady_clock::time_point drain_deadline;

  Impl(Api& a, ServerOptions o)
      : api(a), opt(std::move(o)), workers(static_cast<size_t>(std::max(1, opt.worker_threads))) {
    if (opt.fibers) fibers.emplace(opt.fiber);
    opt.buffer_limit_bytes = std::min(opt.buffer_limit_bytes, kMaxBufferLimitBytes);
    opt.header_limit_bytes = std::min(opt.header_limit_bytes, opt.buffer_limit_bytes / 2);
  }

  void Accept();
  void BeginDrain();
  void PollDrain();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::Impl& srv)
      : stream_(std::move(socket)), srv_(srv), buffer_(srv.opt.buffer_limit_bytes) {
    beast::error_code ec;
    auto peer = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_address_ = peer.address().to_string();
    srv_.connections++;
  }
  // A request whose answer was never written (its connection failed) is no
  // longer in flight.
  ~Session() {
    Uncount();
    srv_.connections--;
  }

  void Start() {
    net::dispatch(stream_.get_executor(),
                  [self = shared_from_this()] { self->Step([&] { self->Read(); }); });
  }

 private:
  // Runs one step of the connection on its executor. An exception that
  // escapes it is logged and closes the connection, never the process.
  template <class F>
  void Step(F&& fn) {
    if (!Contain("connection failed", fn)) Close();
  }

  // The request read is in flight until its answer is written.
  void Count() {
    if (counted_) return;
    counted_ = true;
    srv_.in_flight++;
  }
  void Uncount() {
    if (!counted_) return;
    counted_ = false;
    srv_.in_flight--;
  }

  void Read() {
    if (srv_.draining) return Close();
    parser_.emplace();
    ConfigureParser(*parser_, srv_.opt);
    stream_.expires_after(
        std::chrono::seconds(first_ ? srv_.opt.read_timeout_s : srv_.opt.idle_timeout_s));
    first_ = false;
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        self->Step([&] { self->OnRead(ec); });
                      });
  }

  void OnRead(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == beast::error::timeout || ec == net::error::connection_reset ||
        ec == net::error::eof) {
      return Close();
    }
    HttpRequest req;
    req.request_id = NewRequestId();
    req.remote_address = remote_address_;
    if (ec) {
      keep_alive_ = false;
      Count();
      Error e = ParseError(ec, srv_.opt);
      spdlog::warn("msg=\"request refused\" request_id={} code={} error={}",
                   LogValue(req.request_id), LogValue(e.code), LogValue(ec.message()));
      return Reject(e, req.request_id);
    }
    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    Count();
    Status converted = ToHttpRequest(msg, req);
    if (!converted.ok()) return Reject(converted.error(), req.request_id);
    const Route* route = srv_.api.Resolve(req);
    if (route == nullptr || route->options.run_inline) {
      return Write(srv_.api.Handle(req, route));
    }
    if (route->options.fiber && srv_.fibers && !srv_.fibers->full() &&
        req.body.size() <= srv_.opt.fiber_body_limit_bytes) {
      // Written from the fiber, on this connection's executor.
      srv_.fibers->Spawn(stream_.get_executor(),
                         [self = shared_from_this(), req = std::move(req), route]() mutable {
                           self->Step([&] { self->Write(self->srv_.api.Handle(req, route)); });
                         });
      return;
    }
    if (srv_.pending.load() >= srv_.opt.max_pending_requests) {
      return Reject(Error::Unavailable("server is busy; retry later"), req.request_id);
    }
    srv_.pending++;
    try {
      net::post(srv_.workers, [self = shared_from_this(), req = std::move(req), route]() mutable {
        self->AnswerFromWorker(req, route);
      });
    } catch (...) {
      srv_.pending--;
      throw;
    }
  }

  // On a worker thread: the pipeline, then the answer handed to the
  // connection's executor. Nothing escapes into the pool, whose thread would
  // end the process; a request left unanswered closes its connection when
  // the last owner of the session lets go.
  void AnswerFromWorker(HttpRequest& req, const Route* route) {
    std::optional<HttpResponse> res;
    Contain("request on a worker failed", [&] { res.emplace(srv_.api.Handle(req, route)); });
    srv_.pending--;
    if (!res) return;
    Contain("answer not handed to its connection", [&] {
      net::post(stream_.get_executor(),
                [self = shared_from_this(), res = std::move(*res)]() mutable {
                  self->Step([&] { self->Write(std::move(res)); });
                });
    });
  }

  // Answers before the API pipeline runs (unparsable requests, overload).
  void Reject(const Error& e, const std::string& request_id) {
    HttpResponse res = ErrorResponse(e, request_id);
    res.headers.emplace_back("X-Request-Id", request_id);
    Write(std::move(res));
  }

  // The response is written as one head and the body, formatted here: the
  // answers are always HTTP/1.1 with a Content-Length, so a header map per
  // response (and its allocations) buys nothing.
  void Write(HttpResponse res) {
    const bool keep = keep_alive_ && !srv_.draining;
    head_.clear();
    head_ += "HTTP/1.1 ";
    head_ += std::to_string(res.status);
    head_ += ' ';
    head_ += bhttp::obsolete_reason(static_cast<bhttp::status>(res.status));
    head_ += "\r\n";
    AppendHeader("Content-Type", res.content_type);
    for (auto& [k, v] : res.headers) AppendHeader(k, v);
    // Answers hold secrets (API keys, account data) and are never to be
    // cached or sniffed, errors and refusals included; a handler may say
    // otherwise (the web page).
    if (!HasHeader(res, "Cache-Control")) AppendHeader("Cache-Control", "no-store");
    if (!HasHeader(res, "X-Content-Type-Options")) {
      AppendHeader("X-Content-Type-Options", "nosniff");
    }
    head_ += "Content-Length: ";
    head_ += std::to_string(res.body.size());
    head_ += "\r\n";
    if (!keep) head_ += "Connection: close\r\n";
    head_ += "\r\n";
    body_ = std::move(res.body);
    keep_open_ = keep;
    stream_.expires_after(std::chrono::seconds(srv_.opt.read_timeout_s));
    std::array<net::const_buffer, 2> bufs{net::buffer(head_), net::buffer(body_)};
    net::async_write(stream_, bufs, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->Uncount();
      if (ec || !self->keep_open_) return self->Close();
      self->Step([&] { self->Read(); });
    });
  }

  // A header line; a value is never allowed to end the line early.
  void AppendHeader(std::string_view name, std::string_view value) {
    head_ += name;
    head_ += ": ";
    for (char c : value) head_ += (c == '\r' || c == '\n') ? ' ' : c;
    head_ += "\r\n";
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  Server::Impl& srv_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string head_;  // the response being written: status line and headers
  std::string body_;
  bool keep_open_ = true;
  bool keep_alive_ = true;
  bool first_ = true;
  bool counted_ = false;  // in srv_.in_flight
  std::string remote_address_;
};

// Runs `ioc` until it stops (or, with a deadline, until then). An exception
// out of a handler (one inside Beast's parsing, say) is logged and the loop
// goes on: the connection it came from is closed as its session goes, and
// every other one is served on.
void RunServing(net::io_context& ioc) {
  while (!Contain("I/O handler failed; serving on", [&] { ioc.run(); })) {
  }
}
void RunServingFor(net::io_context& ioc, std::chrono::milliseconds ms) {
  const auto until = std::chrono::steady_clock::now() + ms;
  while (!Contain("I/O handler failed; serving on", [&] { ioc.run_until(until); })) {
  }
}

}  // namespace

void Server::Impl::Accept() {
  // A session's handlers need a strand only when several threads run the
  // io_context; with one they are serialized already.
  net::any_io_executor ex = opt.io_threads > 1 ? net::any_io_executor(net::make_strand(ioc))
                                               : net::any_io_executor(ioc.get_executor());
  acceptor.async_accept(ex, [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
      spdlog::warn("msg=\"accept failed\" error={}", LogValue(ec.message()));
    } else {
      Contain("connection not started", [&] {
        beast::error_code ignored;  // a peer gone already is found by the first read
        if (connections.load() >= opt.max_connections) {
          spdlog::warn("msg=\"connection refused: too many open\" max_connections={}",
                       opt.max_connections);
          socket.close(ignored);
          return;
        }
        socket.set_option(tcp::no_delay(true), ignored);
        std::make_shared<Session>(std::move(socket), *this)->Start();
      });
    }
    Accept();
  });
}

void Server::Impl::BeginDrain() {
  if (draining.exchange(true)) return;
  spdlog::info("msg=\"shutting down\" in_flight={}", in_flight.load());
  beast::error_code ignored;
  acceptor.close(ignored);
  drain_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(opt.shutdown_grace_s);
  PollDrain();
}

void Server::Impl::PollDrain() {
  if (in_flight.load() == 0 || std::chrono::steady_clock::now() >= drain_deadline) {
    ioc.stop();
    return;
  }
  drain_timer.expires_after(std::chrono::milliseconds(20));
  drain_timer.async_wait([this](beast::error_code) { PollDrain(); });
}

Server::Server(Api& api, ServerOptions options)
    : impl_(std::make_unique<Impl>(api, std::move(options))) {}

Server::~Server() {
  impl_->workers.join();
}

Result<uint16_t> Server::Listen() {
  beast::error_code ec;
  auto addr = net::ip::make_address(impl_->opt.host, ec);
  if (ec) return Error::Invalid("invalid_listen", "cannot parse host " + impl_->opt.host, "listen");
  tcp::endpoint ep(addr, impl_->opt.port);
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error::Unavailable("cannot listen on " + impl_->opt.host + ":" +
                              std::to_string(impl_->opt.port) + ": " + ec.message());
  }
  return a.local_endpoint().port();
}

void Server::Run(const std::function<void(uint16_t)>& on_ready) {
  impl_->signals.async_wait([this](beast::error_code ec, int) {
    if (!ec) impl_->BeginDrain();
  });
  impl_->Accept();
  if (on_ready) on_ready(impl_->acceptor.local_endpoint().port());
  std::vector<std::thread> extra;
  for (int i = 1; i < impl_->opt.io_threads; ++i) {
    extra.emplace_back([this] { RunServing(impl_->ioc); });
  }
  RunServing(impl_->ioc);
  for (auto& t : extra) t.join();
  // Fibers still waiting on the store (past the grace period) are resumed
  // and finish before the pool that holds their stacks goes, and no store
  // thread is left posting to the executor; their answers get a moment more
  // to be written.
  const auto answers_until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (impl_->fibers &&
         (impl_->fibers->alive() > 0 || impl_->fibers->waking() > 0 ||
          (impl_->in_flight.load() > 0 && std::chrono::steady_clock::now() < answers_until))) {
    impl_->ioc.restart();
    RunServingFor(impl_->ioc, std::chrono::milliseconds(20));
  }
  impl_->workers.join();
}

Result<HttpRequest> ParseRequestBytes(std::string_view bytes, const ServerOptions& options,
                                      size_t read_size) {
  ServerOptions opt = options;
  opt.buffer_limit_bytes = std::min(opt.buffer_limit_bytes, kMaxBufferLimitBytes);
  opt.header_limit_bytes = std::min(opt.header_limit_bytes, opt.buffer_limit_bytes / 2);
  read_size = std::max<size_t>(read_size, 1);
  RequestParser parser;
  ConfigureParser(parser, opt);
  beast::flat_buffer buffer(opt.buffer_limit_bytes);
  beast::error_code ec;
  size_t pos = 0;
  // As bhttp::read does: parse what is buffered; when the parser needs more,
  // read at most `read_size` bytes into what room the buffer has left.
  while (!parser.is_done()) {
    if (buffer.size() > 0) {
      size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec == bhttp::error::need_more) {
        ec = {};
      } else if (ec) {
        break;
      } else if (used > 0) {
        continue;
      }
      if (parser.is_done()) break;
    }
    if (pos == bytes.size()) {
      // The peer closed: before a byte of a request, it just went away.
      if (!parser.got_some()) {
        ec = bhttp::error::end_of_stream;
        break;
      }
      parser.put_eof(ec);
      if (!ec && !parser.is_done()) ec = bhttp::error::partial_message;
      break;
    }
    size_t room = buffer.max_size() - buffer.size();
    if (room == 0) {
      ec = bhttp::error::buffer_overflow;
      break;
    }
    size_t n = std::min({room, read_size, bytes.size() - pos});
    auto into = buffer.prepare(n);
    std::memcpy(into.data(), bytes.data() + pos, n);
    buffer.commit(n);
    pos += n;
  }
  if (ec) return ParseError(ec, opt);
  HttpRequest req;
  req.request_id = NewRequestId();
  PAYOPS_TRY(ToHttpRequest(parser.get(), req));
  return req;
}

void Server::Stop() {
  net::post(impl_->ioc, [this] { impl_->BeginDrain(); });
}

}  // namespace payops::http

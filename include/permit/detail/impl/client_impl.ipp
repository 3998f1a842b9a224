// The non-template parts of permit::detail::client_impl: compiled in every translation unit that
// includes <permit/permit.hpp> by default, or once, in the one that includes <permit/src.hpp>,
// under PERMIT_SEPARATE_COMPILATION.
#pragma once

#include <permit/detail/client_impl.hpp>
#include <permit/detail/decision.hpp>
#include <permit/detail/rate/shared_budget.hpp>
#ifdef PERMIT_WITH_REDIS
#include <permit/detail/rate/shared_limiter.hpp>
#endif

namespace permit::detail {

inline http::connection_settings settings_of(const config& cfg, http::transport_counters* counters,
                                             http::tls_session_store* sessions) {
    return {cfg.connect_timeout,
            cfg.handshake_timeout,
            cfg.request_timeout,
            cfg.max_response_body,
            cfg.max_response_header,
            counters,
            cfg.tls.resume_sessions ? sessions : nullptr};
}

client_impl::client_impl(executor_type ex, config cfg)
    : cfg_(std::move(cfg))
    , ex_(cfg_.thread_safe ? executor_type(boost::asio::make_strand(ex)) : ex)
    , scope_gate_(ex_)
    , budget_(cfg_.retry_budget, std::chrono::steady_clock::now())
    , random_(std::random_device{}()) {
    if (cfg_.api_key.empty()) throw std::invalid_argument("permit::config::api_key is empty");
    rate::check_shared_budget_options(cfg_.rate_limits);
    auto settings = settings_of(cfg_, &transport_, &tls_sessions_);
    auto api = http::origin::parse(cfg_.api_url);
    auto pdp = http::origin::parse(cfg_.pdp_url);
    check_transport_security("api_url", api);
    check_transport_security("pdp_url", pdp);
    api.proxy = http::proxy_for(api.tls, api.host, cfg_.proxy);
    pdp.proxy = http::proxy_for(pdp.tls, pdp.host, cfg_.proxy);
    for (const auto* where : {&api, &pdp}) {
        if (where->proxy && !where->tls)
            log(log_level::warning, "requests to " + where->key() + " go through the proxy " +
                                        where->proxy->key() +
                                        " over plain HTTP: the proxy sees the API key");
    }
    if (api.tls || pdp.tls) tls_context_.emplace(http::make_tls_context(cfg_.tls));
    auto* const tls_context = tls_context_ ? &*tls_context_ : nullptr;
    if (cfg_.tls.insecure_disable_verification)
        log(log_level::warning,
            "TLS certificate verification is off (tls.insecure_disable_verification): anyone "
            "on the path can pose as the server and read the API key");
    api_pool_ = std::make_unique<http::pool>(ex_, api, tls_context, settings,
                                             cfg_.api_max_connections, cfg_.idle_timeout);
    if (cfg_.api_pipelining.enabled)
        api_pipeline_ = std::make_unique<http::pipeline_pool>(
            ex_, api, tls_context, settings, cfg_.api_max_connections,
            cfg_.api_pipelining.max_depth, cfg_.idle_timeout);
    // One pool per origin: the emulator, for one, serves both at the same address.
    if (pdp.key() != api.key()) {
        pdp_pool_ = std::make_unique<http::pool>(ex_, pdp, tls_context, settings,
                                                 cfg_.pdp_max_connections, cfg_.idle_timeout);
        if (cfg_.pdp_pipelining.enabled)
            pdp_pipeline_ = std::make_unique<http::pipeline_pool>(
                ex_, pdp, tls_context, settings, cfg_.pdp_max_connections,
                cfg_.pdp_pipelining.max_depth, cfg_.idle_timeout);
    }
    api_headers_ = common_headers(api);
    pdp_headers_ = common_headers(pdp);
    if (cfg_.rate_limits.applies_to(api.host)) limiter_ = make_limiter();
    // Pipelined checks do not wait for a free connection: nothing to coalesce.
    if (cfg_.coalesce_checks.enabled && !pipeline_for(service::pdp)) {
        coalescer_.emplace(cfg_.coalesce_checks.max_batch);
        pool_for(service::pdp).on_connection_free(&on_pdp_connection_free, this);
    }
}

boost::asio::awaitable<boost::system::error_code> client_impl::run(
    std::shared_ptr<client_impl> self, call_spec spec, result_sink sink, diagnostics* user_diag,
    std::shared_ptr<const call_options> options, bool in_caller) {
    // Errors are values here; a cancelled coroutine still runs its cleanup to the end. In the
    // caller's coroutine, its setting comes back at the end.
    const bool caller_throws_if_cancelled =
        in_caller ? co_await boost::asio::this_coro::throw_if_cancelled() : false;
    co_await boost::asio::this_coro::throw_if_cancelled(false);
    // Any type of cancellation aborts the call, and reaches the socket as terminal: Beast's
    // composed reads let only terminal cancellation through. In the caller's coroutine, its own
    // filter applies (what it lets through reaches the call's operations).
    if (!in_caller)
        co_await boost::asio::this_coro::reset_cancellation_state(
            boost::asio::enable_total_cancellation(), cancel_as_terminal{});
    boost::system::error_code ec;
    // The details go straight to the caller's diagnostics, which it reads once the call is over
    // (they are not in the coroutine's frame: a smaller frame is a cheaper allocation); a call
    // without them keeps its own.
    std::unique_ptr<diagnostics> own_diag;
    diagnostics* diag_out = user_diag;
    try {
        if (diag_out)
            *diag_out = diagnostics{};
        else
            diag_out = (own_diag = std::make_unique<diagnostics>()).get();
        diagnostics& diag = *diag_out;
        http::response resp;
        std::optional<check_coalescer_state::ticket> queued;
        if (spec.coalescable && self->coalescer_ && !options) queued = self->queue_check(spec);
        // (An if rather than ?: : g++ 12 destroys the result of a conditional co_await twice.)
        if (queued)
            ec = co_await self->await_queued_check(*queued, spec, diag, resp);
        else
            ec = co_await self->execute(spec, options.get(), diag, resp);
        if (!ec && sink.decode) {
            try {
                sink.decode(sink.target, resp);
            } catch (const model_error& e) {
                ec = error::invalid_response;
                diag.status = resp.status;
                diag.request_id = bounded(resp.request_id);
                diag.client_message = e.what();
            } catch (const std::exception& e) {
                // Not JSON (system_error from the parser), or a value out of range.
                ec = error::invalid_response;
                diag.status = resp.status;
                diag.request_id = bounded(resp.request_id);
                diag.client_message = e.what();
                diag.raw_body = bounded(resp.body);
            }
        }
    } catch (const std::bad_alloc&) {
        ec = make_error_code(boost::system::errc::not_enough_memory);
    }
    if (diag_out) {
        // A server or proxy may echo the Authorization header back; the key goes no further.
        redact(*diag_out, self->cfg_.api_key);
        if (ec && self->cfg_.log) self->log(log_level::debug, diag_out->to_string());
    }
    if (spec.spent_body && spec.body) *spec.spent_body = std::move(*spec.body);
    if (caller_throws_if_cancelled) co_await boost::asio::this_coro::throw_if_cancelled(true);
    co_return ec;
}

std::unique_ptr<rate::limiter> client_impl::make_limiter() const {
#ifdef PERMIT_WITH_REDIS
    if (!cfg_.rate_limits.redis_url.empty()) {
        // A token's lease in Redis: the time one attempt may take once it has a connection. The
        // limiter renews it while the request is in flight; a client that died holds its tokens
        // for a lease and a window at most.
        const auto lease = cfg_.connect_timeout + cfg_.handshake_timeout + cfg_.request_timeout;
        return std::make_unique<rate::shared_limiter>(ex_, cfg_.rate_limits, lease, cfg_.log);
    }
#endif
    return std::make_unique<rate::local_limiter>(ex_, cfg_.rate_limits);
}

void client_impl::give_back_token(const call_spec& spec) {
    limiter_->release(rate::classes_of(spec.method, spec.path), false);
}

// Out of line: destroying the pools instantiates their members.
client_impl::~client_impl() = default;

boost::asio::awaitable<boost::system::error_code> client_impl::execute(const call_spec& spec,
                                                                       const call_options* options,
                                                                       diagnostics& diag,
                                                                       http::response& resp) {
    // Only what lives across a suspension is here, the rest in the functions it calls: a
    // coroutine's frame holds all its locals, and a small frame is a cheaper allocation.
    using clock = std::chrono::steady_clock;
    // A rate-limit token taken for this call goes back unused if the call ends before it is
    // sent.
    const bool token_held = spec.rate_token_held && limiter_ && spec.target == service::api;
    if (stopped_) co_return shut_down_call(spec, token_held, diag);
    const retry_policy& policy = options && options->retry ? *options->retry : cfg_.retry;
    const sync_wait* wait = wait_of(spec, options);
    const service destination = wait ? service::pdp : spec.target;
    http::pool& pool = pool_for(destination);
    if (!wait && spec.base != path_base::none && !scope_paths_) {
        diag.request = std::string(to_string(spec.method)) + " " + spec.path;
        scope_ids ids;
        if (auto ec = co_await resolve_scope(diag, ids); ec) {
            if (token_held) give_back_token(spec);
            co_return ec;
        }
        // The scope does not change: its paths are made once.
        if (!scope_paths_) scope_paths_.emplace(paths_of(ids));
    }
    std::size_t path_size = 0;
    const std::string target = target_of(spec, pool, wait, diag, path_size);
    // Requests to the REST API are paced, proxied facts included; the PDP's decisions are not (a
    // local PDP has no limits).
    const bool paced = limiter_ && spec.target == service::api;
    const rate::class_set classes =
        paced ? rate::classes_of(spec.method, std::string_view(target).substr(0, path_size)) : 0;
    const http::request req = make_request(spec, pool, target, wait);

    const bool idempotent =
        spec.idempotent.value_or(retry::is_idempotent(spec.method, spec.target == service::pdp));
    const auto started = clock::now();
    retry::retry_state<> retries(policy, idempotent, started);
    budget_.on_call(started);
    const auto epoch = cancel_epoch_;
    bool fresh = false;
    bool holds_token = token_held;
    for (;;) {
        if (paced && !std::exchange(holds_token, false)) {
            const auto waiting_since = clock::now();
            const auto ec = co_await limiter_->acquire(classes);
            if (!rate_limit_waited(waiting_since, ec, diag))
                co_return boost::asio::error::operation_aborted;
        }
        http::exchange_result result =
            co_await exchange_once(destination, pool, req, idempotent && !diag.replayed, fresh);
        const auto next =
            after_attempt(result, spec, policy, classes, epoch, retries, diag, resp, fresh);
        if (next.what == attempt_outcome::kind::done) co_return next.ec;
        if (next.what == attempt_outcome::kind::again) continue;
        if (!co_await sleep(next.delay) || epoch != cancel_epoch_ || stopped_) {
            diag.client_message = "cancelled while waiting to retry";
            diag.stop_reason = retry_stop::cancelled;
            co_return boost::asio::error::operation_aborted;
        }
    }
}

boost::system::error_code client_impl::shut_down_call(const call_spec& spec, bool token_held,
                                                      diagnostics& diag) {
    diag.request = std::string(to_string(spec.method)) + " " + spec.path;
    if (token_held) give_back_token(spec);
    diag.client_message = "the client is shut down";
    diag.stop_reason = retry_stop::cancelled;
    return boost::asio::error::operation_aborted;
}

const sync_wait* client_impl::wait_of(const call_spec& spec, const call_options* options) const {
    // Read-your-writes: the facts API through the PDP's proxy, when the view or the config asks
    // for it (https://docs.permit.io/how-to/manage-data/local-facts-uploader). The PDP forwards
    // to the API with its own project and environment, so the scope is not needed. Such a call
    // still counts against the API's rate limits, and is retried as the API call it is
    // (spec.target stays service::api).
    if (spec.base != path_base::facts) return nullptr;
    if (options && options->wait_for_sync) return &*options->wait_for_sync;
    if (cfg_.proxy_facts_via_pdp) return &cfg_.facts_sync;
    return nullptr;
}

scope_paths client_impl::paths_of(const scope_ids& ids) {
    const auto scope = percent_encode(ids.project) + '/' + percent_encode(ids.environment);
    return {"/v2/facts/" + scope, "/v2/schema/" + scope};
}

std::string client_impl::target_of(const call_spec& spec, const http::pool& pool,
                                   const sync_wait* wait, diagnostics& diag,
                                   std::size_t& path_size) const {
    std::string target = pool.where().base_path;
    if (wait)
        target += "/facts";
    else if (spec.base != path_base::none)
        target += spec.base == path_base::facts ? scope_paths_->facts : scope_paths_->schema;
    target += spec.path;
    path_size = target.size();
    diag.request.assign(to_string(spec.method)).append(" ").append(target);
    if (!spec.query.empty()) {
        target += '?';
        target += spec.query;
    }
    return target;
}

bool client_impl::rate_limit_waited(std::chrono::steady_clock::time_point since,
                                    boost::system::error_code ec, diagnostics& diag) {
    diag.rate_limit_wait += std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - since);
    if (!ec) return true;
    diag.client_message = "cancelled while waiting for the client-side rate limit";
    diag.stop_reason = retry_stop::cancelled;
    return false;
}

boost::asio::awaitable<http::exchange_result> client_impl::exchange_once(service destination,
                                                                         http::pool& pool,
                                                                         const http::request& req,
                                                                         bool may_pipeline,
                                                                         bool fresh) {
    // Pipelined only when idempotent: a request in a pipeline that dies is sent again. A replay
    // always takes an ordinary connection.
    http::pipeline_pool* pipeline = pipeline_for(destination);
    if (pipeline && may_pipeline) return pipeline->exchange(req);
    return pool.exchange(req, fresh);
}

client_impl::attempt_outcome client_impl::after_attempt(
    http::exchange_result& result, const call_spec& spec, const retry_policy& policy,
    rate::class_set paced_classes, std::uint64_t epoch, retry::retry_state<>& retries,
    diagnostics& diag, http::response& resp, bool& fresh) {
    using clock = std::chrono::steady_clock;
    fresh = false;
    diag.attempts += 1;
    requests_.fetch_add(1, std::memory_order_relaxed);
    if (paced_classes) limiter_->release(paced_classes, result.sent);
    diag.clear_failure();
    retry::attempt_result attempt;
    if (result.ec) {
        diag.client_message = std::move(result.note);
        // A proxy's refusal: its status decides the retry (`retry_policy::retryable_statuses`).
        diag.status = result.proxy_status;
        attempt.status = result.proxy_status;
        // Whatever broke while the client was being cancelled, the cause is the cancel.
        if (epoch != cancel_epoch_ || stopped_) {
            diag.stop_reason = retry_stop::cancelled;
            return attempt_outcome::done_with(boost::asio::error::operation_aborted);
        }
        // The server closed an idle keep-alive connection as the request went out: it never saw
        // the request, so it is sent once more, on a new connection, whatever its verb (what
        // browsers and curl do).
        if (result.reused && !result.response_started && !diag.replayed &&
            http::is_closed_connection_error(result.ec)) {
            diag.replayed = true;
            replays_.fetch_add(1, std::memory_order_relaxed);
            fresh = true;
            log(log_level::info, diag.request +
                                     ": the server had closed the kept-alive connection; "
                                     "sending the request again on a new one");
            return {attempt_outcome::kind::again};
        }
        // A pipelined connection died before this request's response: it goes again, on an
        // ordinary connection (pipelined requests are idempotent).
        if (result.unanswered && !diag.replayed) {
            diag.replayed = true;
            replays_.fetch_add(1, std::memory_order_relaxed);
            log(log_level::info, diag.request +
                                     ": the pipelined connection died before the response; "
                                     "sending the request again");
            return {attempt_outcome::kind::again};
        }
        attempt.ec = result.ec;
    } else {
        resp = std::move(result.resp);
        if (resp.status >= 200 && resp.status < 300) return attempt_outcome::done_with({});
        read_error_body(resp, diag);
        attempt.ec = error_from_status(resp.status);
        attempt.status = resp.status;
        attempt.retry_after = resp.retry_after;
        if (resp.status == 429) {
            rate_limited_.fetch_add(1, std::memory_order_relaxed);
            if (paced_classes) limiter_->on_rate_limited(paced_classes, retry_after_of(resp));
        }
    }
    const auto decision =
        retries.after_failure(attempt, clock::now(), std::chrono::system_clock::now(),
                              random_unit(), cfg_.retry_budget.enabled ? &budget_ : nullptr);
    if (!decision.retry) {
        diag.stop_reason = decision.stop;
        note_stop(diag, decision.stop, spec.method, policy);
        return attempt_outcome::done_with(attempt.ec);
    }
    diag.retry_delays.push_back(decision.delay);
    retries_.fetch_add(1, std::memory_order_relaxed);
    if (cfg_.log)
        log(log_level::warning,
            diag.to_string() + "; retrying in " + std::to_string(decision.delay.count()) + " ms");
    return {attempt_outcome::kind::wait_and_retry, {}, decision.delay};
}

void client_impl::cancel() {
    ++cancel_epoch_;
    if (coalescer_) {
        for (const auto id : coalescer_->take_all()) {
            if (auto it = queued_checks_.find(id); it != queued_checks_.end()) {
                it->second->aborted = true;
                it->second->timer.cancel();
            }
        }
    }
    if (bulk_) bulk_->cancel(stopped_);
    for (auto* timer : sleepers_) timer->cancel();
    if (limiter_) limiter_->cancel_all();
    api_pool_->close_all();
    if (pdp_pool_) pdp_pool_->close_all();
    if (api_pipeline_) api_pipeline_->close_all();
    if (pdp_pipeline_) pdp_pipeline_->close_all();
    scope_gate_.cancel();
}

std::optional<check_coalescer_state::ticket> client_impl::queue_check(call_spec& spec) {
    if (stopped_ || !spec.body) return std::nullopt;
    const auto id = ++last_check_;
    const bool connection_free = pool_for(service::pdp).has_free_connection();
    if (coalescer_->submit(id, std::move(*spec.body), connection_free) ==
        check_coalescer_state::route::now)
        return std::nullopt;
    return id;
}

boost::asio::awaitable<boost::system::error_code> client_impl::await_queued_check(
    check_coalescer_state::ticket id, const call_spec& spec, diagnostics& diag,
    http::response& resp) {
    // Listed before the first suspension: the queue's answer finds it.
    queued_check waiting(*this, id);
    co_await waiting.timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    if (!waiting.done) {
        diag.request = "POST " + pool_for(service::pdp).where().base_path + spec.path;
        diag.client_message = waiting.aborted
                                  ? "the client was cancelled"
                                  : "cancelled while waiting to go out with other checks";
        diag.stop_reason = retry_stop::cancelled;
        co_return boost::asio::error::operation_aborted;
    }
    diag = std::move(waiting.diag);
    if (waiting.ec) co_return waiting.ec;
    // The answer, as an /allowed reply: the caller's decoder reads it as it reads one.
    resp.status = 200;
    resp.body = std::move(waiting.answer);
    co_return boost::system::error_code{};
}

void client_impl::on_pdp_connection_free(void* context) {
    auto& client = *static_cast<client_impl*>(context);
    if (client.stopped_) return;
    auto self = client.weak_from_this().lock();
    if (!self) return;
    auto batch = client.coalescer_->take();
    if (!batch) return;
    // From a handler of its own: the pool is in the middle of giving a connection back.
    boost::asio::post(client.ex_, [self = std::move(self), batch = std::move(*batch)]() mutable {
        boost::asio::co_spawn(self->ex_, send_checks(self, std::move(batch)),
                              boost::asio::detached);
    });
}

/// Keeps the body of a reply as it is: an /allowed reply, for the check that waits for it.
struct reply_text_decoder {
    std::string operator()(const http::response& r) const { return r.body; }
};

/// The answers of an /allowed/bulk reply, each as the JSON text of an /allowed reply.
struct bulk_answers_decoder {
    std::vector<std::string> operator()(const http::response& r) const {
        return bulk_answers(r.body);
    }
};

boost::asio::awaitable<void> client_impl::send_checks(std::shared_ptr<client_impl> self,
                                                      check_coalescer_state::batch batch) {
    co_await boost::asio::this_coro::throw_if_cancelled(false);
    diagnostics diag;
    boost::system::error_code ec;
    std::vector<std::string> answers;
    const bool bulk = batch.bulk();
    // Arguments are built before the co_await: g++ 12 destroys aggregate temporaries in a
    // co_await expression twice.
    call_spec spec{.method = http_method::post,
                   .target = service::pdp,
                   .path = bulk ? "/allowed/bulk" : "/allowed",
                   .body = std::move(batch.body)};
    if (bulk) {
        auto result = co_await run<std::vector<std::string>>(self, std::move(spec),
                                                             bulk_answers_decoder{}, &diag);
        ec = result.ec;
        answers = std::move(result.value);
    } else {
        auto result = co_await run<std::string>(self, std::move(spec), reply_text_decoder{}, &diag);
        ec = result.ec;
        if (!ec) answers.push_back(std::move(result.value));
    }
    if (!ec && !check_coalescer_state::matches(batch, answers.size())) {
        ec = error::invalid_response;
        diag.client_message = "the reply has " + std::to_string(answers.size()) + " answers for " +
                              std::to_string(batch.tickets.size()) +
                              " checks: it cannot be matched to them";
    }
    self->deliver_checks(batch.tickets, ec, diag, answers);
}

void client_impl::deliver_checks(const std::vector<check_coalescer_state::ticket>& tickets,
                                 boost::system::error_code ec, const diagnostics& diag,
                                 std::vector<std::string>& answers) {
    for (std::size_t i = 0; i < tickets.size(); ++i) {
        auto it = queued_checks_.find(tickets[i]);
        if (it == queued_checks_.end()) continue;  // cancelled meanwhile: the answer is dropped
        auto& waiting = *it->second;
        waiting.done = true;
        waiting.ec = ec;
        waiting.diag = diag;
        if (!ec) waiting.answer = std::move(answers[i]);
        waiting.timer.cancel();
    }
}

void client_impl::log(log_level level, std::string message) const {
    if (!cfg_.log) return;
    redact(message, cfg_.api_key);
    cfg_.log(level, message);
}

void client_impl::check_transport_security(const char* option, const http::origin& where) const {
    if (where.tls || where.is_loopback()) return;
    if (!cfg_.insecure_allow_plain_http)
        throw std::invalid_argument(
            std::string("permit::config::") + option + " is plain http:// to " + where.host +
            ", which is not a loopback address: the API key would cross the network "
            "unencrypted. Use https://, or set config.insecure_allow_plain_http = true if "
            "the network is private");
    log(log_level::warning, std::string(option) + " sends the API key over plain http:// to " +
                                where.host + " (config.insecure_allow_plain_http)");
}

std::string client_impl::common_headers(const http::origin& where) const {
    std::string out;
    out.append("Host: ").append(where.host_header).append("\r\n");
    out.append("Authorization: Bearer ").append(cfg_.api_key).append("\r\n");
    out.append("User-Agent: permit-cpp/" PERMIT_VERSION_STRING "\r\n");
    out.append("Accept: application/json\r\n");
    // Over plain HTTP, every request goes to the proxy itself (in the absolute form) and carries
    // its credentials; an https origin's requests run inside a tunnel the proxy cannot read.
    if (where.proxy && !where.tls && !where.proxy->authorization.empty())
        out.append("Proxy-Authorization: ").append(where.proxy->authorization).append("\r\n");
    return out;
}

http::request client_impl::make_request(const call_spec& spec, const http::pool& pool,
                                        std::string_view target, const sync_wait* wait) const {
    http::request req;
    req.method = to_string(spec.method);
    req.target = target;
    req.common_headers = &pool == api_pool_.get() ? api_headers_ : pdp_headers_;
    if (wait) {
        if (auto timeout = wait_timeout_header(*wait))
            req.extra_headers.append("X-Wait-Timeout: ").append(*timeout).append("\r\n");
        if (auto policy = timeout_policy_header(*wait))
            req.extra_headers.append("X-Timeout-Policy: ").append(*policy).append("\r\n");
    }
    if (spec.body) req.body = *spec.body;
    // As Beast's prepare_payload: a length for a body, and a zero length for a POST or PUT
    // without one.
    req.set_body_headers(spec.body.has_value(), !req.body.empty() ||
                                                    spec.method == http_method::post ||
                                                    spec.method == http_method::put);
    return req;
}

std::optional<std::chrono::milliseconds> client_impl::retry_after_of(const http::response& resp) {
    if (resp.retry_after.empty()) return std::nullopt;
    auto wait = retry::parse_retry_after(resp.retry_after, std::chrono::system_clock::now());
    if (!wait) return std::nullopt;
    return std::chrono::duration_cast<std::chrono::milliseconds>(*wait);
}

void client_impl::note_stop(diagnostics& diag, retry_stop stop, http_method method,
                            const retry_policy& policy) {
    std::string why;
    switch (stop) {
        case retry_stop::not_idempotent:
            why = "not retried: " + std::string(to_string(method)) +
                  " is not idempotent, and the server may have applied it";
            break;
        case retry_stop::attempts_exhausted:
            if (policy.max_attempts > 1)
                why = "gave up after " + std::to_string(policy.max_attempts) + " attempts";
            break;
        case retry_stop::time_exhausted:
            why = "gave up: the next retry would end after retry_policy::max_elapsed";
            break;
        case retry_stop::budget_empty:
            why =
                "not retried: the client's retry budget is empty (too many retries across "
                "the client; see config::retry_budget)";
            break;
        default:
            return;
    }
    if (why.empty()) return;
    if (!diag.client_message.empty()) diag.client_message += "; ";
    diag.client_message += why;
}

boost::asio::awaitable<bool> client_impl::sleep(std::chrono::milliseconds delay) {
    boost::asio::steady_timer timer(ex_, delay);
    sleeper_registration registration(sleepers_, timer);
    auto [ec] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    co_return !ec;
}

boost::asio::awaitable<boost::system::error_code> client_impl::resolve_scope(diagnostics& diag,
                                                                             scope_ids& ids) {
    if (cfg_.project_id && cfg_.environment_id) {
        ids = {*cfg_.project_id, *cfg_.environment_id};
        co_return boost::system::error_code{};
    }
    if (!scope_) {
        if (!scope_in_flight_) {
            scope_in_flight_ = true;
            scope_gate_.expires_at(std::chrono::steady_clock::time_point::max());
            // Detached from the caller, so that cancelling the first caller does not fail the
            // others that wait for the same answer.
            boost::asio::co_spawn(ex_, fetch_scope(shared_from_this()), boost::asio::detached);
        }
        const auto epoch = cancel_epoch_;
        co_await scope_gate_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (!scope_) {
            if (scope_in_flight_ || epoch != cancel_epoch_) {
                diag.client_message = "cancelled while the API key's scope was fetched";
                co_return boost::asio::error::operation_aborted;
            }
            const auto request = diag.request;
            diag = scope_diag_;
            diag.client_message = "could not fetch the API key's scope (GET /v2/api-key/scope)" +
                                  (diag.client_message.empty() ? "" : ": " + diag.client_message);
            if (diag.request.empty()) diag.request = request;
            co_return scope_error_;
        }
    }
    auto project = cfg_.project_id ? cfg_.project_id : scope_->project_id;
    auto environment = cfg_.environment_id ? cfg_.environment_id : scope_->environment_id;
    if (!project || !environment) {
        diag.client_message =
            std::string("the API key is ") + (scope_->project_id ? "project" : "organization") +
            "-level: set config.environment_id" + (project ? "" : " and config.project_id") +
            " to call environment-level routes";
        co_return error::environment_key_required;
    }
    ids = {std::move(*project), std::move(*environment)};
    co_return boost::system::error_code{};
}

boost::asio::awaitable<void> client_impl::fetch_scope(std::shared_ptr<client_impl> self) {
    co_await boost::asio::this_coro::throw_if_cancelled(false);
    // Arguments are built before the co_await: g++ 12 destroys aggregate temporaries in a
    // co_await expression twice.
    call_spec spec{.method = http_method::get, .path = "/v2/api-key/scope"};
    self->scope_diag_.clear();
    auto result = co_await run<api_key_scope>(self, std::move(spec), json_decoder<api_key_scope>{},
                                              &self->scope_diag_);
    if (!result.ec) self->scope_ = std::move(result.value);
    self->scope_error_ = result.ec;
    self->scope_in_flight_ = false;
    self->scope_gate_.cancel();
}

}  // namespace permit::detail

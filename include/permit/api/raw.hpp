// The escape hatch: `request` sends any request, for endpoints the library does not model yet.
#pragma once

#include <permit/api/api_base.hpp>
#include <permit/raw_request.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <string>
#include <string_view>
#include <utility>

namespace permit {

namespace detail {

struct raw_decoder {
    raw_response operator()(const http::response& r) const {
        raw_response out{.status = r.status, .body = nullptr};
        if (!r.body.empty()) out.body = parse_body(r.body);
        return out;
    }
};

}  // namespace detail

/// `request`: any request through the client's pools, limits, retries and authentication. A
/// member of every `permit::client` and of its views (`permit.request(...)`).
class raw_api : protected detail::api_base {
  public:
    /// Sends any request, for endpoints not modelled yet. Signature:
    /// `void(error_code, permit::raw_response)`; a non-2xx status is an error as for every call.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto request(raw_request req, CompletionToken&& token = {}) {
        return call<raw_response>(raw_spec(std::move(req)), detail::raw_decoder{}, nullptr,
                                  std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto request(raw_request req, diagnostics& diag, CompletionToken&& token = {}) {
        return call<raw_response>(raw_spec(std::move(req)), detail::raw_decoder{}, &diag,
                                  std::forward<CompletionToken>(token));
    }

  protected:
    /// The raw requests of the client that `client` refers to.
    explicit raw_api(detail::client_handle client) : api_base(std::move(client)) {}

  private:
    static detail::call_spec raw_spec(raw_request req) {
        detail::call_spec spec{.method = req.method,
                               .target = req.to_pdp ? detail::service::pdp : detail::service::api};
        std::string target = std::move(req.target);
        if (auto q = target.find('?'); q != std::string::npos) {
            spec.query = target.substr(q + 1);
            target.resize(q);
        }
        // `/v2/facts/{proj_id}/{env_id}/rest` -> base + `/rest`, resolved like the typed calls.
        for (auto [prefix, base] :
             {std::pair{std::string_view("/v2/facts/{proj_id}/{env_id}"), detail::path_base::facts},
              std::pair{std::string_view("/v2/schema/{proj_id}/{env_id}"),
                        detail::path_base::schema}}) {
            if (target.rfind(prefix, 0) == 0) {
                spec.base = base;
                target.erase(0, prefix.size());
                break;
            }
        }
        spec.path = std::move(target);
        if (req.body) spec.body = boost::json::serialize(*req.body);
        return spec;
    }
};

}  // namespace permit

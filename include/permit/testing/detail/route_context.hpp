// What a route handler sees of a request and what it returns, plus the helpers every group of
// routes shares: body parsing with FastAPI's 422s, pagination, list shapes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/stream_parser.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <permit/testing/detail/api_failure.hpp>
#include <permit/testing/detail/validation.hpp>
#include <permit/testing/emulator_config.hpp>

namespace permit::testing::detail {

/// A response before it is put on the wire.
struct reply {
    unsigned status = 200;
    /// Sent as JSON unless `text` is set or the status is 204.
    boost::json::value body;
    std::optional<std::string> text;
    std::vector<std::pair<std::string, std::string>> headers;
};

inline reply json_reply(unsigned status, boost::json::value body) {
    return {status, std::move(body), {}, {}};
}
inline reply no_content() {
    return {204, nullptr, {}, {}};
}

/// The parts of a request a handler needs: captured path parameters (percent-decoded, in the
/// order of the template), the decoded query, and the raw body.
struct route_context {
    std::string_view method;
    std::vector<std::string> params;
    std::vector<std::pair<std::string, std::string>> query;
    std::string_view body;
    /// The id of the caller's API key (REST routes; empty on the others).
    std::string_view caller_key_id;

    const std::string& param(std::size_t i) const { return params.at(i); }

    /// The first value of a query parameter.
    std::optional<std::string_view> q(std::string_view name) const {
        for (const auto& [k, v] : query)
            if (k == name) return std::string_view(v);
        return std::nullopt;
    }

    /// Every value of a repeatable query parameter (`?user=a&user=b`).
    std::vector<std::string> all(std::string_view name) const {
        std::vector<std::string> out;
        for (const auto& [k, v] : query)
            if (k == name) out.push_back(v);
        return out;
    }

    /// The body as JSON; a missing or unparsable body is FastAPI's 422.
    boost::json::value json() const {
        if (body.empty())
            throw unprocessable(boost::json::array{"body"}, "field required",
                                "value_error.missing");
        boost::json::stream_parser p;
        boost::system::error_code ec;
        const auto consumed = p.write_some(body.data(), body.size(), ec);
        if (!ec) p.finish(ec);
        if (ec) {
            const auto offset = static_cast<std::int64_t>(consumed);
            throw unprocessable(
                boost::json::array{"body", offset},
                "Expecting value: " + ec.message() + " (char " + std::to_string(offset) + ")",
                "value_error.jsondecode");
        }
        return p.release();
    }
};

/// Parses a body and validates it against `schema` (FastAPI's 422 otherwise).
inline boost::json::value checked_body(const route_context& ctx, const object_schema& schema) {
    auto v = ctx.json();
    if (auto errors = check_body(v, schema); !errors.empty()) throw unprocessable(errors);
    return v;
}

/// Parses and validates a body against `schema`, then converts it to the model `T`.
template <class T>
T body_as(const route_context& ctx, const object_schema& schema) {
    return boost::json::value_to<T>(checked_body(ctx, schema));
}

/// `page` and `per_page` as the spec bounds them (page ≥ 1, 1 ≤ per_page ≤ 100, default 30).
struct paging {
    std::int64_t page = 1;
    std::int64_t per_page = 30;
};

inline paging read_paging(const route_context& ctx, query_checker& q) {
    return {q.integer(ctx.q("page"), "page", 1, 1),
            q.integer(ctx.q("per_page"), "per_page", 30, 1, 100)};
}

/// Reads `page` and `per_page` alone, or throws FastAPI's 422 for a bad value.
inline paging read_page(const route_context& ctx) {
    validation_errors errors;
    query_checker q(errors);
    const auto p = read_paging(ctx, q);
    if (!errors.empty()) throw unprocessable(errors);
    return p;
}

/// What the lists that may answer a bare array read of their query: the page, whether to answer
/// the envelope (`include_total_count`), and the `detailed` flag (deprecated on most lists, which
/// ignore it once checked).
struct list_options {
    paging page;
    bool with_total = false;
    bool detailed = false;
};

/// Reads `list_options`, or throws FastAPI's 422 for a bad value.
inline list_options read_list_options(const route_context& ctx) {
    validation_errors errors;
    query_checker q(errors);
    list_options out{.page = read_paging(ctx, q)};
    out.with_total = q.boolean(ctx.q("include_total_count"), "include_total_count", false);
    out.detailed = q.boolean(ctx.q("detailed"), "detailed", false);
    if (!errors.empty()) throw unprocessable(errors);
    return out;
}

/// One page of `items`, rendered.
template <class Item, class Render>
boost::json::array page_of(const std::vector<Item>& items, paging p, Render render) {
    boost::json::array out;
    const auto first = static_cast<std::size_t>((p.page - 1) * p.per_page);
    for (std::size_t i = first;
         i < items.size() && i < first + static_cast<std::size_t>(p.per_page); ++i)
        out.push_back(boost::json::value_from(render(*items[i])));
    return out;
}

/// `PaginatedResult_T_`; `page_count` = ceil(total_count / per_page).
template <class Item, class Render>
boost::json::value envelope(const std::vector<Item>& items, paging p, Render render) {
    const auto total = static_cast<std::int64_t>(items.size());
    return boost::json::object{{"data", page_of(items, p, render)},
                               {"total_count", total},
                               {"page_count", (total + p.per_page - 1) / p.per_page}};
}

/// The list endpoints that answer a bare array unless `include_total_count=true`.
template <class Item, class Render>
boost::json::value array_or_envelope(const std::vector<Item>& items, paging p,
                                     bool include_total_count, Render render) {
    if (include_total_count) return envelope(items, p, render);
    return page_of(items, p, render);
}

/// Case-insensitive substring test for `search`.
inline bool contains_folded(std::string_view haystack, std::string_view needle) {
    auto lower = [](char c) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    };
    if (needle.empty()) return true;
    for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
        std::size_t j = 0;
        while (j < needle.size() && lower(haystack[i + j]) == lower(needle[j])) ++j;
        if (j == needle.size()) return true;
    }
    return false;
}

}  // namespace permit::testing::detail

// What every API group shares: the client it belongs to, and how it starts a call.
#pragma once

#include <permit/detail/call.hpp>
#include <permit/detail/encoding.hpp>
#include <permit/detail/engine.hpp>
#include <permit/detail/response_body.hpp>
#include <permit/models/detail/json_writer.hpp>
#include <permit/use_awaitable.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace permit {
class client_view;
}  // namespace permit

namespace permit::detail {

/// The JSON text of a model: a request body. Not inline, so that it can be compiled once (see
/// <permit/detail/instantiations.hpp>).
template <class Model>
std::string json_text(const Model& m);

template <class Model>
std::string json_text(const Model& m) {
    // Written straight from the model: the bytes `serialize(value_from(m))` would give.
    std::string out;
    append_json(out, m);
    return out;
}

class api_base {
  protected:
    explicit api_base(client_handle impl) : impl_(std::move(impl)) {}

    template <class T, class Decoder, class Token>
    auto call(call_spec spec, Decoder decode, diagnostics* diag, Token&& token) const {
        return async_call<T>(impl_, std::move(spec), std::move(decode), diag,
                             std::forward<Token>(token));
    }

    /// The JSON text of a model.
    template <class Model>
    static std::string to_json(const Model& m) {
        return json_text(m);
    }

    /// `/<first>/<key>...`: each key percent-encoded.
    static std::string path(std::string_view collection, std::string_view key) {
        std::string out(collection);
        out += '/';
        out += percent_encode(key);
        return out;
    }

    client_handle impl_;
};

}  // namespace permit::detail

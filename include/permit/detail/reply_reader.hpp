// Decoding a reply into a described model as Boost.JSON's parser reads it, with no document: the
// fields of the model's object are matched to its members one at a time, a string is copied once,
// into its member, and only the values that are containers (or belong to fields the model does
// not know) are built as JSON values, which the model's conversions then read as they would read
// them from a document. Included by <permit/detail/response_body.hpp> in header-only mode and by
// <permit/src.hpp> under PERMIT_SEPARATE_COMPILATION, because it brings Boost.JSON's parser
// implementation with it.
#pragma once

#include <permit/detail/response_body.hpp>
#include <permit/models/detail/described.hpp>
#include <permit/models/model_error.hpp>

#include <boost/json/array.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_stack.hpp>
#include <boost/mp11/algorithm.hpp>

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace permit::detail {

/// The handler of `boost::json::basic_parser` that builds a `T` from the events of its JSON text.
/// The model's errors are the same `permit::model_error`s, with the same paths, as those of its
/// conversion from a document (`tag_invoke(value_to_tag<T>, ...)`): a value is read by the same
/// `read_present_member`, an absent member settled by the same `read_absent_member`. The first
/// error is kept and thrown by `finish()` only once the whole text has parsed, so that a body that
/// is not JSON is reported as such, whatever it held before the fault.
template <described_model T>
class reply_handler {
    static constexpr std::size_t member_count = member_count_v<T>;
    static constexpr std::size_t unknown = member_count;

  public:
    // The limits of Boost.JSON's own document parser.
    static constexpr std::size_t max_object_size = boost::json::object::max_size();
    static constexpr std::size_t max_array_size = boost::json::array::max_size();
    static constexpr std::size_t max_key_size = boost::json::string::max_size();
    static constexpr std::size_t max_string_size = boost::json::string::max_size();

    /// Values that are built as JSON (containers, unknown fields) are allocated from `storage`.
    explicit reply_handler(boost::json::storage_ptr storage)
        : storage_(std::move(storage))
        , values_(boost::json::storage_ptr(), stack_buffer_, sizeof stack_buffer_) {}

    reply_handler(const reply_handler&) = delete;
    reply_handler& operator=(const reply_handler&) = delete;

    /// The model, once the parser has read the whole text without error: throws the first
    /// `model_error` of a field, the error of the text not being an object, or that of a missing
    /// required field.
    T finish() {
        if (!top_is_object_)
            throw model_error(std::string(rules_of<T>.name), {}, model_error::kind::wrong_type,
                              "an object");
        if (error_) std::rethrow_exception(error_);
        read_absent_members(in_, present_, out_);
        return std::move(out_);
    }

    using error_code = boost::system::error_code;
    using string_view = boost::json::string_view;

    bool on_document_begin(error_code&) { return true; }
    bool on_document_end(error_code&) { return true; }

    bool on_object_begin(error_code&) {
        if (depth_ == 0) top_is_object_ = true;
        return begin_container();
    }
    bool on_object_end(std::size_t n, error_code&) {
        return end_container([&] { values_.push_object(n); });
    }
    bool on_array_begin(error_code&) { return begin_container(); }
    bool on_array_end(std::size_t n, error_code&) {
        return end_container([&] { values_.push_array(n); });
    }

    bool on_key_part(string_view part, std::size_t, error_code&) {
        return route([&] { key_.append(part.data(), part.size()); },
                     [&] { values_.push_chars(part); });
    }
    bool on_key(string_view part, std::size_t, error_code&) {
        return route([&] { whole_text(key_, part, [&](std::string_view key) { select(key); }); },
                     [&] { values_.push_key(part); });
    }
    bool on_string_part(string_view part, std::size_t, error_code&) {
        return route([&] { text_.append(part.data(), part.size()); },
                     [&] { values_.push_chars(part); });
    }
    bool on_string(string_view part, std::size_t, error_code&) {
        return route(
            [&] {
                whole_text(text_, part, [&](std::string_view text) { string_value(text); });
                text_.clear();
            },
            [&] { values_.push_string(part); });
    }

    bool on_number_part(string_view, error_code&) { return true; }
    bool on_int64(std::int64_t n, string_view, error_code&) {
        return route([&] { deliver(boost::json::value(n, storage_)); },
                     [&] { values_.push_int64(n); });
    }
    bool on_uint64(std::uint64_t n, string_view, error_code&) {
        return route([&] { deliver(boost::json::value(n, storage_)); },
                     [&] { values_.push_uint64(n); });
    }
    bool on_double(double n, string_view, error_code&) {
        return route([&] { deliver(boost::json::value(n, storage_)); },
                     [&] { values_.push_double(n); });
    }
    bool on_bool(bool b, error_code&) {
        return route([&] { deliver(boost::json::value(b, storage_)); },
                     [&] { values_.push_bool(b); });
    }
    bool on_null(error_code&) {
        return route([&] { deliver(boost::json::value(nullptr, storage_)); },
                     [&] { values_.push_null(); });
    }
    // Comments are refused by the parse options, as for a document.
    bool on_comment_part(string_view, error_code&) { return true; }
    bool on_comment(string_view, error_code&) { return true; }

  private:
    // A container opened at the model's level starts a value of its own.
    bool begin_container() {
        if (depth_ == 1 && top_is_object_) values_.reset(storage_);
        ++depth_;
        return true;
    }

    // A container closed (`push` builds it) is part of a field's value, or the whole of it when
    // it was opened at the model's level.
    template <class Push>
    bool end_container(Push push) {
        if (--depth_ >= 1 && top_is_object_) {
            push();
            if (depth_ == 1) deliver(values_.release());
        }
        return true;
    }

    // A key or a value: part of the model's object (a field's key, or its value when it is not a
    // container), or of a field's value below it, which is built as JSON. Outside an object
    // (depth 0) the text is no model, which `finish` says: nothing is read.
    template <class AtModelLevel, class Below>
    bool route(AtModelLevel at_model_level, Below below) {
        if (top_is_object_) {
            if (depth_ == 1)
                at_model_level();
            else
                below();
        }
        return true;
    }

    // A key or string whose last part is `last`: whole in `last` when no part came before it,
    // else completed in `buffer`.
    template <class Use>
    static void whole_text(std::string& buffer, string_view last, Use use) {
        if (buffer.empty()) {
            use(std::string_view(last.data(), last.size()));
        } else {
            buffer.append(last.data(), last.size());
            use(std::string_view(buffer));
        }
    }

    void select(std::string_view key) {
        member_ = member_index<T>(key);
        if (member_ != unknown)
            key_.clear();
        else if (key.data() != key_.data())
            key_.assign(key);
    }

    // The string value of the selected field: copied once, straight into a string member.
    void string_value(std::string_view text) {
        if (member_ != unknown) {
            bool assigned = false;
            boost::mp11::mp_with_index<member_count>(member_, [&](auto index) {
                using descriptor = boost::mp11::mp_at_c<model_members<T>, index>;
                auto& m = out_.*descriptor::pointer;
                using M = std::remove_reference_t<decltype(m)>;
                if constexpr (std::is_same_v<M, std::string>) {
                    m.assign(text);
                    assigned = true;
                } else if constexpr (std::is_same_v<M, std::optional<std::string>>) {
                    m.emplace(text);
                    assigned = true;
                }
            });
            if (assigned) {
                present_.set(member_);
                return;
            }
        }
        deliver(boost::json::value(boost::json::string_view(text.data(), text.size()), storage_));
    }

    // The whole value of the selected field, read as the document's conversion reads it.
    void deliver(const boost::json::value& v) {
        if (error_) return;
        try {
            if (member_ != unknown) {
                present_.set(member_);
                read_present_member(in_, member_, v, out_);
            } else if constexpr (keeps_unknown_fields<T>) {
                // A key given twice keeps its last value, as a document does.
                out_.unknown_fields.insert_or_assign(key_, v);
            }
        } catch (const model_error&) {
            error_ = std::current_exception();
        }
        key_.clear();
    }

    boost::json::storage_ptr storage_;
    unsigned char stack_buffer_[512];
    boost::json::value_stack values_;
    const field_reader in_{rules_of<T>.name};
    T out_{};
    std::bitset<member_count> present_;
    std::exception_ptr error_;
    // The nesting of the parser: 1 inside the model's object, more inside a field's value.
    int depth_ = 0;
    bool top_is_object_ = false;
    std::size_t member_ = unknown;
    std::string key_;
    std::string text_;
};

/// Decodes a 2xx body into the described model `T` without building its document: the same
/// result, and the same errors, as `boost::json::value_to<T>(parse_body(body))`. Throws
/// `boost::system::system_error` when the body is not JSON, `permit::model_error` when it is not
/// the model. Thread-safe.
template <described_model T>
T read_reply(std::string_view body) {
    reply_arena arena;
    boost::json::basic_parser<reply_handler<T>> parser(boost::json::parse_options{},
                                                       arena.storage());
    boost::system::error_code ec;
    const auto used = parser.write_some(false, body.data(), body.size(), ec);
    if (!ec && used < body.size()) ec = boost::json::error::extra_data;
    if (ec) throw_not_json(body, ec);
    return parser.handler().finish();
}

}  // namespace permit::detail

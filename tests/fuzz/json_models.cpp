// Fuzz target: arbitrary bytes as a JSON body, decoded into one of the models as the client's
// decoders do, then written back and read again (what the emulator writes, the client reads).
#include "fuzz_target.hpp"

#include <permit/client.hpp>
#include <permit/detail/response_body.hpp>
#include <permit/models.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace permit_fuzz::json_models {

namespace pd = permit::detail;

// Whether a decoded value is written back and read again: the decoders whose result is a model
// with a JSON form of its own (not a bool, a vector<bool> or a raw_response).
enum class round_trip { no, yes };

inline bool has_double(const boost::json::value& v) {
    if (v.is_double()) return true;
    if (const auto* a = v.if_array())
        return std::any_of(a->begin(), a->end(), [](const auto& item) { return has_double(item); });
    if (const auto* o = v.if_object())
        return std::any_of(o->begin(), o->end(),
                           [](const auto& member) { return has_double(member.value()); });
    return false;
}

// Decodes `r` with `Decoder` and, when asked, checks that the value survives value_from,
// serialize, parse and the same decoder. The client turns model_error (the JSON does not fit
// the model) and system_error (not JSON) into error::invalid_response; any other exception is a
// bug and escapes, and so does a value that does not survive the round trip.
template <class Decoder, round_trip check>
void decode(const permit::detail::http::response& r) {
    using value_type = decltype(Decoder{}(r));
    std::optional<value_type> value;
    try {
        value.emplace(Decoder{}(r));
    } catch (const permit::model_error&) {
        return;
    } catch (const boost::system::system_error&) {
        return;
    }
    if constexpr (check == round_trip::yes) {
        // Boost.JSON 1.81 parses numbers with a fraction or an exponent to within an ulp only, so
        // such a number inside opaque JSON (attributes, context) may not read back the same.
        if (has_double(boost::json::parse(r.body))) return;
        permit::detail::http::response again;
        again.status = r.status;
        again.body = boost::json::serialize(boost::json::value_from(*value));
        if (!(Decoder{}(again) == *value))
            throw std::logic_error("json_models: a model changed when written and read back: " +
                                   again.body);
    }
}

using decode_function = void (*)(const permit::detail::http::response&);

template <class T>
inline constexpr decode_function model = &decode<pd::json_decoder<T>, round_trip::yes>;
template <class T>
inline constexpr decode_function list = &decode<pd::list_decoder<T>, round_trip::yes>;

// What the client decodes (json_decoder, list_decoder and the PDP's decoders), then what the
// emulator and the tools read through the same conversions (requests, bulk operations).
inline constexpr std::array decoders{
    model<permit::user>,
    model<permit::tenant>,
    model<permit::role>,
    model<permit::resource>,
    model<permit::role_assignment>,
    model<std::vector<permit::role_assignment>>,
    model<permit::bulk_role_assignment_report>,
    model<permit::bulk_role_unassignment_report>,
    model<permit::api_key_scope>,
    model<permit::check_result>,
    model<permit::bulk_check_result>,
    model<permit::error_details>,
    model<permit::validation_error>,
    model<std::vector<permit::validation_error_item>>,
    list<permit::user>,
    list<permit::tenant>,
    list<permit::role>,
    list<permit::resource>,
    list<permit::role_assignment>,
    &decode<pd::check_decoder, round_trip::no>,
    &decode<pd::bulk_check_decoder, round_trip::no>,
    &decode<pd::user_permissions_decoder, round_trip::yes>,
    &decode<pd::raw_decoder, round_trip::no>,
    model<permit::user_create>,
    model<permit::user_update>,
    model<permit::user_role_create>,
    model<permit::user_role_remove>,
    model<permit::tenant_create>,
    model<permit::tenant_update>,
    model<permit::role_create>,
    model<permit::role_update>,
    model<permit::role_permissions>,
    model<permit::resource_create>,
    model<permit::resource_replace>,
    model<permit::resource_update>,
    model<permit::role_assignment_create>,
    model<permit::role_assignment_remove>,
    model<permit::user_bulk_operation>,
    model<permit::tenant_bulk_operation>,
    model<permit::bulk_delete_operation>,
    model<permit::check_query>,
    model<permit::user_permissions_query>,
    model<permit::role_assignment_detailed>,
    list<permit::role_assignment_detailed>,
    model<permit::authorized_users_result>,
    model<permit::authorized_users_query>,
    &decode<pd::all_tenants_decoder, round_trip::no>,
};

}  // namespace permit_fuzz::json_models

// The first byte chooses the decoder (modulo their number); the rest is the body of a 200.
PERMIT_FUZZ_TARGET(json_models) {
    using namespace permit_fuzz::json_models;
    if (size == 0) return 0;
    permit::detail::http::response r;
    r.status = 200;
    r.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
    decoders[data[0] % decoders.size()](r);
    return 0;
}

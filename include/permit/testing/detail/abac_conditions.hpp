// The ABAC condition language of Permit's condition sets, sans-io: validating a set's
// `conditions` and evaluating them against the attributes of one check.
//
// Grammar (https://docs.permit.io/api/working-with-abac/operators,
// https://docs.permit.io/api/working-with-abac/building-conditions,
// https://docs.permit.io/api/working-with-abac/condition-sets):
//
//   condition := { LOGIC: [ condition, ... ] }            logical-first
//              | { "<path>": operand }                    one attribute
//   operand   := { OP: value }                            a comparison
//              | { LOGIC: [ operand, ... ] }              attribute-first (and/or/not on one
//              attribute)
//   LOGIC     := "allOf" | "and" | "anyOf" | "or" | "not"
//   value     := JSON literal | { "ref": "<path>" }
//
// `allOf`/`and` is a conjunction, `anyOf`/`or` a disjunction; `not` takes one condition (an
// object) or a list of them (the docs show both forms; [UNCONFIRMED] the list is taken as the
// negation of its conjunction). An object with several members is the
// conjunction of its members. `all_of`/`any_of` are not part of the language ("building
// conditions" lists them as invalid), nor is any operator the operator table does not name.
//
// Evaluation follows the Rego Permit's policy generator compiles conditions to (the generated
// `permit/generated/conditionset/*.rego` of a PDP's policy bundle, e.g.
// github.com/permitio/generated-policy-example):
//  * `==`/`!=` are type-strict, numbers compare by value (`1 == 1.0`, `1 != "1"`).
//  * Ordering operators use Rego's total order across types, null < bool < number < string <
//    array < object; strings compare bytewise, so `"17" > 5` holds. No time parsing.
//  * A leaf whose attribute (or `ref` attribute) is missing is undefined in Rego, so it does not
//    hold; `not-equals` included.
//  * [UNCONFIRMED] Rego's `not` of an undefined expression is true, but the compiled form of
//    `not` has not been observed; here a `not` whose condition references a missing attribute
//    does not hold either (a missing attribute never grants access).
//  * [CONFLICT] Some docs examples wrap a scalar in an array (`{"equals": ["private"]}`), which the
//    compiled `==` compares with an array literal: values are taken literally, so such a
//    condition never matches a scalar attribute.
//  * An unknown operator, or a malformed condition, never holds (nor does its negation).
//  * `fk_resource_type` in `object_match`/`any_match`/`all_match` reads the attribute as the
//    key(s) of instances of that type and matches their stored attributes, which the caller
//    supplies (`instance_lookup`); a key that names no instance does not match.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

namespace permit::testing::detail::abac {

/// The stored attributes of the resource instance `type:key`, or null when there is none: what
/// `fk_resource_type` matches against. An empty function knows no instance.
using instance_lookup =
    std::function<const boost::json::object*(std::string_view type, std::string_view key)>;

/// One problem found by `validate`: where it is (the segments from the root of `conditions`,
/// object keys and array indexes, as a pydantic `loc`), and what is wrong.
struct problem {
    boost::json::array loc;
    std::string message;

    /// The location as a JSON pointer (RFC 6901), e.g. `/allOf/0/user.age/between`.
    std::string pointer() const {
        std::string out;
        for (const auto& part : loc) {
            out += '/';
            if (part.is_int64()) {
                out += std::to_string(part.get_int64());
                continue;
            }
            for (char c : part.get_string()) {
                if (c == '~') {
                    out += "~0";
                } else if (c == '/') {
                    out += "~1";
                } else {
                    out += c;
                }
            }
        }
        return out;
    }
};

namespace conditions_detail {

namespace json = boost::json;

enum class logic { none, all, any, negation };

inline logic logic_of(std::string_view key) {
    if (key == "allOf" || key == "and") return logic::all;
    if (key == "anyOf" || key == "or") return logic::any;
    if (key == "not") return logic::negation;
    return logic::none;
}

/// The comparison operators of https://docs.permit.io/api/working-with-abac/operators.
enum class op {
    unknown,
    equals,
    not_equals,
    less_than,
    greater_than,
    less_than_equals,
    greater_than_equals,
    contains,
    array_contains,
    array_subset,
    array_superset,
    array_intersect,
    in,
    between,
    object_match,
    any_match,
    all_match,
};

inline op op_of(std::string_view key) {
    struct entry {
        std::string_view name;
        op value;
    };
    static constexpr entry table[] = {
        {"equals", op::equals},
        {"not-equals", op::not_equals},
        {"less-than", op::less_than},
        {"greater-than", op::greater_than},
        {"less-than-equals", op::less_than_equals},
        {"greater-than-equals", op::greater_than_equals},
        {"contains", op::contains},
        {"array_contains", op::array_contains},
        {"array_subset", op::array_subset},
        {"array_superset", op::array_superset},
        {"array_intersect", op::array_intersect},
        {"in", op::in},
        {"between", op::between},
        {"object_match", op::object_match},
        {"any_match", op::any_match},
        {"all_match", op::all_match},
    };
    for (const auto& e : table)
        if (e.name == key) return e.value;
    return op::unknown;
}

inline bool is_match_op(op o) {
    return o == op::object_match || o == op::any_match || o == op::all_match;
}

/// `a.b.c` with no empty segment, and at least `min_segments` of them.
inline bool valid_path(std::string_view path, std::size_t min_segments) {
    if (path.empty()) return false;
    std::size_t segments = 1;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= path.size(); ++i) {
        if (i == path.size() || path[i] == '.') {
            if (i == start) return false;
            if (i != path.size()) ++segments;
            start = i + 1;
        }
    }
    return segments >= min_segments;
}

// ----- validation -----------------------------------------------------------------------------

class validator {
  public:
    std::vector<problem> problems;

    void condition(const json::value& v, const json::array& loc) {
        if (!v.is_object()) return add(loc, "a condition must be an object");
        for (const auto& kv : v.get_object()) {
            auto here = extend(loc, kv.key());
            if (logic_member(kv, here, &validator::condition, "conditions")) continue;
            if (misspelt_logic(kv.key(), here)) continue;
            if (!valid_path(kv.key(), 2)) {
                add(here, "unknown logical operator or invalid attribute path '" +
                              std::string(kv.key()) +
                              "' (expected allOf, and, anyOf, or, not, or a path such as "
                              "user.<attribute>)");
                continue;
            }
            operand(kv.value(), here);
        }
    }

  private:
    using member = void (validator::*)(const json::value&, const json::array&);

    void add(const json::array& loc, std::string message) {
        problems.push_back({loc, std::move(message)});
    }

    static json::array extend(const json::array& loc, json::value part) {
        json::array out = loc;
        out.push_back(std::move(part));
        return out;
    }

    void each(const json::array& items, const json::array& loc, member check) {
        std::int64_t i = 0;
        for (const auto& item : items) (this->*check)(item, extend(loc, i++));
    }

    // A logic member (`allOf`/`and`, `anyOf`/`or`, `not`), its items checked by `recurse` (`what`
    // names them in the message); false, and nothing checked, for any other key.
    bool logic_member(const json::key_value_pair& kv, const json::array& here, member recurse,
                      const char* what) {
        switch (logic_of(kv.key())) {
            case logic::all:
            case logic::any:
                if (kv.value().is_array())
                    each(kv.value().get_array(), here, recurse);
                else
                    add(here, "'" + std::string(kv.key()) + "' takes a list of " + what);
                return true;
            case logic::negation:
                if (kv.value().is_array())
                    each(kv.value().get_array(), here, recurse);
                else
                    (this->*recurse)(kv.value(), here);
                return true;
            case logic::none:
                return false;
        }
        return false;
    }

    bool misspelt_logic(std::string_view key, const json::array& loc) {
        if (key != "all_of" && key != "any_of") return false;
        add(loc, "unknown logical operator '" + std::string(key) + "' (use " +
                     (key == "all_of" ? "allOf or and" : "anyOf or or") + ")");
        return true;
    }

    /// The object a path maps to: comparisons, or logic over comparisons of that attribute.
    void operand(const json::value& v, const json::array& loc) {
        if (!v.is_object() || v.get_object().empty())
            return add(loc, "an attribute takes an object of operators, e.g. {\"equals\": 1}");
        for (const auto& kv : v.get_object()) {
            auto here = extend(loc, kv.key());
            if (logic_member(kv, here, &validator::operand, "operators")) continue;
            if (misspelt_logic(kv.key(), here)) continue;
            comparison(op_of(kv.key()), kv.key(), kv.value(), here);
        }
    }

    void comparison(op o, std::string_view name, const json::value& v, const json::array& loc) {
        if (o == op::unknown) return add(loc, "unknown operator '" + std::string(name) + "'");
        if (o == op::between) {
            if (!v.is_array() || v.get_array().size() != 2)
                add(loc, "'between' takes a list of two bounds, [low, high]");
            return;
        }
        if (is_match_op(o)) return match(v, loc);
        if (const auto* obj = v.if_object(); obj && obj->contains("ref")) {
            const auto& ref = obj->at("ref");
            if (obj->size() != 1 || !ref.is_string() || !valid_path(ref.get_string(), 2))
                add(extend(loc, "ref"),
                    "a reference is {\"ref\": \"<path>\"}, e.g. {\"ref\": \"user.key\"}");
        }
    }

    /// `{"match": {"<sub-attribute>": operand, ...}, "fk_resource_type": "<type>"}`.
    void match(const json::value& v, const json::array& loc) {
        const auto* obj = v.if_object();
        const json::value* m = obj ? obj->if_contains("match") : nullptr;
        if (!m || !m->is_object())
            return add(loc, "takes {\"match\": {\"<attribute>\": {<operator>: <value>}, ...}}");
        for (const auto& kv : *obj) {
            if (kv.key() == "match") continue;
            if (kv.key() == "fk_resource_type" && kv.value().is_string()) continue;
            add(extend(loc, kv.key()), kv.key() == "fk_resource_type"
                                           ? "'fk_resource_type' takes a resource type key"
                                           : "unexpected member '" + std::string(kv.key()) + "'");
        }
        auto match_loc = extend(loc, "match");
        for (const auto& kv : m->get_object()) {
            auto here = extend(match_loc, kv.key());
            if (!valid_path(kv.key(), 1)) {
                add(here, "invalid attribute path '" + std::string(kv.key()) + "'");
                continue;
            }
            operand(kv.value(), here);
        }
    }
};

// ----- Rego values --------------------------------------------------------------------------

inline int type_rank(const json::value& v) {
    switch (v.kind()) {
        case json::kind::null:
            return 0;
        case json::kind::bool_:
            return 1;
        case json::kind::int64:
        case json::kind::uint64:
        case json::kind::double_:
            return 2;
        case json::kind::string:
            return 3;
        case json::kind::array:
            return 4;
        case json::kind::object:
            return 5;
    }
    return 6;
}

/// Compares two JSON numbers by value: exactly between integers, else as doubles.
inline int compare_numbers(const json::value& a, const json::value& b) {
    auto three_way = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
    if (a.is_double() || b.is_double())
        return three_way(a.to_number<double>(), b.to_number<double>());
    if (a.is_int64() && b.is_int64()) return three_way(a.get_int64(), b.get_int64());
    if (a.is_uint64() && b.is_uint64()) return three_way(a.get_uint64(), b.get_uint64());
    // One int64, one uint64: a negative int64 is the smaller; otherwise both fit a uint64.
    if (a.is_int64()) {
        if (a.get_int64() < 0) return -1;
        return three_way(static_cast<std::uint64_t>(a.get_int64()), b.get_uint64());
    }
    if (b.get_int64() < 0) return 1;
    return three_way(a.get_uint64(), static_cast<std::uint64_t>(b.get_int64()));
}

/// Rego's total order: null < bool < number < string < array < object; within a type, false <
/// true, numbers by value, strings bytewise, arrays element by element then by length, objects by
/// their (key, value) pairs in key order (the order of regorus' `Value` comparison,
/// https://docs.rs/regorus/latest/regorus/enum.Value.html).
inline int compare(const json::value& a, const json::value& b) {
    const int ra = type_rank(a);
    const int rb = type_rank(b);
    if (ra != rb) return ra < rb ? -1 : 1;
    switch (ra) {
        case 0:
            return 0;
        case 1:
            return static_cast<int>(a.get_bool()) - static_cast<int>(b.get_bool());
        case 2:
            return compare_numbers(a, b);
        case 3: {
            const int c =
                std::string_view(a.get_string()).compare(std::string_view(b.get_string()));
            return c < 0 ? -1 : (c > 0 ? 1 : 0);
        }
        case 4: {
            const auto& x = a.get_array();
            const auto& y = b.get_array();
            for (std::size_t i = 0; i < x.size() && i < y.size(); ++i)
                if (int c = compare(x[i], y[i])) return c;
            return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
        }
        default: {
            auto sorted = [](const json::object& o) {
                std::vector<const json::key_value_pair*> out;
                for (const auto& kv : o) out.push_back(&kv);
                std::sort(out.begin(), out.end(),
                          [](auto* l, auto* r) { return l->key() < r->key(); });
                return out;
            };
            const auto x = sorted(a.get_object());
            const auto y = sorted(b.get_object());
            for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
                if (int c = x[i]->key().compare(y[i]->key())) return c < 0 ? -1 : 1;
                if (int c = compare(x[i]->value(), y[i]->value())) return c;
            }
            return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
        }
    }
}

/// Rego `==`: type-strict, numbers by value, arrays and objects member by member.
inline bool equal(const json::value& a, const json::value& b) {
    return compare(a, b) == 0;
}

/// Rego `x in c`: an element of an array or a value of an object; nothing else has members.
inline bool member_of(const json::value& x, const json::value& c) {
    if (const auto* arr = c.if_array()) {
        for (const auto& item : *arr)
            if (equal(x, item)) return true;
        return false;
    }
    if (const auto* obj = c.if_object()) {
        for (const auto& kv : *obj)
            if (equal(x, kv.value())) return true;
    }
    return false;
}

/// The members of a collection, as Rego's `some x in c` enumerates them; null for a scalar.
inline std::optional<std::vector<const json::value*>> members(const json::value& c) {
    std::vector<const json::value*> out;
    if (const auto* arr = c.if_array()) {
        for (const auto& item : *arr) out.push_back(&item);
    } else if (const auto* obj = c.if_object()) {
        for (const auto& kv : *obj) out.push_back(&kv.value());
    } else {
        return std::nullopt;
    }
    return out;
}

// ----- evaluation ---------------------------------------------------------------------------

/// Three-valued: `undefined` is Rego's undefined (a missing attribute, a malformed condition),
/// which no `not` turns into a match.
enum class truth { no, yes, undefined };

inline truth of(bool b) {
    return b ? truth::yes : truth::no;
}

/// Follows `path` (dot-separated) from `root`; null when some segment is missing.
inline const json::value* walk(const json::value& root, std::string_view path) {
    const json::value* at = &root;
    while (true) {
        const auto dot = path.find('.');
        const auto segment = path.substr(0, dot);
        const auto* obj = at->if_object();
        if (!obj) return nullptr;
        at = obj->if_contains(segment);
        if (!at) return nullptr;
        if (dot == std::string_view::npos) return at;
        path.remove_prefix(dot + 1);
    }
}

class evaluator {
  public:
    explicit evaluator(const json::object& attributes, const instance_lookup& instances = {})
        : attributes_(attributes), instances_(instances) {}

    truth condition(const json::value& v) const {
        const auto* obj = v.if_object();
        if (!obj) return truth::undefined;
        std::vector<truth> parts;
        for (const auto& kv : *obj) {
            switch (logic_of(kv.key())) {
                case logic::all:
                    parts.push_back(all_of(kv.value(), &evaluator::condition));
                    break;
                case logic::any:
                    parts.push_back(any_of(kv.value(), &evaluator::condition));
                    break;
                case logic::negation:
                    parts.push_back(negation(kv.value(), &evaluator::condition));
                    break;
                case logic::none: {
                    const auto* subject = attribute(kv.key());
                    parts.push_back(subject ? operand(*subject, kv.value()) : truth::undefined);
                    break;
                }
            }
        }
        return conjunction(parts);
    }

  private:
    using member = truth (evaluator::*)(const json::value&) const;

    /// `attributes` at `path`; `subject.` stands for `user.` and `environment.` for `context.`.
    /// [UNCONFIRMED] Docs examples use `subject.*` and `environment.*`
    /// (https://docs.permit.io/api/working-with-abac/building-conditions), but the attributes the
    /// generated Rego indexes have no such keys (`permit/generated/abac/utils.rego`): they are
    /// taken as aliases.
    const json::value* attribute(std::string_view path) const {
        const auto dot = path.find('.');
        if (dot == std::string_view::npos) return nullptr;
        auto root = path.substr(0, dot);
        if (root == "subject") root = "user";
        if (root == "environment") root = "context";
        const auto* top = attributes_.if_contains(root);
        return top ? walk(*top, path.substr(dot + 1)) : nullptr;
    }

    static truth conjunction(const std::vector<truth>& parts) {
        bool all_yes = true;
        for (auto t : parts) {
            if (t == truth::undefined) return truth::undefined;
            if (t == truth::no) all_yes = false;
        }
        return of(all_yes);
    }

    static truth disjunction(const std::vector<truth>& parts) {
        bool undefined = false;
        for (auto t : parts) {
            if (t == truth::yes) return truth::yes;
            if (t == truth::undefined) undefined = true;
        }
        return undefined ? truth::undefined : truth::no;
    }

    template <class Eval>
    std::vector<truth> each(const json::value& v, Eval eval) const {
        std::vector<truth> out;
        if (const auto* arr = v.if_array()) {
            for (const auto& item : *arr) out.push_back(eval(item));
        } else {
            out.push_back(truth::undefined);
        }
        return out;
    }

    truth all_of(const json::value& v, member m) const {
        return conjunction(each(v, [&](const json::value& c) { return (this->*m)(c); }));
    }
    truth any_of(const json::value& v, member m) const {
        return disjunction(each(v, [&](const json::value& c) { return (this->*m)(c); }));
    }

    /// `not` over one condition, or over the conjunction of a list of them.
    template <class Eval>
    static truth negate(const json::value& v, Eval eval) {
        truth inner = truth::undefined;
        if (const auto* arr = v.if_array()) {
            std::vector<truth> parts;
            for (const auto& item : *arr) parts.push_back(eval(item));
            inner = conjunction(parts);
        } else {
            inner = eval(v);
        }
        if (inner == truth::undefined) return truth::undefined;
        return of(inner == truth::no);
    }
    truth negation(const json::value& v, member m) const {
        return negate(v, [&](const json::value& c) { return (this->*m)(c); });
    }

    /// The operand of one attribute (`subject`): comparisons and logic over them.
    truth operand(const json::value& subject, const json::value& v) const {
        const auto* obj = v.if_object();
        if (!obj || obj->empty()) return truth::undefined;
        auto recurse = [&](const json::value& inner) { return operand(subject, inner); };
        std::vector<truth> parts;
        for (const auto& kv : *obj) {
            switch (logic_of(kv.key())) {
                case logic::all:
                    parts.push_back(conjunction(each(kv.value(), recurse)));
                    break;
                case logic::any:
                    parts.push_back(disjunction(each(kv.value(), recurse)));
                    break;
                case logic::negation:
                    parts.push_back(negate(kv.value(), recurse));
                    break;
                case logic::none:
                    parts.push_back(comparison(op_of(kv.key()), subject, kv.value()));
                    break;
            }
        }
        return conjunction(parts);
    }

    /// The value to compare with: a literal, or the attribute a `{"ref": path}` names.
    const json::value* resolve(const json::value& v) const {
        if (const auto* obj = v.if_object(); obj && obj->contains("ref")) {
            const auto& ref = obj->at("ref");
            if (obj->size() != 1 || !ref.is_string()) return nullptr;
            return attribute(ref.get_string());
        }
        return &v;
    }

    truth comparison(op o, const json::value& a, const json::value& raw) const {
        if (o == op::unknown) return truth::undefined;
        if (is_match_op(o)) return match(o, a, raw);
        const json::value* resolved = resolve(raw);
        if (!resolved) return truth::undefined;
        const json::value& b = *resolved;
        switch (o) {
            case op::equals:
                return of(equal(a, b));
            case op::not_equals:
                return of(!equal(a, b));
            case op::less_than:
                return of(compare(a, b) < 0);
            case op::greater_than:
                return of(compare(a, b) > 0);
            case op::less_than_equals:
                return of(compare(a, b) <= 0);
            case op::greater_than_equals:
                return of(compare(a, b) >= 0);
            case op::contains:
                // `contains(a, b)` is defined on strings only.
                if (!a.is_string() || !b.is_string()) return truth::no;
                return of(std::string_view(a.get_string()).find(std::string_view(b.get_string())) !=
                          std::string_view::npos);
            case op::array_contains:
                return of(member_of(b, a));
            case op::in:
                return of(member_of(a, b));
            case op::array_subset:
                return subset(a, b);
            case op::array_superset:
                return subset(b, a);
            case op::array_intersect: {
                const auto xs = members(a);
                if (!xs || !members(b)) return truth::no;
                for (const auto* x : *xs)
                    if (member_of(*x, b)) return truth::yes;
                return truth::no;
            }
            case op::between: {
                // [UNCONFIRMED] The compiled form of `between` has not been observed; the bounds
                // are taken as inclusive, low <= a <= high.
                const auto* bounds = b.if_array();
                if (!bounds || bounds->size() != 2) return truth::undefined;
                return of(compare((*bounds)[0], a) <= 0 && compare(a, (*bounds)[1]) <= 0);
            }
            default:
                return truth::undefined;
        }
    }

    /// `count({x | some x in xs} - {x | some x in ys}) == 0`.
    static truth subset(const json::value& xs, const json::value& ys) {
        const auto items = members(xs);
        if (!items || !members(ys)) return truth::no;
        for (const auto* x : *items)
            if (!member_of(*x, ys)) return truth::no;
        return truth::yes;
    }

    /// `object_match`, `any_match`, `all_match`
    /// (https://docs.permit.io/api/working-with-abac/operators#object-match-operators): every
    /// sub-attribute of `match` holds on the object, on some item, or on every item of the array.
    truth match(op o, const json::value& a, const json::value& raw) const {
        const auto* spec = raw.if_object();
        const json::value* m = spec ? spec->if_contains("match") : nullptr;
        if (!m || !m->is_object()) return truth::undefined;
        // `fk_resource_type`: the attribute holds instance keys of that type, and `match` reads
        // the stored attributes of those instances; a key naming no instance does not match.
        const json::value* fk = spec->if_contains("fk_resource_type");
        if (fk && !fk->is_string()) return truth::undefined;
        const auto target = [&](const json::value& item) -> const json::value* {
            if (!fk) return &item;
            if (!item.is_string() || !instances_) return nullptr;
            const auto* stored = instances_(fk->get_string(), item.get_string());
            if (!stored) return nullptr;
            resolved_.emplace_back(*stored);
            return &resolved_.back();
        };
        auto on = [&](const json::value& raw_item) {
            const auto* item = target(raw_item);
            if (!item) return truth::no;
            std::vector<truth> parts;
            for (const auto& kv : m->get_object()) {
                const auto* sub = walk(*item, kv.key());
                parts.push_back(sub ? operand(*sub, kv.value()) : truth::undefined);
            }
            return conjunction(parts);
        };
        if (fk && o == op::object_match) return on(a);
        if (o == op::object_match) return a.is_object() ? on(a) : truth::no;
        const auto* items = a.if_array();
        if (!items) return truth::no;
        if (o == op::any_match) {
            for (const auto& item : *items)
                if (on(item) == truth::yes) return truth::yes;
            return truth::no;
        }
        // [UNCONFIRMED] An empty array: Rego's `every` holds over no items, so all_match does.
        for (const auto& item : *items)
            if (on(item) != truth::yes) return truth::no;
        return truth::yes;
    }

    const json::object& attributes_;
    const instance_lookup& instances_;
    mutable std::deque<json::value> resolved_;  // the instances' attributes, as JSON values
};

}  // namespace conditions_detail

/// Checks a condition set's `conditions` against the condition language; returns the problems
/// found, in document order (none when valid; `{}`, no conditions, is valid). Each problem's
/// `loc` is relative to `conditions`, so a route can prefix it with `["body", "conditions"]`.
/// Pure function; safe to call from any thread.
inline std::vector<problem> validate(const boost::json::value& conditions) {
    conditions_detail::validator v;
    v.condition(conditions, {});
    return std::move(v.problems);
}

/// Whether `conditions` hold for `attributes`, the object the generated Rego indexes:
/// `{"user": {...}, "resource": {...}, "tenant": {...}, "context": {...}}` (paths such as
/// `user.department` or `user.address.city` index it). `{}` holds. A missing attribute, an
/// unknown operator or a malformed condition never makes the conditions hold, even under `not`.
/// `instances` gives the stored attributes that `fk_resource_type` matches
/// (https://docs.permit.io/api/working-with-abac/operators#foreign-key-matching).
/// Pure function; safe to call from any thread.
inline bool evaluate(const boost::json::value& conditions, const boost::json::object& attributes,
                     const instance_lookup& instances = {}) {
    return conditions_detail::evaluator(attributes, instances).condition(conditions) ==
           conditions_detail::truth::yes;
}

/// Whether a condition set matches: its own `conditions` and those of each of its ancestors
/// (`ancestors`, parent first) hold for `attributes` ("a condition set with a parent applies all
/// conditions from its parent in addition to its own conditions",
/// https://docs.permit.io/api/working-with-abac/condition-sets), and, for a resourceset
/// (`resourceset_base` set to its base resource's key), `resource.type` is that key, as the
/// generated Rego of every resourceset requires (`attributes.resource.type == "<resource>"`).
/// Pure function; safe to call from any thread.
inline bool set_matches(const boost::json::value& conditions,
                        std::span<const boost::json::value* const> ancestors,
                        std::optional<std::string_view> resourceset_base,
                        const boost::json::object& attributes,
                        const instance_lookup& instances = {}) {
    if (resourceset_base) {
        const auto* resource = attributes.if_contains("resource");
        const auto* type = resource ? conditions_detail::walk(*resource, "type") : nullptr;
        if (!type || !type->is_string() || type->get_string() != *resourceset_base) return false;
    }
    if (!evaluate(conditions, attributes, instances)) return false;
    for (const auto* ancestor : ancestors)
        if (!ancestor || !evaluate(*ancestor, attributes, instances)) return false;
    return true;
}

}  // namespace permit::testing::detail::abac

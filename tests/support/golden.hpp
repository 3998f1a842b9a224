// The golden examples of the emulator's wire-format check (tests/emulator/golden), written from the
// API reference independently of the models, as the API would send them.
#pragma once

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace permit_test {

/// A golden example as the API would send it: without the check's `$` instructions, and with
/// each `{"$ref": "file"}` replaced by that file's example.
inline boost::json::value golden(const std::string& file) {
    const auto path =
        std::filesystem::path(__FILE__).parent_path().parent_path() / "emulator" / "golden" / file;
    std::ifstream in(path, std::ios::binary);
    BOOST_REQUIRE_MESSAGE(in, "cannot read " << path);
    std::ostringstream text;
    text << in.rdbuf();
    auto example = boost::json::parse(text.str());
    struct {
        void operator()(boost::json::value& v) const {
            if (auto* obj = v.if_object()) {
                if (const auto* ref = obj->if_contains("$ref")) {
                    v = golden(std::string(ref->as_string()));
                    return;
                }
                for (auto it = obj->begin(); it != obj->end();) {
                    if (it->key().starts_with("$")) {
                        it = obj->erase(it);
                        continue;
                    }
                    (*this)(it->value());
                    ++it;
                }
            } else if (auto* arr = v.if_array()) {
                for (auto& element : *arr) (*this)(element);
            }
        }
    } strip;
    strip(example);
    return example;
}

}  // namespace permit_test

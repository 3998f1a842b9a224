// Fuzz target: arbitrary bytes as permit-bulk-sync input: one JSON Lines line, a CSV header and
// its rows, or a whole file through the line reader and format detection.
#include "fuzz_target.hpp"

#include <bulk_sync/input.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace permit_fuzz::bulk_sync_lines {

namespace pbs = permit_bulk_sync;

// What becomes of a parsed line: a record is sent as a UserCreate that the API (the emulator)
// reads back with the same model; it must read back the same user.
void use(const pbs::parsed_line& parsed) {
    const auto* record = std::get_if<pbs::sync_record>(&parsed);
    if (!record) return;
    const auto text = boost::json::serialize(boost::json::value_from(record->user));
    if (!(boost::json::value_to<permit::user_create>(boost::json::parse(text)) == record->user))
        throw std::logic_error("bulk_sync_lines: a user changed when written and read: " + text);
}

// The header is the first line, every further line a row; each row is also split on its own.
void csv(std::string_view text) {
    const auto newline = text.find('\n');
    const auto header = text.substr(0, newline);
    std::string error;
    const auto columns = pbs::csv_columns::from_header(header, error);
    std::vector<std::string> fields;
    std::uint64_t line = 1;
    for (auto rest = newline == std::string_view::npos ? std::string_view()
                                                       : text.substr(newline + 1);
         !rest.empty();) {
        const auto end = rest.find('\n');
        const auto row = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
        (void)pbs::split_csv_record(row, fields);
        if (columns) use(columns->parse_row(row, ++line));
    }
}

// The tool's way through a file: detect the format from the first bytes, read the CSV header,
// then parse line by line. A small maximum line length, so that the fuzzer meets long lines.
void file(std::string_view text) {
    if (text.empty()) return;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(
        fmemopen(const_cast<char*>(text.data()), text.size(), "rb"), &std::fclose);
    if (!f) return;
    pbs::line_reader reader(f.get(), 64);
    const auto format = pbs::detect_format("input", reader.peek(4096));
    std::string error;
    const auto parser = pbs::make_record_parser(format, reader, error);
    if (!parser) return;
    while (const auto line = reader.next()) use(parser->parse(*line));
}

}  // namespace permit_fuzz::bulk_sync_lines

// The first byte chooses: 0 a JSON Lines line, 1 CSV (header and rows), 2 a whole file.
PERMIT_FUZZ_TARGET(bulk_sync_lines) {
    using namespace permit_fuzz::bulk_sync_lines;
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 3) {
        case 0:
            use(pbs::parse_json_line(text, 1));
            break;
        case 1:
            csv(text);
            break;
        default:
            file(text);
            break;
    }
    return 0;
}
